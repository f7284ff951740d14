"""`make bench`: the nightly close at scale, against one hand-written query. Prints figures; asserts only
that both compute the same actuals.

100 organizations × 100 reps, 6 activity types, one entry per rep, type and day of a month (≈ 1.9
million rows, generated in the database), a monthly plan with 6 lines per organization. Closing every
organization-month through the real service (claim, grouped query, results, summaries, flags, entry lock,
status; the e-mails are a separate task in production and are left out) is compared with one
`INSERT … SELECT … GROUP BY` that computes the same actuals into a table. When the ratio is above the
target, a profile of one organization's close says where the time goes.

PostgreSQL only (the data set is its size); it runs in its own test database (tests/bench/conftest.py).
"""

import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from unittest import mock

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from activities.models import EntryLock
from activities.services.types import activity_types_create_defaults
from quotas import tasks
from quotas.models import Period, PeriodResult, PeriodStatus
from quotas.services.close import organization_close_due, period_close
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create

from ..waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the close benchmark needs PostgreSQL (2 million rows); `make bench` runs it there when it answers",
    ),
]

ORGANIZATIONS, REPS = 100, 100
TYPES = ["outbound_calls", "prospect_emails", "social_contacts", "tasks_submitted", "meetings", "demos"]
TARGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parents[2]
# The month before last: a full month, due everywhere whatever the time of day.
MONTH_END = date.today().replace(day=1) - timedelta(days=1)
MONTH_END = MONTH_END.replace(day=1) - timedelta(days=1)
MONTH = MONTH_END.replace(day=1)

ENTRIES = """
INSERT INTO activities_activityentry (organization_id, rep_id, activity_type_id, date, quantity, note, topic,
                                      contact, source, external_id, entered_by_id, created_at, updated_at)
SELECT m.organization_id, m.id, t.id, d::date, 1 + (m.id * 7 + t.id * 3 + extract(day FROM d)::int) %% 9,
       '', '', '', 'web', NULL, m.user_id, now(), now()
FROM accounts_membership m
JOIN activities_activitytype t ON t.organization_id = m.organization_id AND t.default_key = ANY(%s)
CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS d
WHERE m.organization_id = ANY(%s) AND m.role = 'rep'
"""

# The reference: every rep's actual per type in each organization's month, in one statement.
REFERENCE = """
INSERT INTO bench_close_actuals (period_id, rep_id, activity_type_id, actual)
SELECT p.id, e.rep_id, e.activity_type_id, SUM(e.quantity)
FROM quotas_period p
JOIN activities_activityentry e ON e.organization_id = p.organization_id AND e.date BETWEEN p.start AND p."end"
WHERE p.organization_id = ANY(%s) AND p.kind = 'month' AND p.start = %s
GROUP BY p.id, e.rep_id, e.activity_type_id
"""

DIFFERENCES = """
SELECT count(*) FROM (
    (SELECT period_id, rep_id, activity_type_id, actual FROM bench_close_actuals
     EXCEPT SELECT r.period_id, r.rep_id, l.activity_type_id, r.actual
            FROM quotas_periodresult r JOIN quotas_quotaline l ON l.id = r.line_id WHERE r.period_id = ANY(%s))
    UNION ALL
    (SELECT r.period_id, r.rep_id, l.activity_type_id, r.actual
     FROM quotas_periodresult r JOIN quotas_quotaline l ON l.id = r.line_id WHERE r.period_id = ANY(%s)
     EXCEPT SELECT period_id, rep_id, activity_type_id, actual FROM bench_close_actuals)
) AS differences
"""


