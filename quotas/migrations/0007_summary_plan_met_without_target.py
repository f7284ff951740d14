"""A rep with no target in a closed period (leave all of it, a day without working days) has plan_met NULL,
not False: such a period neither meets nor misses the plan. Existing summaries are corrected; their streaks
stay as they were closed."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def no_target_is_not_a_miss(apps, schema_editor):
    RepPeriodSummary = apps.get_model("quotas", "RepPeriodSummary")
    PeriodResult = apps.get_model("quotas", "PeriodResult")
    with_target = PeriodResult.objects.filter(
        period_close=OuterRef("period_close"), rep=OuterRef("rep"), target__isnull=False
    )
    RepPeriodSummary.objects.filter(plan_met=False).exclude(Exists(with_target)).update(plan_met=None)


def no_target_as_before(apps, schema_editor):
    """Back to 0006, where a period without a target counted as not met (the column cannot hold NULL there)."""
    apps.get_model("quotas", "RepPeriodSummary").objects.filter(plan_met__isnull=True).update(plan_met=False)


class Migration(migrations.Migration):
    dependencies = [
        ("quotas", "0006_flag_references"),
    ]

    operations = [
        migrations.AlterField(
            model_name="repperiodsummary",
            name="plan_met",
            field=models.BooleanField(null=True),
        ),
        # Reversed, operations run last to first: the NULLs are gone before the column is NOT NULL again.
        migrations.RunPython(no_target_is_not_a_miss, no_target_as_before),
    ]
