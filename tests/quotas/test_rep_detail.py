"""The rep detail page: who may open it, the trend chart per line, the conversion against the team median,
the last 30 days' entries, leave, flags with their threads, and constant queries for teams of 5, 50, 500."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Flag, FlagComment, FlagKind, Leave, LeaveStatus, Period, PeriodStatus
from quotas.selectors.conversion import team_conversion
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory, TeamFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 2026-11-16 … Sun 2026-11-22
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def add(org, rep, type_key, quantity, day=LAST_WEEK, **fields):
    return ActivityEntry.objects.create(
        organization=org.organization, rep=rep, activity_type=org.types[type_key], quantity=quantity, date=day,
        entered_by=rep.user, **fields,
    )  # fmt: skip


def rep_url(org, rep, **query):
    url = reverse("quotas:rep-detail", kwargs={"org_slug": org.slug, "rep_pk": rep.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section(html, name):
    match = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert match, f"no section {name}"
    return match.group(0)


@pytest.fixture
def weeks(org_a, make_plan, employed):
    """A weekly plan (calls 50, meetings 4) in force for the last months, and the weeks' periods."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=date(2026, 8, 31))
    periods_ensure(organization=org_a.organization, start=date(2026, 8, 31), end=WEEK_START + timedelta(days=6),
                   kinds=["week"])  # fmt: skip
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


@pytest.fixture
def other_team_rep(org_a):
    team = TeamFactory(organization=org_a.organization, name="Outbound")
    return MembershipFactory(organization=org_a.organization, role=Role.REP, team=team, user__first_name="Olle",
                             user__last_name="Other", employment_start=date(2020, 1, 1))  # fmt: skip


def teammate(org, first_name):
    return MembershipFactory(organization=org.organization, role=Role.REP, team=org.team, user__first_name=first_name,
                             employment_start=date(2020, 1, 1))  # fmt: skip


# Who may open it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.ADMIN, Role.OWNER])
def test_the_reps_manager_hr_admins_and_owners_open_the_rep_detail(client, org_a, employed, role):
    client.force_login(org_a.members[role].user)
    response = client.get(rep_url(org_a, employed))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{employed.user.display_name}</h1>" in html and org_a.team.name in html
    for name in ("trend", "conversion", "entries", "leave", "flags"):
        section(html, name)


def test_a_rep_gets_404_for_another_rep_and_for_themselves(client, org_a, employed):
    other = teammate(org_a, "Tove")
    client.force_login(employed.user)
    assert client.get(rep_url(org_a, other)).status_code == 404
    assert client.get(rep_url(org_a, employed)).status_code == 404  # "My progress" is the rep's own page


def test_a_manager_of_another_team_gets_404(client, org_a, employed, other_team_rep):
    client.force_login(org_a.manager.user)
    assert client.get(rep_url(org_a, other_team_rep)).status_code == 404
    assert client.get(rep_url(org_a, employed)).status_code == 200
    client.force_login(org_a.hr.user)
    assert client.get(rep_url(org_a, other_team_rep)).status_code == 200  # HR reads every rep


def test_a_non_rep_member_or_another_organizations_rep_is_404(client, org_a, org_b):
    client.force_login(org_a.owner.user)
    assert client.get(rep_url(org_a, org_a.manager)).status_code == 404
    assert client.get(rep_url(org_a, org_b.rep)).status_code == 404


