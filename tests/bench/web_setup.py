"""The web benchmark's data and sign-ins: `python -m tests.bench.web_setup OUT_DIR`, run by
tests/bench/test_bench_web.py with DJANGO_SETTINGS_MODULE=salesquota.settings.bench and DATABASE_URL pointing at an
empty database of its own.

It migrates, builds one organization — a manager leading a team of 50 reps, each with a month of activity
(~20 entries a working day, half a day's worth today) and a weekly team plan — signs everyone in (one session per
person, as a browser would hold), checks that every benchmarked page answers 200, and writes for wrk:
`reps.txt` and `manager.txt` (one "sessionid csrftoken rep_id" line per person) and `setup.json` (paths, ids).
"""

import json
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django

REPS = 50
DAYS = 30
ENTRIES_PER_DAY = 20
TYPES = ["outbound_calls", "prospect_emails", "social_contacts", "tasks_submitted", "meetings", "demos"]
SLUG = "bench"


def main(out_dir: Path) -> None:
    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    world = seed()
    seeded = time.perf_counter()
    setup = sign_in_and_check(world, out_dir)
    setup["timings"] = {"migrate_s": migrated - started, "seed_s": seeded - migrated}
    (out_dir / "setup.json").write_text(json.dumps(setup, indent=2))


def seed() -> dict:
    from django.db import connection

    from accounts.models import Membership, User
    from accounts.roles import Role
    from accounts.services import organization_create, team_create
    from activities.models import ActivityEntry, ActivityType
    from quotas.services.periods import periods_ensure
    from quotas.services.plans import LineData, quota_plan_create

    owner = User.objects.create(email=f"owner@{SLUG}.example", first_name="Olga", last_name="Owner", password="!")
    organization = organization_create(
        user=owner, name="Bench Sales", slug=SLUG, time_zone="Europe/Stockholm", week_start=0,
        fiscal_year_start_month=1, language="en", currency="SEK",
    )  # fmt: skip
    today = organization.local_today()
    users = User.objects.bulk_create(
        User(email=f"rep-{n:02}@{SLUG}.example", first_name=f"Rep {n:02}", last_name="Bench", password="!")
        for n in range(REPS)
    )
    manager_user = User.objects.create(email=f"manager@{SLUG}.example", first_name="Maja", last_name="Manager",
                                       password="!")  # fmt: skip
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.REP, employment_start=today - timedelta(days=400))
        for user in users
    )
    manager = Membership.objects.create(organization=organization, user=manager_user, role=Role.MANAGER)
    reps = list(Membership.objects.filter(organization=organization, role=Role.REP).select_related("user"))
    team_create(organization=organization, name="Bench team", managers=[manager], reps=reps)

    types = {t.default_key: t for t in ActivityType.objects.filter(organization=organization)}
    owner_membership = Membership.objects.get(organization=organization, user=owner)
    quota_plan_create(
        organization=organization, actor=owner_membership, name="Weekly activity", period_kind="week",
        scope="organization",
        lines=[LineData(activity_type=types[key], target=Decimal(target), topic="")
               for key, target in (("outbound_calls", 150), ("prospect_emails", 200), ("social_contacts", 50),
                                   ("meetings", 8))],
    )  # fmt: skip
    periods_ensure(organization=organization, start=today - timedelta(days=DAYS), end=today)

    rng = random.Random(7)
    entries = []
    for rep in reps:
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            if back and day.weekday() >= 5:
                continue
            for _n in range(ENTRIES_PER_DAY if back else ENTRIES_PER_DAY // 2):
                entries.append(ActivityEntry(
                    organization=organization, rep=rep, activity_type=types[rng.choice(TYPES)], date=day,
                    quantity=rng.randint(1, 5), entered_by=rep.user,
                ))  # fmt: skip
    ActivityEntry.objects.bulk_create(entries, batch_size=2000)
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum keeps them in production
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"organization": organization, "reps": reps, "manager": manager, "types": types, "entries": len(entries)}


def sign_in_and_check(world: dict, out_dir: Path) -> dict:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    organization = world["organization"]
    today_path = reverse("activities:today", kwargs={"org_slug": organization.slug})
    log_path = reverse("activities:entry-log", kwargs={"org_slug": organization.slug})
    try:
        dashboard_path = reverse("quotas:team-dashboard", kwargs={"org_slug": organization.slug})
    except NoReverseMatch:
        dashboard_path = None  # the dashboard is not part of this checkout: its rows are skipped

    def client_for(membership):
        client = Client(HTTP_HOST="127.0.0.1")  # settings.ALLOWED_HOSTS, not the test client's "testserver"
        client.force_login(membership.user)
        return client

    def check(response, what):
        if response.status_code != 200:
            raise SystemExit(f"web bench setup: {what} answered {response.status_code}, not 200")

    # One GET sets the CSRF cookie; its secret is not tied to a session, so every simulated browser may use it.
    first = client_for(world["reps"][0])
    check(first.get(today_path), "the Today page")
    layout_path = reverse("bench-layout", kwargs={"org_slug": organization.slug})
    check(first.get(layout_path), "the empty page in the site's layout")
    csrftoken = first.cookies["csrftoken"].value
    log_data = {"rep": world["reps"][0].pk, "activity_type": world["types"]["outbound_calls"].pk, "quantity": 1,
                "date": organization.local_today().isoformat()}  # fmt: skip
    check(first.post(log_path, log_data, headers={"HX-Request": "true"}), "the log POST")

    lines = []
    for rep in world["reps"]:
        client = first if rep is world["reps"][0] else client_for(rep)
        lines.append(f"{client.cookies['sessionid'].value} {csrftoken} {rep.pk}")
    (out_dir / "reps.txt").write_text("\n".join(lines) + "\n")
    manager = client_for(world["manager"])
    if dashboard_path:
        check(manager.get(dashboard_path), "the team dashboard")
    (out_dir / "manager.txt").write_text(f"{manager.cookies['sessionid'].value} {csrftoken} 0\n")
    return {
        "reps": len(world["reps"]),
        "entries": world["entries"],
        "today_path": today_path,
        "log_path": log_path,
        "dashboard_path": dashboard_path,
        "minimal_path": reverse("bench-minimal"),
        "layout_path": layout_path,
        "activity_type": world["types"]["outbound_calls"].pk,
        "date": organization.local_today().isoformat(),
    }


if __name__ == "__main__":
    main(Path(sys.argv[1]))
