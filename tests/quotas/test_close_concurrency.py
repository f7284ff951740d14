"""Two workers close the same organization-period at the same moment: one result set, no error escapes.

Real concurrency needs real row locks, so this runs on PostgreSQL only (`make test` runs the suite on both
databases). Each thread has its own database connection (Django's connections are per thread) and closes it
at the end; a barrier releases both right before the close.
"""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction

from accounts.roles import Role
from activities.models import ActivityEntry, EntryLock
from quotas.models import Flag, Notification, Period, PeriodClose, PeriodResult, PeriodStatus, RepPeriodSummary
from quotas.services import close as close_service
from quotas.services.close import period_close_attempt
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory
from .conftest import WEEK_START

# Applied to the tests with two threads (transactional: each thread commits through its own connection).
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two workers at once need PostgreSQL's row locks; the SQLite run covers the one-current-close "
    "constraint instead (test_the_one_current_close_constraint_lets_only_the_first_closer_commit), and "
    "`make test` runs this file again on PostgreSQL",
)

LAST_WEEK = WEEK_START - timedelta(days=7)
WAIT = 20  # seconds: no wait in these tests is unbounded


@pytest.fixture
def last_week(org_a, make_plan, employed, locks_lifted_before_flush):
    """A due week with a weekly plan, a few reps and their entries."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK)
    periods_ensure(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6), kinds=["week"])
    others = MembershipFactory.create_batch(3, organization=org_a.organization, role=Role.REP, team=org_a.team)
    reps = [employed, *others]
    for n, rep in enumerate(reps):
        ActivityEntry.objects.create(organization=org_a.organization, rep=rep, activity_type=org_a.types["meetings"],
                                     quantity=n + 1, date=LAST_WEEK, entered_by=rep.user)  # fmt: skip
    yield Period.objects.get(organization=org_a.organization, kind="week", start=LAST_WEEK)


def close_in_two_threads(organization, period) -> list:
    """Both threads wait at the barrier, then close at once; returns what each returned (or raised)."""
    barrier = threading.Barrier(2, timeout=WAIT)
    outcomes = [None, None]

    def close(index):
        try:
            barrier.wait()
            outcomes[index] = period_close_attempt(organization=organization, period=period)
        except Exception as error:  # noqa: BLE001 — the test asserts that nothing escapes
            outcomes[index] = error
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=close, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a close hung"
    return outcomes


def assert_closed_exactly_once(period, outcomes):
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    assert sum(o is not None for o in outcomes) == 1, outcomes
    period.refresh_from_db()
    assert (period.status, period.close_attempts, period.last_error) == (PeriodStatus.CLOSED, 0, "")
    (period_close,) = PeriodClose.objects.filter(period=period)
    assert period_close.number == 1 and period_close.superseded_at is None
    results = PeriodResult.objects.filter(period=period)
    assert results.count() == 4 * 2  # one set: 4 reps × 2 lines
    assert set(results.values_list("period_close", flat=True)) == {period_close.pk}
    assert RepPeriodSummary.objects.filter(period=period).count() == 4
    assert Flag.objects.filter(period=period).exclude(period_close=period_close).count() == 0
    assert EntryLock.objects.filter(start_date=period.start, end_date=period.end).count() == 1
    # However many notifications the close sends, each person gets each one once.
    notifications = list(Notification.objects.filter(period=period).values_list("recipient", "kind"))
    assert len(notifications) == len(set(notifications))
    sent = [(tuple(message.to), message.subject) for message in mail.outbox]
    assert len(sent) == len(set(sent))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_close_is_idempotent_under_two_workers_with_row_locks(org_a, last_week):
    """The loser finds the period row locked (skip_locked) or already closed: it returns None."""
    claims = []
    claimed = threading.Event()
    real_claim = close_service._claim

    def claim_and_hold(*, period_id):
        period = real_claim(period_id=period_id)
        claims.append(period)
        if period is not None:
            claimed.wait(timeout=WAIT)  # hold the row lock until the other worker has tried to claim it
        claimed.set()
        return period

    with mock.patch.object(close_service, "_claim", side_effect=claim_and_hold):
        outcomes = close_in_two_threads(org_a.organization, last_week)
    assert sum(claim is None for claim in claims) == 1, "both workers held the period at once"
    assert_closed_exactly_once(last_week, outcomes)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_close_is_idempotent_under_two_workers_without_row_locks(org_a, last_week):
    """Without the row lock (as on a database that has none), the one-current-close constraint decides:
    both read the period as open, the second insert waits for the first transaction and fails, and
    period_close_attempt answers None for it."""
    both_read = threading.Barrier(2, timeout=WAIT)
    real_reps_of_period = close_service._reps_of_period

    def claim_without_lock(*, period_id):
        period = Period.objects.select_related("organization").filter(pk=period_id).first()
        period.last_close_number = None  # what the real claim annotates: no close yet
        both_read.wait()  # neither has written anything yet: both go on to close
        return period

    def reps_once_the_other_waits(**kwargs):
        # The first closer has inserted its close; it commits only once the second one waits for it.
        deadline = time.monotonic() + WAIT
        while not other_transaction_waits() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real_reps_of_period(**kwargs)

    raised = []
    real_period_close = close_service.period_close

    def period_close(**kwargs):
        try:
            return real_period_close(**kwargs)
        except Exception as error:
            raised.append(error)
            raise

    with (
        mock.patch.object(close_service, "_claim", side_effect=claim_without_lock),
        mock.patch.object(close_service, "_reps_of_period", side_effect=reps_once_the_other_waits),
        mock.patch.object(close_service, "period_close", side_effect=period_close),
    ):
        outcomes = close_in_two_threads(org_a.organization, last_week)
    assert [type(error) for error in raised] == [IntegrityError], "the second closer did not hit the constraint"
    assert_closed_exactly_once(last_week, outcomes)


def other_transaction_waits() -> bool:
    """Whether some session of this database waits for a lock (pg_locks is live, not a snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND pid IN "
            "(SELECT pid FROM pg_stat_activity WHERE datname = current_database()))"
        )
        return cursor.fetchone()[0]


def test_the_one_current_close_constraint_lets_only_the_first_closer_commit(org_a, last_week):
    """What decides when there are no row locks: a second closer that did not see the first one's close
    cannot commit a second current close, and period_close_attempt answers None without counting a failure."""
    winner = period_close_attempt(organization=org_a.organization, period=last_week)

    @transaction.atomic
    def blind_close(*, organization, period):  # as if it had read the period before the winner committed
        PeriodClose.objects.create(organization=organization, period=period, number=winner.number + 1)

    with mock.patch.object(close_service, "period_close", side_effect=blind_close):
        assert period_close_attempt(organization=org_a.organization, period=last_week) is None
    assert_closed_exactly_once(last_week, [winner, None])