def build() -> list[Organization]:
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bench {n:03}", slug=f"bench-{n:03}", time_zone="Europe/Stockholm")
        for n in range(ORGANIZATIONS)
    )
    users = User.objects.bulk_create(
        User(email=f"bench-{n}@example.com", password="!") for n in range(ORGANIZATIONS * (REPS + 1))
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=users[i * (REPS + 1) + n], role=Role.REP if n < REPS else Role.ADMIN)
        for i, organization in enumerate(organizations)
        for n in range(REPS + 1)
    )
    admins = {m.organization_id: m for m in Membership.objects.filter(role=Role.ADMIN).select_related("user")}
    plans_made = datetime.combine(MONTH - timedelta(days=10), time(12), tzinfo=UTC)  # the plans start before it
    with mock.patch.object(timezone, "now", return_value=plans_made):
        for organization in organizations:
            types = {t.default_key: t for t in activity_types_create_defaults(organization=organization)}
            quota_plan_create(
                organization=organization, actor=admins[organization.pk], name="Monthly activity",
                period_kind="month", scope="organization",
                lines=[LineData(activity_type=types[key], target=Decimal(150), topic="") for key in TYPES],
            )  # fmt: skip
            periods_ensure(organization=organization, start=MONTH, end=MONTH_END, kinds=["month"])
    ids = [o.pk for o in organizations]
    with connection.cursor() as cursor:
        cursor.execute(ENTRIES, [TYPES, MONTH, MONTH_END, ids])
        cursor.execute("VACUUM ANALYZE")  # as autovacuum will have done by the time the month closes
        cursor.execute("CREATE TABLE bench_close_actuals (period_id bigint, rep_id bigint, activity_type_id bigint, "
                       "actual numeric)")  # fmt: skip
    return organizations


@pytest.fixture
def organizations():
    started = perf_counter()
    built = build()
    print(f"\nbench close   data: {ORGANIZATIONS} organizations × {REPS} reps, {len(TYPES)} types, "
          f"{entry_count():,} entries, built in {perf_counter() - started:.1f} s")  # fmt: skip
    yield built
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_close_actuals")
    EntryLock.objects.all().delete()  # the trigger refuses to delete locked entries; the rest is truncated


def entry_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activities_activityentry")
        return cursor.fetchone()[0]


