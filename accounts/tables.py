"""django-tables2 tables for the accounts pages."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership


class MembershipTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="user__first_name",
        order_by=("user__first_name", "user__last_name", "user__email"),
        linkify=False,
    )
    email = tables.Column(verbose_name=_("E-mail"), accessor="user__email")
    role = tables.Column(verbose_name=_("Role"))
    teams = tables.Column(verbose_name=_("Team"), empty_values=(), orderable=False)
    employment_start = tables.DateColumn(verbose_name=_("Start"), short=True)
    probation_end = tables.DateColumn(verbose_name=_("Probation end"), short=True)
    fte_percent = tables.Column(verbose_name=_("FTE %"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    actions = tables.TemplateColumn(
        template_name="accounts/partials/_member_actions.html",
        verbose_name=_("Actions"),
        orderable=False,
        attrs={"th": {"class": "visually-hidden-heading"}},
    )

    class Meta:
        model = Membership
        fields = ["name", "email", "role", "teams", "employment_start", "probation_end", "fte_percent", "is_active"]
        sequence = [*fields, "actions"]
        attrs = {"class": "striped"}
        empty_text = _("No members match these filters.")

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_edit:
            self.columns.hide("actions")

    def render_name(self, record):
        return record.user.get_full_name() or "—"

    def render_teams(self, record):
        # Reps are in one team; managers lead any number (prefetched by the selector).
        if record.team is not None:
            return record.team.name
        return ", ".join(team.name for team in record.managed_teams.all()) or "—"


class InvitationTable(tables.Table):
    email = tables.Column(verbose_name=_("E-mail"))
    role = tables.Column(verbose_name=_("Role"))
    team = tables.Column(verbose_name=_("Team"), default="—")
    invited_by = tables.Column(verbose_name=_("Invited by"), default="—")
    created_at = tables.DateTimeColumn(verbose_name=_("Sent"), short=True)
    expires_at = tables.TemplateColumn(
        template_name="accounts/partials/_invitation_expiry.html", verbose_name=_("Expires")
    )
    actions = tables.TemplateColumn(
        template_name="accounts/partials/_invitation_actions.html", verbose_name=_("Actions"), orderable=False
    )

    class Meta:
        model = Invitation
        fields = ["email", "role", "team", "invited_by", "created_at", "expires_at"]
        sequence = [*fields, "actions"]
        attrs = {"class": "striped"}
        empty_text = _("No open invitations.")
