"""Logging, changing and removing entries. Every write is validated here and audited by simple-history."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Membership, Organization
from accounts.roles import Role

from ..models import ENTRY_LOCKED_MARKER, MAX_COUNT, MAX_MONEY, ActivityEntry, ActivityType, Source
from ..selectors import last_entry_by, rep_ids_loggable_by, rep_may_be_logged_by
from .locks import LockedDates, date_is_locked, locked_dates

# Entries per INSERT when logging many (SQLite lowers it further to its limit of query parameters).
BULK_BATCH_SIZE = 1_000

# Days the app accepts at all, for entries and leave. Python's dates run from year 1 to 9999, but a week or a month
# around year 9999 does not fit in them; these bounds keep absurd input out of the period arithmetic with a message.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def day_out_of_range_message() -> str:
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST_DAY), "last": date_format(LATEST_DAY)
    }  # fmt: skip


def check_day_in_range(day: date, *, field: str = "date") -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError({field: day_out_of_range_message()})


class EntryLockedError(ValidationError):
    """The entry's date is in a closed (locked) period."""


def locked_message(day: date) -> str:
    return _(
        "%(date)s is in a closed period: its entries can no longer change. Ask your manager for a correction."
    ) % {"date": date_format(day, "DATE_FORMAT")}


@contextmanager
def _translate_lock_violation(day: date):
    """Turn the trigger's refusal into the same message the services give before writing."""
    try:
        yield
    except IntegrityError as error:
        if ENTRY_LOCKED_MARKER in str(error):
            raise EntryLockedError(locked_message(day)) from error
        raise


def normalize_topic(topic: str) -> str:
    """Topics are tags: compared and stored lower-case with single spaces ("Retirement  Planning" = "retirement planning")."""
    return " ".join(topic.split()).lower()