def test_bench_close_every_organization_month_against_one_grouped_query(organizations):
    ids = [o.pk for o in organizations]
    with connection.cursor() as cursor:  # warm the cache the same way for both
        cursor.execute("SELECT count(*), sum(quantity) FROM activities_activityentry")
        started = perf_counter()  # the same statement once per organization, each committing (autocommit)
        for organization_id in ids:
            cursor.execute(REFERENCE, [[organization_id], MONTH])
        per_organization_s = perf_counter() - started
        cursor.execute("TRUNCATE bench_close_actuals")
        started = perf_counter()
        cursor.execute(REFERENCE, [ids, MONTH])
        reference_s = perf_counter() - started

    queries_per_period, statements, close_s = [], defaultdict(lambda: [0, 0.0]), 0.0
    with mock.patch.object(tasks.send_close_notifications_task, "delay_on_commit"):  # a separate task
        for organization in organizations:
            with CaptureQueriesContext(connection) as queries:
                started = perf_counter()
                (closed,) = organization_close_due(organization=organization)
                close_s += perf_counter() - started
            queries_per_period.append(len(queries.captured_queries))
            for query in queries.captured_queries:
                statements[statement_kind(query["sql"])][0] += 1
                statements[statement_kind(query["sql"])][1] += float(query["time"])

    periods = list(Period.objects.filter(organization__in=ids, kind="month", start=MONTH).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(DIFFERENCES, [periods, periods])
        assert cursor.fetchone()[0] == 0, "the service and the reference query disagree"
    assert PeriodResult.objects.filter(period__in=periods).count() == ORGANIZATIONS * REPS * len(TYPES)

    reopen_for_another_run(periods)
    pool_s, pool_size = close_through_a_worker_pool(periods)
    with connection.cursor() as cursor:
        cursor.execute(DIFFERENCES, [periods, periods])
        assert cursor.fetchone()[0] == 0, "the worker pool's close and the reference query disagree"

    sql_s = sum(seconds for _count, seconds in statements.values())
    ratio = close_s / reference_s
    print(f"bench close   one hand-written INSERT … SELECT … GROUP BY     {reference_s:7.2f} s")
    if pool_s is not None:
        print(f"bench close   every organization-month as production closes them: beat's sweep task fanning out to "
              f"a celery worker ({pool_size} pool processes) through Redis")  # fmt: skip
        print(f"bench close                                                   {pool_s:7.2f} s  ratio "
              f"{pool_s / reference_s:.2f} (target ≤ {TARGET_RATIO})")  # fmt: skip
    print("bench close   every organization-month through the service, one after another in this process")
    print(f"bench close                                                   {close_s:7.2f} s  ratio {ratio:.2f} "
          f"({close_s / ORGANIZATIONS * 1000:.0f} ms per organization-period)")  # fmt: skip
    print(f"bench close   the same INSERT … SELECT once per organization  {per_organization_s:7.2f} s "
          f"(ratio of the service to it: {close_s / per_organization_s:.2f})")
    print(f"bench close   queries per organization-period: {min(queries_per_period)}–{max(queries_per_period)}")
    print(f"bench close   where the service's time goes: SQL {sql_s:.2f} s (as the database driver saw it), "
          f"Python {close_s - sql_s:.2f} s; statements, all organizations:")
    for kind, (count, seconds) in sorted(statements.items(), key=lambda item: -item[1][1])[:8]:
        print(f"  {seconds:6.2f} s  {count:5} × {kind}")
    if ratio > TARGET_RATIO:
        profile(organizations[0])


REOPEN = [
    "DELETE FROM quotas_flag WHERE period_id = ANY(%s)",
    "DELETE FROM quotas_repperiodsummary WHERE period_id = ANY(%s)",
    "DELETE FROM quotas_periodresult WHERE period_id = ANY(%s)",
    "DELETE FROM quotas_periodclose WHERE period_id = ANY(%s)",
    "UPDATE quotas_period SET status = 'open', closed_at = NULL WHERE id = ANY(%s)",
]


def reopen_for_another_run(periods: list[int]) -> None:
    """The bench's own reset (not the audited reopen): the periods open again, as if never closed."""
    EntryLock.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in REOPEN:
            cursor.execute(statement, [periods])
        cursor.execute("VACUUM ANALYZE")


def close_through_a_worker_pool(periods: list[int]) -> tuple[float | None, int]:
    """Wall time from beat's message (the sweep task, sent to Redis) until every period is closed by a real
    `celery worker` with one pool process per core, as production runs it. (None, 0) without Redis."""
    redis_url = settings.REDIS_TEST_URL
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        print(f"bench close   Redis is not reachable at {redis_url}: the worker-pool figure is skipped")
        return None, 0
    pool_size = os.cpu_count() or 2
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "salesquota.settings.bench", "CELERY_BROKER_URL": redis_url,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log_path = ROOT / "var" / "bench-close-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salesquota", "worker", "--pool=prefork",
             f"--concurrency={pool_size}", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: "ready." in log_path.read_text(), "the worker to start (var/bench-close-worker.log)",
                   timeout=60)  # fmt: skip
        sender = Celery("bench-close", broker=redis_url, set_as_current=False)
        started = perf_counter()
        sender.send_task("quotas.tasks.close_due_periods_task")  # what beat sends every 5 minutes
        open_periods = Period.objects.filter(pk__in=periods).exclude(status=PeriodStatus.CLOSED)
        wait_until(lambda: not open_periods.exists(), "every period to close (var/bench-close-worker.log)", timeout=600,
                   every=0.01)  # fmt: skip
        return perf_counter() - started, pool_size
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def statement_kind(sql: str) -> str:
    """"INSERT quotas_periodresult", "SELECT activities_activityentry", "COMMIT", … for the breakdown."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r"(?:INTO|FROM|UPDATE)\s+\"?(\w+)", sql)
    return f"{verb} {table.group(1)}" if table and verb in {"SELECT", "INSERT", "UPDATE", "DELETE"} else verb


def profile(organization):
    """Where the Python time goes: one organization's close again (a re-close), under cProfile."""
    period = Period.objects.get(organization=organization, kind="month", start=MONTH)
    profiler = cProfile.Profile()
    with mock.patch.object(tasks.send_close_notifications_task, "delay_on_commit"):
        profiler.enable()
        period_close(organization=organization, period=period, reason="bench profile", reclose=True)
        profiler.disable()
    out = io.StringIO()
    shown = rf"({ROOT}/(quotas|activities)/|bulk_create)"
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(shown, 16)
    print("bench close   profile of one organization's re-close (cumulative seconds under cProfile; project code "
          "and the ORM's bulk_create):")  # fmt: skip
    table = out.getvalue()
    print("\n".join(line.replace(str(ROOT) + "/", "") for line in table[table.index("ncalls"):].splitlines() if line))
