"""Entries pushed by integrations through the JSON API: idempotent by external id, a batch all or nothing.

Every new entry goes through `entry_log`, so validation, permissions and the audit trail are exactly the
web's (source "api", history user = the token's owner). `entries_log_many` stops at the first bad row;
an integration needs to hear about every bad item of a batch at once, so each item is logged in its own
savepoint, every refusal is collected with its index, and any refusal rolls the whole batch back.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization

from ..models import ActivityEntry, Source
from ..selectors import entries_by_external_id, entry_external_ids_existing
from .entries import EntryData, entry_log

MAX_BATCH = 1_000


@dataclass(frozen=True)
class EntryPush:
    """One item of a push: whose entry, what, and the caller's id for it (for idempotency)."""

    rep: Membership
    data: EntryData
    external_id: str | None = None


@dataclass(frozen=True)
class PushResult:
    entry: ActivityEntry
    created: bool  # False: an entry with this external id already existed and is returned instead


class PushRejected(Exception):
    """At least one item was refused and nothing was written. `errors` maps item index → the refusal."""

    def __init__(self, errors: dict[int, ValidationError | PermissionDenied]):
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors

    @property
    def forbidden(self) -> bool:
        return any(isinstance(error, PermissionDenied) for error in self.errors.values())


def batch_size_problem(size: int) -> str | None:
    """Why a batch of this many items is refused before looking at them, or None."""
    if size == 0:
        return _("Send at least one entry.")
    if size > MAX_BATCH:
        return _("Send at most %(max)s entries at once.") % {"max": number_format(MAX_BATCH, force_grouping=True)}
    return None


@transaction.atomic
def entries_push(*, organization: Organization, actor: Membership, items: Sequence[EntryPush]) -> list[PushResult]:
    """Log every item as `actor`, or none of them (raises PushRejected with every item's refusal).

    An item whose external id the organization already has returns that entry instead of a second one,
    provided `actor` may read it; an external id used twice in one batch is refused.
    """
    problem = batch_size_problem(len(items))
    if problem:
        raise ValidationError(problem)
    wanted = {item.external_id for item in items if item.external_id}
    known = entries_by_external_id(organization=organization, viewer=actor, external_ids=wanted) if wanted else {}
    unreadable = list(wanted - known.keys())
    taken = entry_external_ids_existing(organization=organization, external_ids=unreadable) if unreadable else set()

    results: list[PushResult] = []
    errors: dict[int, ValidationError | PermissionDenied] = {}
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        external_id = item.external_id
        if external_id:
            if external_id in first_index:
                message = _("Item %(index)s of this batch has the same external id.")
                errors[index] = ValidationError({"external_id": message % {"index": first_index[external_id]}})
                continue
            first_index[external_id] = index
            if external_id in known:
                results.append(PushResult(entry=known[external_id], created=False))
                continue
            if external_id in taken:
                errors[index] = _external_id_taken()
                continue
        try:
            results.append(_log(organization=organization, actor=actor, item=item))
        except (ValidationError, PermissionDenied) as error:
            errors[index] = error
    if errors:
        raise PushRejected(errors)  # leaving the atomic block by an exception rolls back every entry of the batch
    return results


def _log(*, organization: Organization, actor: Membership, item: EntryPush) -> PushResult:
    try:
        entry = entry_log(
            organization=organization,
            actor=actor,
            rep=item.rep,
            data=item.data,
            source=Source.API,
            external_id=item.external_id,
        )
    except IntegrityError:
        # A concurrent request logged the same external id after it was looked up: answer like a retry.
        # (entry_log's own savepoint has undone the failed insert; the batch's transaction goes on.)
        if not item.external_id:
            raise
        existing = entries_by_external_id(organization=organization, viewer=actor, external_ids=[item.external_id])
        if item.external_id in existing:
            return PushResult(entry=existing[item.external_id], created=False)
        if entry_external_ids_existing(organization=organization, external_ids=[item.external_id]):
            raise _external_id_taken() from None
        raise
    return PushResult(entry=entry, created=True)


def _external_id_taken() -> ValidationError:
    return ValidationError({"external_id": _("This external id is already used by another entry.")})
