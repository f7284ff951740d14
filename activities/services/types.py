"""Activity types: the defaults every organization starts with, and what admins change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from ..models import ActivityType, Category, Kind

# (key, name, category, kind, unit, points). Names are translated into the organization's language
# when it is created; after that they are the organization's own and can be renamed.
DEFAULT_TYPES = [
    ("outbound_calls", _("Outbound calls"), Category.ACTIVITY, Kind.COUNT, _("calls"), 1),
    ("prospect_emails", _("Prospect e-mails"), Category.ACTIVITY, Kind.COUNT, _("e-mails"), 1),
    ("social_contacts", _("Social contacts"), Category.ACTIVITY, Kind.COUNT, _("contacts"), 1),
    ("tasks_submitted", _("Tasks submitted"), Category.ACTIVITY, Kind.COUNT, _("tasks"), 1),
    ("meetings", _("Meetings"), Category.ACTIVITY, Kind.COUNT, _("meetings"), 5),
    ("demos", _("Demos"), Category.ACTIVITY, Kind.COUNT, _("demos"), 5),
    ("opportunities_created", _("Opportunities created"), Category.OUTCOME, Kind.COUNT, _("opportunities"), None),
    ("deals_won", _("Deals won"), Category.OUTCOME, Kind.COUNT, _("deals"), None),
    ("new_customers", _("New customers"), Category.OUTCOME, Kind.COUNT, _("customers"), None),
    ("units_sold", _("Units sold"), Category.OUTCOME, Kind.COUNT, _("units"), None),
    ("revenue", _("Revenue"), Category.OUTCOME, Kind.MONEY, None, None),
]

# The defaults that reach out to prospects: what a conversion rate (opportunities per 100 activities) counts.
# Tasks, meetings and demos come later in a sale, mostly after an opportunity exists.
OUTREACH_KEYS = {"outbound_calls", "prospect_emails", "social_contacts"}


@transaction.atomic
def activity_types_create_defaults(*, organization: Organization) -> list[ActivityType]:
    """Give a new organization the standard activity and outcome types, in its own language."""
    with translation.override(organization.language):
        types = [
            ActivityType(
                organization=organization,
                default_key=key,
                name=str(name),
                category=category,
                kind=kind,
                unit_label=organization.currency if kind == Kind.MONEY else str(unit),
                points=points,
                counts_as_outreach=key in OUTREACH_KEYS,
                position=position,
            )
            for position, (key, name, category, kind, unit, points) in enumerate(DEFAULT_TYPES, start=1)
        ]
    return ActivityType.objects.bulk_create(types)


def _ensure_in_organization(organization: Organization, activity_type: ActivityType) -> None:
    if activity_type.organization_id != organization.pk:
        raise ValidationError(_("That choice does not exist."))


@transaction.atomic
def activity_type_create(*, organization: Organization, **fields) -> ActivityType:
    last = ActivityType.objects.filter(organization=organization).aggregate(m=Max("position"))["m"] or 0
    activity_type = ActivityType(organization=organization, position=last + 1, **fields)
    activity_type.full_clean()
    activity_type.save()
    return activity_type


@transaction.atomic
def activity_type_update(*, organization: Organization, activity_type: ActivityType, **fields) -> ActivityType:
    """Rename or re-describe a type. Its kind only changes while nothing was logged with it."""
    _ensure_in_organization(organization, activity_type)
    if "kind" in fields and fields["kind"] != activity_type.kind and activity_type.entries.exists():
        raise ValidationError({"kind": _("The kind cannot change once entries use this type.")})
    for name, value in fields.items():
        setattr(activity_type, name, value)
    activity_type.full_clean()
    activity_type.save(update_fields=list(fields))
    return activity_type


@transaction.atomic
def activity_type_archive(*, organization: Organization, activity_type: ActivityType) -> ActivityType:
    """Hide a type from logging. Types are never deleted: entries and history refer to them."""
    _ensure_in_organization(organization, activity_type)
    activity_type.archived_at = timezone.now()
    activity_type.save(update_fields=["archived_at"])
    return activity_type


@transaction.atomic
def activity_type_unarchive(*, organization: Organization, activity_type: ActivityType) -> ActivityType:
    _ensure_in_organization(organization, activity_type)
    activity_type.archived_at = None
    activity_type.save(update_fields=["archived_at"])
    return activity_type


@transaction.atomic
def activity_type_move(*, organization: Organization, activity_type: ActivityType, offset: int) -> None:
    """Move a type up (-1) or down (+1) past its neighbours of the same category and state.

    The Today page lists activities first, then outcomes, each in the organization's order, and hides
    archived types: moving past a type of another category, or an archived one, would change nothing
    anyone sees, so those are skipped.
    """
    _ensure_in_organization(organization, activity_type)
    ordered = list(
        ActivityType.objects.select_for_update().filter(organization=organization).order_by("position", "pk")
    )
    current = next(t for t in ordered if t.pk == activity_type.pk)
    peers = [t for t in ordered if t.category == current.category and t.is_archived == current.is_archived]
    index = peers.index(current)
    target = max(0, min(len(peers) - 1, index + offset))
    if target == index:
        return
    neighbour = peers[target]
    ordered.remove(current)
    ordered.insert(ordered.index(neighbour) + (1 if target > index else 0), current)
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    ActivityType.objects.bulk_update(changed, ["position"])
    activity_type.position = current.position