def test_the_flags_inbox_links_each_reps_name_to_the_rep_detail(client, org_a, weeks, employed):
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK])  # nothing logged: flags
    client.force_login(org_a.manager.user)
    html = client.get(reverse("quotas:flag-list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert f'href="{rep_url(org_a, employed)}"' in html
    flag = Flag.objects.filter(rep=employed).first()
    detail = client.get(reverse("quotas:flag-detail", kwargs={"org_slug": org_a.slug, "flag_pk": flag.pk}))
    assert f'href="{rep_url(org_a, employed)}"' in detail.content.decode()


# The trend -----------------------------------------------------------------------------------------


def test_the_trend_has_one_point_per_closed_period_for_each_line(client, org_a, weeks, employed):
    closed = [LAST_WEEK - timedelta(days=7 * n) for n in (2, 1, 0)]
    for number, start in enumerate(closed):
        add(org_a, employed, "outbound_calls", 40 + 10 * number, day=start)  # 40, 50, 60
        period_close(organization=org_a.organization, period=weeks[start])
    client.force_login(org_a.manager.user)
    trend = section(client.get(rep_url(org_a, employed)).content.decode(), "trend")
    charts = re.findall(r'<figure class="trend-chart">.*?</figure>', trend, re.S)
    captions = [re.search(r"<figcaption[^>]*>([^<]*)<", chart).group(1) for chart in charts]
    assert captions == ["Outbound calls", "Meetings"]
    assert [chart.count('<circle class="point') for chart in charts] == [3, 3]
    calls = charts[0]
    assert calls.count('<circle class="point below"') == 1  # 40 of 50
    assert "last 3 closed periods" in trend


def test_the_trend_covers_the_last_12_closed_periods_and_the_kind_picker(client, org_a, weeks, employed, make_plan):
    starts = sorted(start for start in weeks if start < WEEK_START)[-13:]
    for start in starts:
        period_close(organization=org_a.organization, period=weeks[start])
    client.force_login(org_a.manager.user)
    trend = section(client.get(rep_url(org_a, employed)).content.decode(), "trend")
    assert trend.count('<circle class="point') == 2 * 12  # two lines, the latest 12 of 13 closed weeks
    assert 'aria-label="Period of the trend"' not in trend  # one kind: nothing to pick
    monthly = make_plan(org_a, lines={"opportunities_created": 10}, kind="month")
    monthly.versions.update(effective_from=date(2026, 10, 1))
    periods_ensure(organization=org_a.organization, start=date(2026, 10, 1), end=date(2026, 10, 31), kinds=["month"])
    october = Period.objects.get(organization=org_a.organization, kind="month", start=date(2026, 10, 1))
    period_close(organization=org_a.organization, period=october)
    html = client.get(rep_url(org_a, employed, kind="month")).content.decode()
    trend = section(html, "trend")
    assert "Period of the trend" in trend and trend.count('<circle class="point') == 1
    assert "Opportunities created" in trend and "Outbound calls" not in trend
    assert re.search(r'href="\?kind=week#trend"', trend)


# Conversion ----------------------------------------------------------------------------------------


@pytest.fixture
def october(org_a, employed, other_team_rep):
    """The article's Raj in October (150 calls, 200 e-mails, 50 social contacts → 30 opportunities: 7.5 per
    100), three teammates (10.0, 2.5 and 4.0 per 100), one who only logged outcomes, and another team's rep."""
    Period.objects.create(organization=org_a.organization, kind="month", start=OCTOBER[0], end=OCTOBER[1],
                          status=PeriodStatus.CLOSED)  # fmt: skip
    day = date(2026, 10, 14)
    for key, quantity in {"outbound_calls": 150, "prospect_emails": 200, "social_contacts": 50,
                          "meetings": 12, "opportunities_created": 30, "revenue": 50000}.items():  # fmt: skip
        add(org_a, employed, key, quantity, day=day)  # meetings are not outreach: not in the conversion
    add(org_a, employed, "deals_won", 2, day=date(2026, 9, 30))  # September: not in October's figures
    for name, activities, opportunities in (("Ada", 100, 10), ("Bo", 200, 5), ("Cy", 50, 2)):
        rep = teammate(org_a, name)
        add(org_a, rep, "prospect_emails", activities, day=day)
        add(org_a, rep, "opportunities_created", opportunities, day=day)
    add(org_a, teammate(org_a, "Dee"), "opportunities_created", 9, day=day)  # no activities: not in the median
    add(org_a, other_team_rep, "outbound_calls", 10, day=day)
    add(org_a, other_team_rep, "opportunities_created", 9, day=day)  # 90 per 100, another team
    return employed


def test_conversion_is_outcomes_per_100_activities_against_the_team_median(org_a, october):
    conversion = team_conversion(organization=org_a.organization, rep=october, start=OCTOBER[0], end=OCTOBER[1])
    assert conversion.activities == 400
    (opportunities,) = conversion.rates  # revenue is money, deals won were in September
    assert opportunities.outcome_type == org_a.types["opportunities_created"]
    assert opportunities.outcomes == 30 and opportunities.per_100 == Decimal("7.5")
    # Median of 2.5, 4.0, 7.5 and 10.0 (the rep with outcomes only is left out): 5.75, shown as 5.8.
    assert opportunities.team_median == Decimal("5.8") and opportunities.team_reps == 4
    assert opportunities.comparison == "above"


def test_conversion_can_count_only_some_activity_types(org_a, october):
    calls = org_a.types["outbound_calls"]
    conversion = team_conversion(organization=org_a.organization, rep=october, start=OCTOBER[0], end=OCTOBER[1],
                                 activity_type_ids=[calls.pk])  # fmt: skip
    (opportunities,) = conversion.rates
    assert conversion.activities == 150 and opportunities.per_100 == Decimal("20.0")
    assert opportunities.team_median == Decimal("20.0") and opportunities.team_reps == 1  # teammates logged e-mails


def test_conversion_counts_outreach_by_default_and_other_activities_when_ticked(org_a, october):
    assert not org_a.types["meetings"].counts_as_outreach and org_a.types["outbound_calls"].counts_as_outreach
    meetings = org_a.types["meetings"]
    conversion = team_conversion(organization=org_a.organization, rep=october, start=OCTOBER[0], end=OCTOBER[1],
                                 activity_type_ids=[meetings.pk])  # fmt: skip
    assert conversion.activities == 12 and conversion.activity_types == [meetings]


def test_a_rep_without_a_team_is_compared_with_nobody_but_themselves(org_a, october):
    Membership.objects.filter(pk=october.pk).update(team=None)
    october.refresh_from_db()
    (opportunities,) = team_conversion(organization=org_a.organization, rep=october, start=OCTOBER[0],
                                       end=OCTOBER[1]).rates  # fmt: skip
    assert opportunities.per_100 == opportunities.team_median == Decimal("7.5") and opportunities.team_reps == 1


def test_the_page_shows_the_last_closed_month_by_default_and_this_month_on_request(client, org_a, october):
    client.force_login(org_a.manager.user)
    conversion = section(client.get(rep_url(org_a, october)).content.decode(), "conversion")
    assert '<option value="' in conversion and "selected>October 2026</option>" in conversion
    assert "<strong>400</strong> activities from 1 Oct to 31 Oct 2026" in conversion
    row = re.search(r"<tr>\s*<th scope=\"row\">Opportunities created</th>.*?</tr>", conversion, re.S).group(0)
    assert "<strong>7.5</strong>" in row and "5.8" in row and "(4 reps)" in row and "Above the median" in row

    add(org_a, october, "outbound_calls", 20, day=date(2026, 11, 2))
    add(org_a, october, "opportunities_created", 1, day=date(2026, 11, 2))
    current = section(client.get(rep_url(org_a, october, conversion="current")).content.decode(), "conversion")
    assert "<strong>20</strong> activities from 1 Nov to 30 Nov 2026" in current and "<strong>5.0</strong>" in current


def test_the_page_narrows_the_activities_and_rejects_another_organizations_type(client, org_a, org_b, october):
    client.force_login(org_a.manager.user)
    calls = org_a.types["outbound_calls"].pk
    conversion = section(client.get(rep_url(org_a, october, activities=calls)).content.decode(), "conversion")
    assert "<strong>150</strong> activities" in conversion and "<strong>20.0</strong>" in conversion
    assert "Activities counted: Outbound calls" in conversion
    foreign = client.get(rep_url(org_a, october, activities=org_b.types["outbound_calls"].pk))
    conversion = section(foreign.content.decode(), "conversion")
    assert foreign.status_code == 200 and "Select a valid choice" in conversion
    assert "<strong>400</strong> activities" in conversion  # the default, not the foreign type


# Entries, leave, flags -----------------------------------------------------------------------------


def test_entries_of_the_last_30_days_are_capped_with_a_link_to_the_history(client, org_a, employed):
    add(org_a, employed, "meetings", 7, day=TODAY - timedelta(days=30), note="Too old")
    for number in range(20):
        add(org_a, employed, "outbound_calls", number + 1, day=TODAY - timedelta(days=number % 10))
    client.force_login(org_a.manager.user)
    entries = section(client.get(rep_url(org_a, employed)).content.decode(), "entries")
    assert entries.count("/entries/") == 15 and "Too old" not in entries
    since = (TODAY - timedelta(days=29)).isoformat()
    history = reverse("activities:entry-list", kwargs={"org_slug": org_a.slug})
    history += f"?rep={employed.pk}&amp;date_from={since}"
    assert f'href="{history}"' in entries and "The latest 15 entries." in entries
    assert client.get(history.replace("&amp;", "&")).status_code == 200


def test_leave_and_flags_with_the_managers_comments(client, org_a, weeks, employed):
    Leave.objects.create(organization=org_a.organization, rep=employed, start=TODAY + timedelta(days=7),
                         end=TODAY + timedelta(days=9), reason="Wedding", status=LeaveStatus.APPROVED)  # fmt: skip
    add(org_a, employed, "outbound_calls", 61)
    add(org_a, employed, "meetings", 3)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK])
    below = Flag.objects.get(rep=employed, kind=FlagKind.BELOW_MINIMUM)
    FlagComment.objects.create(organization=org_a.organization, flag=below, author=org_a.manager.user,
                               body="Book two more meetings")  # fmt: skip
    FlagComment.objects.create(organization=org_a.organization, flag=below, author=employed.user, body="Will do")
    client.force_login(org_a.hr.user)
    html = client.get(rep_url(org_a, employed)).content.decode()
    assert "Wedding" in section(html, "leave") and "Approved" in section(html, "leave")
    flags = section(html, "flags")
    assert flags.count('class="rep-flag"') == 3 and "Below minimum" in flags and "3 / 4 (75 %)" in flags
    assert flags.index("Book two more meetings") < flags.index("Will do")
    assert "Acknowledge or comment" not in flags  # HR reads
    client.force_login(org_a.manager.user)
    assert "Acknowledge or comment" in section(client.get(rep_url(org_a, employed)).content.decode(), "flags")