def clean_quantity(*, activity_type: ActivityType, quantity) -> Decimal:
    """Counts are whole numbers 1..10,000; money is positive with at most 2 decimals.

    Swedish input is accepted: a decimal comma, and spaces (also non-breaking) between thousands: "1 250,50".
    """
    try:
        value = Decimal("".join(str(quantity).split()).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": _("Enter a number.")}) from None
    if not value.is_finite():
        raise ValidationError({"quantity": _("Enter a number.")})
    if activity_type.is_money:
        if value <= 0 or value > MAX_MONEY:
            raise ValidationError({"quantity": _("Enter an amount above 0 and at most 1,000,000,000.")})
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError({"quantity": _("Use at most 2 decimals.")})
        return value.quantize(Decimal("0.01"))
    if value != value.to_integral_value():
        raise ValidationError({"quantity": _("Enter a whole number.")})
    if not 1 <= value <= MAX_COUNT:
        raise ValidationError({"quantity": _("Enter a whole number from 1 to 10,000.")})
    return value.quantize(Decimal("1"))


def check_date(
    *,
    organization: Organization,
    rep: Membership,
    day: date,
    today: date | None = None,
    locked: LockedDates | None = None,
) -> None:
    """A day can be logged when it is not in the future (organization's time zone), within the rep's
    employment, and not in a closed period.

    A caller checking many entries (the import) passes the organization's `today` and its `locked` dates,
    loaded once, instead of a query per entry.
    """
    check_day_in_range(day)
    if day > (today or organization.local_today()):
        raise ValidationError({"date": _("You cannot log activity for a future day.")})
    if rep.employment_start and day < rep.employment_start:
        raise ValidationError(
            {"date": _("%(date)s is before the employment start.") % {"date": date_format(day, "DATE_FORMAT")}}
        )
    if rep.employment_end and day > rep.employment_end:
        raise ValidationError(
            {"date": _("%(date)s is after the employment end.") % {"date": date_format(day, "DATE_FORMAT")}}
        )
    if (day in locked) if locked is not None else date_is_locked(organization=organization, day=day):
        raise EntryLockedError({"date": locked_message(day)})


def _check_may_log(*, organization: Organization, actor: Membership, rep: Membership) -> None:
    if rep.organization_id != organization.pk or rep.role != Role.REP or not rep.is_active:
        raise ValidationError(_("That sales rep does not exist."))
    if not rep_may_be_logged_by(actor=actor, rep=rep):
        raise PermissionDenied(_("You cannot log activity for this rep."))


def _check_type(*, organization: Organization, activity_type: ActivityType) -> None:
    if activity_type.organization_id != organization.pk or activity_type.is_archived:
        raise ValidationError({"activity_type": _("That activity type does not exist.")})


@dataclass(frozen=True)
class EntryData:
    """The user-supplied part of an entry, as forms, the import and the API pass it."""

    activity_type: ActivityType
    date: date
    quantity: Decimal | int | str
    note: str = ""
    topic: str = ""
    contact: str = ""


def _build(*, organization, actor, rep, data: EntryData, source, external_id=None) -> ActivityEntry:
    _check_may_log(organization=organization, actor=actor, rep=rep)
    _check_type(organization=organization, activity_type=data.activity_type)
    return entry_build(
        organization=organization, actor=actor, rep=rep, data=data, source=source, external_id=external_id
    )


def entry_build(
    *,
    organization: Organization,
    actor: Membership,
    rep: Membership,
    data: EntryData,
    source: str,
    external_id: str | None = None,
    today: date | None = None,
    locked: LockedDates | None = None,
) -> ActivityEntry:
    """An unsaved, validated entry (quantity, date, texts) for a rep and an active type of the organization
    that the caller has already checked (`_build` does; logging many checks them against lists loaded once).
    Runs no query when `today` and `locked` are given (see `check_date`).

    The other fields come from code, not from users, so the model's full_clean() is not run: it would add a
    query per entry (the quantity constraint, which clean_quantity() and the database already enforce).
    """
    quantity = clean_quantity(activity_type=data.activity_type, quantity=data.quantity)
    check_date(organization=organization, rep=rep, day=data.date, today=today, locked=locked)
    return ActivityEntry(
        organization=organization,
        rep=rep,
        date=data.date,
        activity_type=data.activity_type,
        quantity=quantity,
        source=source,
        entered_by=actor.user,
        **clean_texts(note=data.note, topic=data.topic, contact=data.contact, external_id=external_id),
    )


def clean_texts(*, note: str = "", topic: str = "", contact: str = "", external_id: str | None = None) -> dict:
    """An entry's texts tidied (the topic normalized, the others stripped) and within the model's lengths."""
    texts = {
        "note": note.strip(),
        "topic": normalize_topic(topic),
        "contact": contact.strip(),
        "external_id": (external_id or "").strip() or None,
    }
    errors = {}
    for name, value in texts.items():
        if value:
            try:
                ActivityEntry._meta.get_field(name).run_validators(value)
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return texts


@transaction.atomic
def entry_log(
    *,
    organization: Organization,
    actor: Membership,
    rep: Membership,
    data: EntryData,
    source: str = Source.WEB,
    external_id: str | None = None,
    change_reason: str = "",
) -> ActivityEntry:
    """Record that `rep` did `data.quantity` of a type on a day; `actor` is the rep or their manager.

    `change_reason` replaces the channel in the audit trail when a workflow says why (an approved correction)."""
    entry = _build(organization=organization, actor=actor, rep=rep, data=data, source=source, external_id=external_id)
    _audit(entry, actor=actor, via=source, reason=change_reason)
    with _translate_lock_violation(entry.date):
        entry.save()
    return entry


@transaction.atomic
def entries_log_many(
    *, organization: Organization, actor: Membership, rows: list[tuple[Membership, EntryData, str | None]], source: str
) -> list[ActivityEntry]:
    """Log many entries at once (import, API batch): all of them, or — on any error — none.

    The rules of `entry_log`, in a number of queries that does not grow with the rows (50,000 for an
    import): who may be logged for, today and the locked dates are loaded once, then the entries and their
    history rows are inserted in batches. The lock trigger still guards every inserted row.
    """
    if not rows:
        return []
    loggable = rep_ids_loggable_by(organization=organization, actor=actor)
    days = [data.date for _, data, _ in rows]
    today = organization.local_today()
    locked = locked_dates(organization=organization, start=min(days), end=max(days))
    entries = []
    for rep, data, external_id in rows:
        if not (actor.is_active and rep.pk in loggable):
            _check_may_log(organization=organization, actor=actor, rep=rep)  # raises the precise refusal
        _check_type(organization=organization, activity_type=data.activity_type)
        entry = entry_build(
            organization=organization,
            actor=actor,
            rep=rep,
            data=data,
            source=source,
            external_id=external_id,
            today=today,
            locked=locked,
        )
        _audit(entry, actor=actor, via=source)
        entries.append(entry)
    try:
        bulk_create_with_history(entries, ActivityEntry, batch_size=BULK_BATCH_SIZE, default_user=actor.user)
    except IntegrityError as error:
        if ENTRY_LOCKED_MARKER in str(error):
            raise EntryLockedError(
                _("A period closed while these entries were being logged. Nothing was logged; check them again.")
            ) from error
        if "external_id" in str(error):
            raise ValidationError(
                _(
                    "Some of these entries were logged meanwhile (same external id). "
                    "Nothing was logged; check them again."
                )
            ) from error
        raise
    return entries


# simple-history's change reason column (history_change_reason) holds at most this many characters.
CHANGE_REASON_MAX = 100


def _audit(entry: ActivityEntry, *, actor: Membership, via: str, reason: str = "") -> None:
    """Tell simple-history who makes the next write and through which channel (web, import, api) — or,
    when a workflow gives one, why (e.g. "Correction #12: …"; see selectors.entry_history)."""
    entry._history_user = actor.user
    entry._change_reason = reason.strip()[:CHANGE_REASON_MAX] or via


def _check_may_change(*, organization: Organization, actor: Membership, entry: ActivityEntry) -> None:
    if entry.organization_id != organization.pk:
        raise ValidationError(_("That entry does not exist."))
    if not rep_may_be_logged_by(actor=actor, rep=entry.rep):
        raise PermissionDenied(_("You cannot change this entry."))
    if date_is_locked(organization=organization, day=entry.date):
        raise EntryLockedError(locked_message(entry.date))


@transaction.atomic
def entry_update(
    *,
    organization: Organization,
    actor: Membership,
    entry: ActivityEntry,
    data: EntryData,
    via: str = Source.WEB,
    change_reason: str = "",
) -> ActivityEntry:
    """Correct an entry of an open period (type, day, quantity, note, topic, contact)."""
    _check_may_change(organization=organization, actor=actor, entry=entry)
    _check_type(organization=organization, activity_type=data.activity_type)
    entry.quantity = clean_quantity(activity_type=data.activity_type, quantity=data.quantity)
    check_date(organization=organization, rep=entry.rep, day=data.date)
    entry.activity_type = data.activity_type
    entry.date = data.date
    entry.note = data.note.strip()
    entry.topic = normalize_topic(data.topic)
    entry.contact = data.contact.strip()
    entry.full_clean(exclude=["organization", "rep", "activity_type", "entered_by"], validate_unique=False)
    _audit(entry, actor=actor, via=via, reason=change_reason)
    with _translate_lock_violation(entry.date):
        entry.save()
    return entry


@transaction.atomic
def entry_delete(*, organization: Organization, actor: Membership, entry: ActivityEntry, via: str = Source.WEB) -> None:
    """Remove an entry of an open period. Its history (and this deletion) stays in the audit trail."""
    _check_may_change(organization=organization, actor=actor, entry=entry)
    _audit(entry, actor=actor, via=via)
    with _translate_lock_violation(entry.date):
        entry.delete()


@transaction.atomic
def entry_undo_last(*, organization: Organization, actor: Membership, rep: Membership) -> ActivityEntry | None:
    """Delete the most recent entry `actor` made for `rep` (the Today page's Undo). None when there is none."""
    last = last_entry_by(organization=organization, actor=actor, rep=rep)
    if last is None:
        return None
    entry_delete(organization=organization, actor=actor, entry=last)
    return last
