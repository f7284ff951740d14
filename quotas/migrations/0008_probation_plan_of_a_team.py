"""A probation plan may name a team: it then applies to that team's reps in probation only (a manager's)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quotas", "0007_summary_plan_met_without_target"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="quotaplan",
            name="quotas_quotaplan_scope_target",
        ),
        migrations.AddConstraint(
            model_name="quotaplan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("rep__isnull", True), ("scope", "team"), ("team__isnull", False)),
                    models.Q(("rep__isnull", False), ("scope", "rep"), ("team__isnull", True)),
                    models.Q(("rep__isnull", True), ("scope", "organization"), ("team__isnull", True)),
                    models.Q(("rep__isnull", True), ("scope", "probation")),
                    _connector="OR",
                ),
                name="quotas_quotaplan_scope_target",
                violation_error_message="Choose a team for a team plan and a rep for a rep plan, and nothing else.",
            ),
        ),
    ]
