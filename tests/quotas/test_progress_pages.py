"""The "Progress" page and the Today page's progress panel: every applicable line with its bar, pace status
(colour and word), pro-rating explanation and plan; who may see whose progress; constant queries."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Holiday, HolidayKind, Leave, LeaveStatus, QuotaLine
from quotas.selectors.calendar import Availability
from quotas.views.progress import availability_text

from ..factories import MembershipFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
MONDAY, FRIDAY = WEEK_START, WEEK_START + timedelta(days=4)


@pytest.fixture
def rep(org_a, employed):
    """org_a's rep at 80 % FTE, with none of the fixture's entries (each test logs its own)."""
    ActivityEntry.objects.filter(organization=org_a.organization).delete()
    Membership.objects.filter(pk=employed.pk).update(fte_percent=80)
    employed.refresh_from_db()
    return employed


@pytest.fixture
def plans(org_a, make_plan):
    """A weekly plan for everyone (calls, meetings, points) and a monthly sales plan (revenue)."""
    weekly = make_plan(
        org_a, name="Weekly activity", lines={"outbound_calls": 40, "meetings": 4}, points_target=300, kind="week"
    )
    monthly = make_plan(org_a, name="Monthly sales", lines={"revenue": 400000}, kind="month")
    return {"week": weekly, "month": monthly}


def add(org, rep, type_key, quantity, day=MONDAY, **fields):
    return ActivityEntry.objects.create(
        organization=org.organization, rep=rep, activity_type=org.types[type_key], quantity=quantity, date=day,
        entered_by=rep.user, **fields,
    )  # fmt: skip


def progress_url(org, **query):
    url = reverse("quotas:my-progress", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def today_url(org):
    return reverse("activities:today", kwargs={"org_slug": org.slug})


def line_pk(plan, type_key, org):
    return QuotaLine.objects.get(version__plan=plan, activity_type=org.types[type_key]).pk


def line_html(html, kind, pk):
    """The markup of one progress line (the partial's <li>)."""
    match = re.search(rf'<li class="progress-line[^"]*" id="progress-{kind}-{pk}".*?</li>', html, re.S)
    assert match, f"no progress line {kind}-{pk}"
    return match.group(0)


def actual_in(html, kind, pk):
    text = re.search(r'class="progress-actual">([^<]*)<', line_html(html, kind, pk)).group(1)
    return int(text.replace(",", "").replace("\xa0", "").replace(" ", ""))


def test_progress_page_shows_every_line_with_bar_status_explanation_and_plan(client, org_a, rep, plans):
    Holiday.objects.create(organization=org_a.organization, date=FRIDAY, name="Company day", kind=HolidayKind.COMPANY)
    add(org_a, rep, "outbound_calls", 20)  # target 40 × 4/5 days × 80 % = 26; 2 of 4 days done → 13 expected
    add(org_a, rep, "revenue", 1000)
    client.force_login(rep.user)
    html = client.get(progress_url(org_a)).content.decode()

    assert "My progress" in html and "This week" in html and "This month" in html
    assert "4 of 5 working days: 1 holiday" in html
    assert "20 of 21 working days: 1 holiday" in html  # November 2026 has 21 weekdays

    calls = line_html(html, "week", line_pk(plans["week"], "outbound_calls", org_a))
    assert "Outbound calls" in calls and "<progress" in calls and 'value="77"' in calls  # 20 / 26
    assert ">20<" in calls and ">26<" in calls
    assert "On track" in calls and "status-on_track" in calls
    assert "77 % of target" in calls and "6 to go" in calls and "13 expected by now" in calls
    assert "Target 40 → 26: 1 holiday, 80 % FTE" in calls
    assert "Weekly activity" in calls and "version 1" in calls

    meetings = line_html(html, "week", line_pk(plans["week"], "meetings", org_a))
    assert "Behind" in meetings and "status-behind" in meetings and "Target 4 → 3: 1 holiday, 80 % FTE" in meetings

    points = line_html(html, "week", "points")
    assert "Points" in points and "Target 300 → 192: 1 holiday, 80 % FTE" in points

    revenue = line_html(html, "month", line_pk(plans["month"], "revenue", org_a))
    assert "1,000.00" in revenue and "304,761.91" in revenue and "SEK" in revenue  # 400,000 × 20/21 × 80 %, up
    assert "Monthly sales" in revenue


def test_met_and_exceeded_lines_say_so(client, org_a, rep, plans):
    add(org_a, rep, "outbound_calls", 40)  # target 32 (80 %): 125 %
    add(org_a, rep, "meetings", 4)  # target 4 (3.2 rounded up): 100 %
    client.force_login(rep.user)
    html = client.get(progress_url(org_a)).content.decode()
    calls = line_html(html, "week", line_pk(plans["week"], "outbound_calls", org_a))
    assert "Exceeded" in calls and "status-exceeded" in calls and 'value="100"' in calls and "to go" not in calls
    assert "Met" in line_html(html, "week", line_pk(plans["week"], "meetings", org_a))


def test_plan_link_goes_to_the_plan_page(client, org_a, rep, plans):
    url = reverse("quotas:plan-detail", kwargs={"org_slug": org_a.slug, "plan_pk": plans["week"].pk})
    client.force_login(rep.user)
    html = client.get(progress_url(org_a)).content.decode()
    assert f'href="{url}"' in line_html(html, "week", line_pk(plans["week"], "outbound_calls", org_a))
    assert client.get(url).status_code == 200  # the rep may read the plan


def test_without_a_plan_the_page_explains_what_will_show(client, org_a, rep):
    client.force_login(rep.user)
    html = client.get(progress_url(org_a)).content.decode()
    assert "No quota plan applies to you yet." in html and "<progress" not in html
    assert reverse("activities:today", kwargs={"org_slug": org_a.slug}) in html


def test_a_plan_for_another_team_is_not_shown(client, org_a, rep, make_plan):
    other_team = org_a.team.__class__.objects.create(organization=org_a.organization, name="Elsewhere")
    make_plan(org_a, scope="team", team=other_team, lines={"outbound_calls": 40})
    client.force_login(rep.user)
    assert "No quota plan applies to you yet." in client.get(progress_url(org_a)).content.decode()


def test_availability_text_names_every_reason():
    days = Availability(scheduled=5, holidays=1, leave=2, outside_employment=1, available_days=(MONDAY,))
    assert availability_text(days) == (
        "1 of 5 working days: 1 holiday, 2 days of leave, 1 day outside the employment"
    )
    assert availability_text(Availability(5, 0, 0, 0, tuple(MONDAY + timedelta(d) for d in range(5)))) == (
        "5 of 5 working days"
    )


def test_approved_leave_shows_in_the_days_and_the_target(client, org_a, rep, plans):
    Leave.objects.create(
        organization=org_a.organization, rep=rep, start=FRIDAY, end=FRIDAY, status=LeaveStatus.APPROVED
    )
    client.force_login(rep.user)
    html = client.get(progress_url(org_a)).content.decode()
    assert "4 of 5 working days: 1 day of leave" in html
    assert "Target 40 → 26: 1 day of leave, 80 % FTE" in html


# Who sees whose progress ------------------------------------------------------------------------


@pytest.fixture
def other_rep(org_a):
    """A rep of another team of org_a (not led by org_a.manager)."""
    team = org_a.team.__class__.objects.create(organization=org_a.organization, name="Göteborg")
    return MembershipFactory(
        organization=org_a.organization, role=Role.REP, team=team, user__first_name="Olle", user__last_name="Other",
        employment_start=date(2020, 1, 1),
    )  # fmt: skip


def test_rep_sees_only_their_own_progress(client, org_a, rep, other_rep, plans):
    client.force_login(rep.user)
    response = client.get(progress_url(org_a))
    assert response.status_code == 200 and response.context["rep"] == rep
    assert 'name="rep"' not in response.content.decode()  # no choice of rep
    assert client.get(progress_url(org_a, rep=other_rep.pk)).status_code == 404
    assert client.get(progress_url(org_a, rep=rep.pk)).status_code == 200


def test_manager_sees_only_their_teams_reps(client, org_a, rep, other_rep, plans):
    client.force_login(org_a.manager.user)
    response = client.get(progress_url(org_a))
    assert response.context["rep"] == rep and list(response.context["reps"]) == [rep]
    html = client.get(progress_url(org_a, rep=rep.pk)).content.decode()
    assert f"Progress of {rep.user.display_name}" in html and "Outbound calls" in html
    assert "Olle Other" not in html
    assert client.get(progress_url(org_a, rep=other_rep.pk)).status_code == 404


def test_admin_chooses_any_rep(client, org_a, rep, other_rep, plans):
    client.force_login(org_a.admin.user)
    html = client.get(progress_url(org_a, rep=other_rep.pk)).content.decode()
    assert "Progress of Olle Other" in html and rep.user.display_name in html  # the other choice in the select


def test_hr_reads_every_reps_progress(client, org_a, rep, other_rep, plans):
    client.force_login(org_a.hr.user)
    response = client.get(progress_url(org_a, rep=other_rep.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "Progress of Olle Other" in html and "Outbound calls" in html
    assert 'method="post"' not in html.split("<main", 1)[1].split("</main>")[0]  # reads, changes nothing


@pytest.mark.parametrize("viewer", [Role.OWNER, Role.HR, Role.MANAGER, Role.REP])
def test_a_rep_of_another_organization_is_404(client, world, viewer, plans):
    client.force_login(world.a.members[viewer].user)
    assert client.get(progress_url(world.a, rep=world.b.rep.pk)).status_code == 404
    assert client.get(progress_url(world.a, rep="not-a-number")).status_code == 404


def test_progress_is_in_the_navigation(client, org_a, rep):
    client.force_login(rep.user)
    html = client.get(today_url(org_a)).content.decode()
    assert f'href="{progress_url(org_a)}"' in html


# The Today page -----------------------------------------------------------------------------------


def test_today_page_shows_the_reps_progress(client, org_a, rep, plans):
    add(org_a, rep, "outbound_calls", 7)
    client.force_login(rep.user)
    html = client.get(today_url(org_a)).content.decode()
    calls = line_html(html, "week", line_pk(plans["week"], "outbound_calls", org_a))
    assert actual_in(html, "week", line_pk(plans["week"], "outbound_calls", org_a)) == 7
    assert "<progress" in calls and "Behind" in calls and "Target 40 → 32: 80 % FTE" in calls
    assert "Monthly sales" in html and f'{progress_url(org_a)}?rep={rep.pk}' in html


def test_today_page_without_a_plan_shows_no_progress(client, org_a, rep):
    client.force_login(rep.user)
    html = client.get(today_url(org_a)).content.decode()
    assert "today-progress" not in html and "<progress" not in html


def test_logging_with_htmx_returns_the_updated_progress(client, org_a, rep, plans):
    add(org_a, rep, "outbound_calls", 7)
    client.force_login(rep.user)
    response = client.post(
        reverse("activities:entry-log", kwargs={"org_slug": org_a.slug}),
        {"rep": rep.pk, "activity_type": org_a.types["outbound_calls"].pk, "quantity": 5, "date": TODAY.isoformat()},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="today-panel"')
    assert actual_in(html, "week", line_pk(plans["week"], "outbound_calls", org_a)) == 12
    assert 'value="38"' in line_html(html, "week", line_pk(plans["week"], "outbound_calls", org_a))  # 12 / 32


def test_manager_logging_on_behalf_sees_the_reps_progress(client, org_a, rep, plans):
    client.force_login(org_a.manager.user)
    response = client.post(
        reverse("activities:entry-log", kwargs={"org_slug": org_a.slug}),
        {"rep": rep.pk, "activity_type": org_a.types["meetings"].pk, "quantity": 1, "date": TODAY.isoformat()},
        headers={"HX-Request": "true"},
    )
    assert actual_in(response.content.decode(), "week", line_pk(plans["week"], "meetings", org_a)) == 1


# Queries -----------------------------------------------------------------------------------------


def _fill(org, rep, per_line):
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org.organization, rep=rep, activity_type=org.types[key], quantity=1,
                      date=MONDAY + timedelta(days=i % 3), entered_by=rep.user, topic=f"t{i % 4}", contact=f"c{i}")
        for key in ("outbound_calls", "meetings", "revenue")
        for i in range(per_line)
    )  # fmt: skip


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_progress_page_query_count_does_not_grow_with_entries(client, org_a, rep, plans):
    client.force_login(rep.user)
    _fill(org_a, rep, 5)
    few = _queries(client, progress_url(org_a))
    _fill(org_a, rep, 45)
    assert _queries(client, progress_url(org_a)) == few


def test_today_page_query_count_does_not_grow_with_entries_under_a_plan(client, org_a, rep, plans):
    client.force_login(rep.user)
    _fill(org_a, rep, 5)
    client.get(today_url(org_a))  # the topic suggestions are counted once, then cached
    few = _queries(client, today_url(org_a))
    _fill(org_a, rep, 45)
    assert _queries(client, today_url(org_a)) == few


@pytest.mark.parametrize("absurd", ["9999-12-31", "0001-01-01"])
def test_an_absurd_day_on_the_today_page_gets_a_message_not_an_error(client, org_a, rep, plans, absurd):
    """Year 9999 is a valid date to Python but leaves no room for its week: the forms accept 2000–2099 only."""
    client.force_login(rep.user)
    page = client.get(f"{today_url(org_a)}?date={absurd}")
    assert page.status_code == 200 and page.context["day"] == TODAY  # an invalid choice falls back to today
    before = ActivityEntry.objects.count()
    data = {"rep": rep.pk, "activity_type": org_a.types["outbound_calls"].pk, "quantity": 1, "date": absurd}
    response = client.post(reverse("activities:entry-log", kwargs={"org_slug": org_a.slug}), data,
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200
    assert "Enter a date between 1 Jan 2000 and 31 Dec 2099." in response.content.decode()
    assert ActivityEntry.objects.count() == before