# Queries -------------------------------------------------------------------------------------------


def add_team_reps(org, count, day):
    """`count` more reps in org's team, each with a day of activity and outcomes (bulk, for speed)."""
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"bulk{start + n}@{org.slug}.example", first_name=f"Bulk{start + n}") for n in range(count)]
    )
    reps = Membership.objects.bulk_create(
        [Membership(organization=org.organization, user=user, role=Role.REP, team=org.team,
                    employment_start=date(2020, 1, 1)) for user in users]  # fmt: skip
    )
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org.organization, rep=rep, activity_type=org.types[key], quantity=quantity,
                      date=day, entered_by=rep.user)  # fmt: skip
        for rep in reps
        for key, quantity in (("outbound_calls", 30), ("opportunities_created", 2))
    )


def test_rep_detail_queries_do_not_grow_with_the_team(client, org_a, weeks, employed):
    for start in (LAST_WEEK - timedelta(days=7), LAST_WEEK):
        add(org_a, employed, "outbound_calls", 45, day=start)
        period_close(organization=org_a.organization, period=weeks[start])
    add(org_a, employed, "opportunities_created", 3, day=TODAY)
    client.force_login(org_a.manager.user)
    counts = []
    for size in (5, 50, 500):
        add_team_reps(org_a, size - Membership.objects.filter(team=org_a.team, role=Role.REP).count(), day=TODAY)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(rep_url(org_a, employed, conversion="current")).content.decode()
        assert f"({size} reps)" in section(html, "conversion")
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
