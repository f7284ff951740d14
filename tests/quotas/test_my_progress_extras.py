"""The progress page below the current progress: streaks, the week at a glance, the rep's own flags with a
reply form, the latest closed results and their trend; queries that do not grow with the rep's history."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Flag, FlagComment, FlagKind, Holiday, HolidayKind, Leave, LeaveStatus, Period
from quotas.selectors.reps import Streak
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure
from quotas.views.progress_extras import streak_text

from ..factories import MembershipFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
WEEKS_AGO = {n: WEEK_START - timedelta(days=7 * n) for n in range(1, 8)}


def add(org, rep, type_key, quantity, day):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


def progress_url(org, **query):
    url = reverse("quotas:my-progress", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section(html, name):
    match = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    return match.group(0) if match else None


def days(html):
    """The week strip's days: (text without tags, the <li>'s classes, whether it is aria-current)."""
    items = re.findall(r'<li class="week-day([^"]*)"([^>]*)>(.*?)</li>\s*(?=<li class="week-day|</ol>)',
                       section(html, "week"), re.S)  # fmt: skip
    return [(" ".join(re.sub(r"<[^>]+>", " ", body).split()), classes.split(), "aria-current" in attrs)
            for classes, attrs, body in items]  # fmt: skip


@pytest.fixture
def weekly(org_a, make_plan, employed):
    """A weekly plan (10 calls) that has applied for weeks, and the periods of the last seven weeks."""
    plan = make_plan(org_a, lines={"outbound_calls": 10}, kind="week")
    plan.versions.update(effective_from=WEEKS_AGO[7])
    periods_ensure(organization=org_a.organization, start=WEEKS_AGO[7], end=WEEK_START + timedelta(days=6),
                   kinds=["week"])  # fmt: skip
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


def close(org, weeks, *starts):
    for start in starts:
        period_close(organization=org.organization, period=weeks[start])


# The week at a glance ------------------------------------------------------------------------------


def test_the_week_strip_shows_each_day_with_its_totals_days_off_and_today(client, org_a, employed):
    monday = WEEK_START
    add(org_a, employed, "outbound_calls", 3, monday)
    add(org_a, employed, "outbound_calls", 4, monday)
    add(org_a, employed, "meetings", 1, monday)
    add(org_a, employed, "demos", 2, TODAY)  # Wednesday
    add(org_a, employed, "outbound_calls", 9, monday - timedelta(days=1))  # last week: not shown
    Holiday.objects.create(organization=org_a.organization, date=monday + timedelta(days=3), name="Company day",
                           kind=HolidayKind.COMPANY)  # fmt: skip
    Leave.objects.create(organization=org_a.organization, rep=employed, start=monday + timedelta(days=4),
                         end=monday + timedelta(days=4), status=LeaveStatus.APPROVED)  # fmt: skip
    client.force_login(employed.user)
    strip = days(client.get(progress_url(org_a)).content.decode())
    assert len(strip) == 7
    texts = [text for text, _classes, _current in strip]
    assert texts[0] == "Mon 23 Nov Outbound calls 7 Meetings 1"
    assert texts[1] == "Tue 24 Nov Nothing logged"
    assert texts[2] == "Wed 25 Nov Today Demos 2"
    assert texts[3:] == ["Thu 26 Nov Company day", "Fri 27 Nov Leave", "Sat 28 Nov Day off", "Sun 29 Nov Day off"]
    assert [current for _text, _classes, current in strip] == [False, False, True, False, False, False, False]
    assert ["off" in classes for _text, classes, _current in strip] == [False] * 3 + [True] * 4
    assert ["future" in classes for _text, classes, _current in strip] == [False] * 3 + [True] * 4


def test_the_week_strip_follows_the_organizations_week_start(client, org_a, employed):
    Organization.objects.filter(pk=org_a.organization.pk).update(week_start=6)  # Sunday
    add(org_a, employed, "outbound_calls", 5, date(2026, 11, 22))  # Sunday: this week now
    client.force_login(employed.user)
    strip = days(client.get(progress_url(org_a)).content.decode())
    assert strip[0][0] == "Sun 22 Nov Day off Outbound calls 5" and strip[-1][0].startswith("Sat 28 Nov")


# Streaks, closed results, trend --------------------------------------------------------------------


def test_streak_closed_results_and_trend(client, org_a, weekly, employed):
    for weeks_ago, calls in ((3, 4), (2, 11), (1, 15)):
        add(org_a, employed, "outbound_calls", calls, WEEKS_AGO[weeks_ago])
    close(org_a, weekly, WEEKS_AGO[3], WEEKS_AGO[2], WEEKS_AGO[1])
    client.force_login(employed.user)
    html = client.get(progress_url(org_a)).content.decode()
    streaks = re.search(r'<ul class="streaks".*?</ul>', html, re.S).group(0)
    assert "Week" in streaks and "Plan met 2 weeks in a row" in streaks and "streak-met" in streaks
    assert html.index('class="streaks"') < html.index('id="progress-week"') < html.index('id="week"')  # calm order

    closed = section(html, "closed")
    row = re.search(r'<th scope="row">Outbound calls</th>.*?</tr>', closed, re.S).group(0)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["4 / 10 Below minimum", "11 / 10 Met", "15 / 10 Exceeded"]
    assert 'href="?trend=week#trend"' in closed and "Trend of the last 3 closed periods" in closed
    trend = section(html, "trend")
    assert trend.count('<circle class="point') == 3 and trend.count('<circle class="point below"') == 1


def test_a_plan_not_met_last_week_says_so(client, org_a, weekly, employed):
    add(org_a, employed, "outbound_calls", 12, WEEKS_AGO[2])
    close(org_a, weekly, WEEKS_AGO[2], WEEKS_AGO[1])
    client.force_login(employed.user)
    html = client.get(progress_url(org_a)).content.decode()
    assert "Plan not met last week" in re.search(r'<ul class="streaks".*?</ul>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("plan_met", "streak", "text", "css"),
    [(None, 0, "No target last week", ""), (None, 3, "Plan met 3 weeks in a row", "streak-met"),
     (False, 0, "Plan not met last week", "streak-missed")],
)  # fmt: skip
def test_a_week_without_a_target_says_so_or_keeps_the_streak(plan_met, streak, text, css):
    item = Streak(kind="week", period=Period(kind="week", start=WEEK_START, end=WEEK_START), plan_met=plan_met,
                  streak=streak)  # fmt: skip
    assert streak_text(item) == text
    html = render_to_string("quotas/partials/_streaks.html", {"streaks": [(item, text)]})
    assert re.search(r'<li class="streak ?([\w-]*)">', html).group(1) == css


def test_without_closed_results_there_is_no_streak_table_or_trend(client, org_a, weekly, employed):
    client.force_login(employed.user)
    html = client.get(progress_url(org_a)).content.decode()
    assert 'class="streaks"' not in html and section(html, "closed") is None and section(html, "trend") is None
    assert section(html, "week") is not None


# Flags ---------------------------------------------------------------------------------------------


def test_the_rep_responds_to_an_own_flag_from_the_progress_page(client, org_a, weekly, employed):
    add(org_a, employed, "outbound_calls", 4, WEEKS_AGO[1])
    close(org_a, weekly, WEEKS_AGO[1])
    flag = Flag.objects.get(rep=employed, kind=FlagKind.BELOW_MINIMUM)
    FlagComment.objects.create(organization=org_a.organization, flag=flag, author=org_a.manager.user,
                               body="What happened?")  # fmt: skip
    client.force_login(employed.user)
    flags = section(client.get(progress_url(org_a)).content.decode(), "flags")
    assert "Your flags" in flags and "Below minimum" in flags and "4 / 10 (40 %)" in flags and "What happened?" in flags
    respond = reverse("quotas:flag-respond", kwargs={"org_slug": org_a.slug, "flag_pk": flag.pk})
    assert f'action="{respond}"' in flags and f'<label for="flag-{flag.pk}-body">' in flags
    response = client.post(respond, {"body": "A sick day on Tuesday"})
    assert response.status_code == 302
    assert FlagComment.objects.filter(flag=flag, author=employed.user, body="A sick day on Tuesday").exists()
    assert "A sick day on Tuesday" in section(client.get(progress_url(org_a)).content.decode(), "flags")


def test_managers_comment_hr_reads_and_both_get_the_rep_detail_link(client, org_a, weekly, employed):
    close(org_a, weekly, WEEKS_AGO[1])
    rep_detail = reverse("quotas:rep-detail", kwargs={"org_slug": org_a.slug, "rep_pk": employed.pk})
    client.force_login(org_a.manager.user)
    html = client.get(progress_url(org_a, rep=employed.pk)).content.decode()
    assert f'href="{rep_detail}"' in html and "<summary>Comment</summary>" in section(html, "flags")
    client.force_login(org_a.hr.user)
    html = client.get(progress_url(org_a, rep=employed.pk)).content.decode()
    assert f'href="{rep_detail}"' in html
    assert "<textarea" not in section(html, "flags") and "Open the flag" in section(html, "flags")
    client.force_login(employed.user)
    assert f'href="{rep_detail}"' not in client.get(progress_url(org_a)).content.decode()


def test_another_reps_flags_never_show(client, org_a, weekly, employed):
    other = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team,
                              employment_start=date(2020, 1, 1), user__first_name="Ottilia")  # fmt: skip
    close(org_a, weekly, WEEKS_AGO[1])
    assert Flag.objects.filter(rep=other).exists()
    client.force_login(employed.user)
    html = client.get(progress_url(org_a)).content.decode()
    own = set(Flag.objects.filter(rep=employed).exclude(kind="exceeded").values_list("pk", flat=True))
    shown = {int(pk) for pk in re.findall(r'<li class="rep-flag" id="flag-(\d+)"', section(html, "flags"))}
    assert shown == own and "Ottilia" not in html


# Queries -------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_progress_page_queries_do_not_grow_with_closed_periods_flags_or_entries(client, org_a, weekly, employed):
    close(org_a, weekly, WEEKS_AGO[2], WEEKS_AGO[1])
    FlagComment.objects.create(organization=org_a.organization, flag=Flag.objects.filter(rep=employed).first(),
                               author=employed.user, body="First")  # fmt: skip
    client.force_login(employed.user)
    few = count_queries(client, progress_url(org_a))
    close(org_a, weekly, WEEKS_AGO[7], WEEKS_AGO[6], WEEKS_AGO[5])
    for flag in Flag.objects.filter(rep=employed):
        for number in range(3):
            FlagComment.objects.create(organization=org_a.organization, flag=flag, author=employed.user,
                                       body=f"{number}")  # fmt: skip
    for offset in range(3):
        add(org_a, employed, "outbound_calls", 2, WEEK_START + timedelta(days=offset))
        add(org_a, employed, "meetings", 1, WEEK_START + timedelta(days=offset))
    assert count_queries(client, progress_url(org_a)) == few
