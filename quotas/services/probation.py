"""HR's probation decision: confirm the employment, extend the probation, or end the employment.

A decision is a dated, signed row (`ProbationDecision`, never edited: a later decision follows it) that keeps
the probation end it replaced. Extending moves the rep's probation end, so the probation plans, the list and
the report follow the new window at once; ending records the employment's last day, which the targets
pro-rate from. Only HR reviewers, admins and owners decide; managers read the report of their reps.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from accounts.roles import Role

from ..models import ProbationDecision, ProbationDecisionKind

DECIDING_ROLES = frozenset({Role.HR, Role.ADMIN, Role.OWNER})
NOTES_MAX = ProbationDecision._meta.get_field("notes").max_length
# Beyond these a date is a typo, not a plan: a year past the current end or past today.
MAX_EXTENSION = timedelta(days=366)
MAX_NOTICE = timedelta(days=366)


def may_decide(member: Membership) -> bool:
    """HR reviewers, admins and owners record decisions (a manager's role ranks above HR, but managers don't)."""
    return member.is_active and member.role in DECIDING_ROLES


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def _validated_end(*, rep: Membership, decision: str, new_end: date | None, today: date) -> date | None:
    """The decision's date, or a ValidationError on `new_end` that says what would be right."""
    if decision == ProbationDecisionKind.CONFIRM:
        if new_end is not None:
            raise ValidationError({"new_end": _("Confirming needs no date: leave it empty.")})
        return None
    if decision == ProbationDecisionKind.EXTEND:
        if new_end is None:
            raise ValidationError({"new_end": _("Enter the new last day of the probation.")})
        if new_end <= rep.probation_end:
            raise ValidationError(
                {"new_end": _("The new end must be after the current end of the probation, %(end)s.")
                 % {"end": _day(rep.probation_end)}}
            )  # fmt: skip
        if new_end > rep.probation_end + MAX_EXTENSION:
            raise ValidationError(
                {"new_end": _("Extend by a year at most (until %(latest)s).")
                 % {"latest": _day(rep.probation_end + MAX_EXTENSION)}}
            )  # fmt: skip
        if rep.employment_end is not None and new_end > rep.employment_end:
            raise ValidationError(
                {"new_end": _("The employment ends on %(end)s: the probation cannot run longer.")
                 % {"end": _day(rep.employment_end)}}
            )  # fmt: skip
        return new_end
    # End the employment: `new_end` is its last day.
    if new_end is None:
        raise ValidationError({"new_end": _("Enter the last day of the employment.")})
    if rep.employment_start is not None and new_end < rep.employment_start:
        raise ValidationError(
            {"new_end": _("The last day cannot be before the employment started, %(start)s.")
             % {"start": _day(rep.employment_start)}}
        )  # fmt: skip
    if new_end > today + MAX_NOTICE:
        raise ValidationError(
            {"new_end": _("The last day must be within a year from today (by %(latest)s).")
             % {"latest": _day(today + MAX_NOTICE)}}
        )  # fmt: skip
    return new_end


@transaction.atomic
def probation_decide(
    *,
    organization: Organization,
    actor: Membership,
    rep: Membership,
    decision: str,
    new_end: date | None = None,
    notes: str,
) -> ProbationDecision:
    """Record HR's decision on `rep`'s probation, signed by `actor`, and apply it to the rep's employment.

    confirm: no date; extend: `new_end` is the new probation end (after the current one); end: `new_end` is
    the employment's last day (not before its start). Notes are required. Nothing changes on a refusal."""
    if actor.organization_id != organization.pk or rep.organization_id != organization.pk:
        raise ValidationError(_("That choice does not exist."))
    if not may_decide(actor):
        raise PermissionDenied(_("Only HR reviewers, admins and owners record probation decisions."))
    # The rep's row, locked: two decisions at once apply one after the other, each on the window it saw.
    rep = Membership.objects.select_for_update().get(pk=rep.pk)
    if rep.role != Role.REP or rep.probation_end is None:
        raise ValidationError(_("%(name)s has no probation to decide on.") % {"name": rep})
    if decision not in ProbationDecisionKind.values:
        raise ValidationError({"decision": _("Choose confirm, extend or end.")})
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": _("Write the reasons for the decision in the notes.")})
    if len(notes) > NOTES_MAX:
        raise ValidationError(
            {"notes": _("Keep the notes under %(max)s characters (they have %(length)s).")
             % {"max": NOTES_MAX, "length": len(notes)}}
        )  # fmt: skip
    new_end = _validated_end(rep=rep, decision=decision, new_end=new_end, today=organization.local_today())

    record = ProbationDecision(
        organization=organization, rep=rep, decision=decision, previous_end=rep.probation_end, new_end=new_end,
        notes=notes, decided_by=actor.user,
    )  # fmt: skip
    record.full_clean()
    record.save()
    if decision == ProbationDecisionKind.EXTEND:
        rep.probation_end = new_end
        rep.validate_constraints()
        rep.save(update_fields=["probation_end"])
    elif decision == ProbationDecisionKind.END:
        rep.employment_end = new_end
        rep.validate_constraints()
        rep.save(update_fields=["employment_end"])
    return record
