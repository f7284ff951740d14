"""Kill -9 in the middle of a close: a pool child, then the main worker; a new worker finishes the job.

Real processes: Redis (REDIS_TEST_URL, flushed), a real `celery worker --pool=prefork --concurrency=2`
against the committed test database. The worker is the application's own, plus tests/integration/slow_close.py
(a close that sleeps inside its transaction, and a visibility timeout of seconds). The sweep fans out one
task per due organization-period; the test kills a pool child while it is inside a close (its message is
rejected back to the queue: acks_late + reject_on_worker_lost), then the main worker while another close is
running (its unacknowledged messages come back after the visibility timeout), starts a second worker, and
checks that every due period ends closed exactly once, with results equal to one hand-written SQL query.

Every wait is bounded; only processes this test started are killed (checked by parent pid).
"""

import os
import random
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Period, PeriodClose, PeriodResult, PeriodStatus, QuotaPlanVersion
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from .. import waiting
from ..factories import MembershipFactory
from .test_celery_worker import process_env, redis_url  # noqa: F401 — fixtures shared with the worker test

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 6  # seconds, for this test's broker connection only
CLOSE_SECONDS = 1.5  # how long each close of the first worker sleeps inside its transaction
WAIT = 60  # the bound of every wait
wait_until = partial(waiting.wait_until, timeout=WAIT)
# Every Redis key of this run starts with this: another test run on the same Redis meets none of its messages.
KEY_PREFIX = f"kill-test-{uuid.uuid4().hex[:8]}:"

pytestmark = pytest.mark.django_db(transaction=True)

REFERENCE = """
SELECT p.id, e.rep_id, e.activity_type_id, SUM(e.quantity)
FROM quotas_period p
JOIN activities_activityentry e ON e.organization_id = p.organization_id AND e.date BETWEEN p.start AND p."end"
WHERE p.id IN ({ids})
GROUP BY p.id, e.rep_id, e.activity_type_id
"""


def plan(org, *, kind, lines, effective_from):
    created = quota_plan_create(
        organization=org.organization, actor=org.admin, name=f"{kind} plan", period_kind=kind, scope="organization",
        lines=[LineData(activity_type=org.types[key], target=Decimal(n), topic="") for key, n in lines.items()],
    )  # fmt: skip
    QuotaPlanVersion.objects.filter(plan=created).update(effective_from=effective_from)


@pytest.fixture
def due_periods(org_a, org_b, locks_lifted_before_flush):
    """Two organizations, each with six reps, a weekly and a daily plan and a week of entries, two weeks ago
    (due whatever the time of day): 16 periods (7 days and a week each) for the sweep to fan out."""
    rng = random.Random(5)
    periods = []
    for org in (org_a, org_b):
        today = org.organization.local_today()
        monday = today - timedelta(days=today.weekday() + 14)
        plan(org, kind="week", lines={"outbound_calls": 40, "meetings": 4}, effective_from=monday)
        plan(org, kind="day", lines={"outbound_calls": 8}, effective_from=monday)
        periods_ensure(organization=org.organization, start=monday, end=monday + timedelta(days=6),
                       kinds=["day", "week"])  # fmt: skip
        others = MembershipFactory.create_batch(5, organization=org.organization, role=Role.REP, team=org.team)
        reps = [org.rep, *others]
        ActivityEntry.objects.bulk_create(
            ActivityEntry(organization=org.organization, rep=rep, activity_type=org.types[key],
                          quantity=rng.randint(1, 9), date=monday + timedelta(days=day), entered_by=rep.user)
            for rep in reps for day in range(7) for key in ("outbound_calls", "meetings", "prospect_emails")
            if rng.random() < 0.8
        )  # fmt: skip
        periods += Period.objects.filter(organization=org.organization)
    assert len(periods) == 16
    yield periods


class Workers:
    """The worker processes this test started, and their pool children; stops all of them at the end."""

    def __init__(self, env, tmp_path):
        self.env, self.tmp_path, self.started, self.children = env, tmp_path, [], set()

    def start(self, name: str, close_seconds: float = 0) -> subprocess.Popen:
        env = {**self.env, "KILL_TEST_CLOSE_SECONDS": str(close_seconds)}
        log = (self.tmp_path / f"{name}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salesquota", "worker", "--pool=prefork", "--concurrency=2",
             "--include", "tests.integration.slow_close", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO", "--hostname", f"{name}@kill-test"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.started.append(worker)
        wait_until(lambda: "ready." in (self.tmp_path / f"{name}.log").read_text(), f"{name} to start")
        self.children |= self.children_of(worker)
        return worker

    def children_of(self, worker) -> set[int]:
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == worker.pid:
                pids.add(int(stat.parent.name))
        return pids

    def kill_child(self, worker, pid: int) -> None:
        assert pid in self.children_of(worker), f"{pid} is not a pool child of the worker this test started"
        os.kill(pid, signal.SIGKILL)

    def kill_main(self, worker) -> None:
        self.children |= self.children_of(worker)  # orphans from now on: stopped at the end
        worker.kill()
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                self.children |= self.children_of(worker)
                worker.kill()
                worker.wait(timeout=10)
        for pid in self.children:
            try:
                if b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes():  # still ours, not a reused pid
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(self.tmp_path.glob("*.log")))


@pytest.fixture
def workers(process_env, tmp_path):  # noqa: F811
    markers = tmp_path / "markers"
    markers.touch()
    env = {**process_env, "KILL_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "KILL_TEST_MARKERS": str(markers),
           "KILL_TEST_KEY_PREFIX": KEY_PREFIX}  # fmt: skip
    started = Workers(env, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        keys = redis.Redis.from_url(process_env["CELERY_BROKER_URL"])
        for key in keys.scan_iter(f"{KEY_PREFIX}*"):
            keys.delete(key)


def markers(tmp_path, after: int = 0) -> list[tuple[int, int]]:
    """(pid, period id) of every close that went to sleep, from line `after` on."""
    lines = (tmp_path / "markers").read_text().splitlines()[after:]
    return [tuple(map(int, line.split())) for line in lines]


def reference_actuals(period_ids) -> dict[tuple[int, int, int], Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE.format(ids=", ".join(str(int(pk)) for pk in period_ids)))
        return {(period, rep, activity_type): Decimal(total) for period, rep, activity_type, total in cursor.fetchall()}


def test_every_due_period_closes_exactly_once_when_workers_are_killed_mid_close(
    due_periods, workers, redis_url, tmp_path  # noqa: F811
):
    first = workers.start("first", close_seconds=CLOSE_SECONDS)
    broker = Celery("kill-test", broker=redis_url, set_as_current=False)
    broker.conf.broker_transport_options = {"global_keyprefix": KEY_PREFIX}
    broker.send_task("quotas.tasks.close_due_periods_task")  # what beat sends every 5 minutes

    # A pool child in the middle of a close: its transaction dies with it, its message is rejected back.
    (child, _period), *_ = wait_until(lambda: markers(tmp_path), "a close to start")
    seen = len(markers(tmp_path))
    workers.kill_child(first, child)
    # Then the main worker, while another close runs.
    wait_until(lambda: [m for m in markers(tmp_path, seen) if m[0] != child], "another close to start")
    workers.kill_main(first)

    workers.start("second")  # not slowed down
    ids = [p.pk for p in due_periods]
    queue = redis.Redis.from_url(redis_url)
    try:
        wait_until(lambda: Period.objects.filter(pk__in=ids, status=PeriodStatus.CLOSED).count() == len(ids),
                   "every period to be closed")  # fmt: skip
        # Nothing left to deliver: no message waiting, none held unacknowledged (a duplicate would show here).
        wait_until(lambda: not queue.llen(f"{KEY_PREFIX}celery") and not queue.hlen(f"{KEY_PREFIX}unacked"),
                   "the queue to drain")  # fmt: skip
    except AssertionError:
        print(workers.logs())
        raise

    # The second worker got the messages the first one held when it died (after the visibility timeout).
    assert "close_period_task" in (tmp_path / "second.log").read_text()
    closes = defaultdict(list)
    for period_close in PeriodClose.objects.filter(period__in=ids):
        closes[period_close.period_id].append(period_close)
    assert {pk: len(closes[pk]) for pk in ids} == {pk: 1 for pk in ids}, "a period was closed twice, or never"
    assert all(c.number == 1 and c.superseded_at is None for (c,) in closes.values())
    assert set(Period.objects.filter(pk__in=ids).values_list("close_attempts", "last_error")) == {(0, "")}

    # The frozen results are what one hand-written query over the entries gives.
    kind = dict(Period.objects.filter(pk__in=ids).values_list("pk", "kind"))
    planned = {("week", "outbound_calls"), ("week", "meetings"), ("day", "outbound_calls")}
    results = PeriodResult.objects.filter(period__in=ids).values_list(
        "period_id", "rep_id", "line__activity_type_id", "line__activity_type__default_key", "actual"
    )
    stored, type_key = {}, {}
    for period, rep, activity_type, key, actual in results:
        assert (kind[period], key) in planned
        stored[period, rep, activity_type] = actual
        type_key[activity_type] = key
    reps = {rep for _period, rep, _type in stored}
    assert len(reps) == 12 and len(stored) == 12 * (7 * 1 + 1 * 2)  # 7 days × 1 line, 1 week × 2 lines
    expected = {
        key: total for key, total in reference_actuals(ids).items()
        if key[1] in reps and (kind[key[0]], type_key.get(key[2])) in planned
    }  # fmt: skip
    assert {key: actual for key, actual in stored.items() if actual} == expected
