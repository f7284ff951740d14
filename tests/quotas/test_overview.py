# ruff: noqa: F811 (the fixtures imported from test_dashboard are requested by name)
"""The organization overview ("Team results"): admins and owners only, attainment by team (live and closed,
hand-computed), the reps flagged, the close status of the latest periods, and a constant query count."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Team, User
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Period, PeriodStatus
from quotas.selectors.overview import CloseState, latest_period_closes
from quotas.services.close import period_close

# The dashboard tests' world (fixtures `weeks`, `team`): the overview sums up the same figures.
from .test_dashboard import LAST_WEEK, MONDAY, TWO_WEEKS_AGO, team, weeks  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen_now")


def overview_url(org, **query):
    url = reverse("quotas:organization-overview", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def page(client, org, **query) -> str:
    response = client.get(overview_url(org, **query))
    assert response.status_code == 200
    return response.content.decode()


def text(html) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").split())


def team_row(html, team_id) -> str:
    return text(re.search(rf'<tr id="team-{team_id}".*?</tr>', html, re.S).group(0))


def section(html, heading_id) -> str:
    return re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.REP, 403), (Role.HR, 403), (Role.MANAGER, 403), (Role.ADMIN, 200), (Role.OWNER, 200)],
)
def test_the_overview_is_for_admins_and_owners(client, org_a, role, status):
    client.force_login(org_a.members[role].user)
    assert client.get(overview_url(org_a)).status_code == status


def test_attainment_by_team_live(client, org_a, team):
    client.force_login(org_a.admin.user)
    html = page(client, org_a)
    # Team, reps, average attainment (mean of Rita's 48 % and Anna's 43 %), all met, behind, exceeded, flagged, open.
    assert team_row(html, org_a.team.pk) == "Alpha Advisors Sales 2 46 % 0 1 0 1 5"
    assert team_row(html, team["outbound"].pk) == "Outbound 1 111 % 1 0 1 1 6"
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": org_a.slug})
    assert f'href="{dashboard}?kind=week&amp;team={team["outbound"].pk}"' in html
    flagged = text(section(html, "overview-flagged"))
    assert "Reps with open flags" in flagged and "Anna Andersson" in flagged and "Olle Other" in flagged
    assert "Rita" not in flagged  # her only open flag is recognition (exceeded)


def test_attainment_by_team_of_a_closed_week_and_who_it_flagged(client, org_a, team, weeks):
    client.force_login(org_a.admin.user)
    html = page(client, org_a, period=weeks[LAST_WEEK].pk)
    # Anna 103 %, Rita 111 %: 107 %; Olle logged nothing: 0 %.
    assert team_row(html, org_a.team.pk) == "Alpha Advisors Sales 2 107 % 1 1 2 1 5"
    assert team_row(html, team["outbound"].pk) == "Outbound 1 0 % 0 1 0 1 6"
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": org_a.slug})
    assert f'href="{dashboard}?kind=week&amp;period={weeks[LAST_WEEK].pk}&amp;team={org_a.team.pk}"' in html
    flagged = text(section(html, "overview-flagged"))
    assert "Reps flagged in this period" in flagged
    assert "Anna Andersson Alpha Advisors Sales Not met 5" in flagged and "Olle Other Outbound Not met 6" in flagged
    assert "Rita" not in flagged


def test_reps_without_a_team_are_grouped_last(client, org_a, team):
    Membership.objects.filter(pk=team["olle"].pk).update(team=None)
    client.force_login(org_a.admin.user)
    html = page(client, org_a)
    assert team_row(html, "none") == "No team 1 111 % 1 0 1 1 6"
    assert html.index(f'id="team-{org_a.team.pk}"') < html.index('id="team-none"')


def test_close_status_of_the_latest_periods(client, org_a, team, weeks):
    three_weeks_ago = TWO_WEEKS_AGO - timedelta(days=7)
    Period.objects.filter(pk=weeks[three_weeks_ago].pk).update(status=PeriodStatus.CLOSE_FAILED, close_attempts=3)
    client.force_login(org_a.admin.user)
    html = page(client, org_a)
    closes = section(html, "overview-closes")
    rows = [text(row) for row in re.findall(r"<tr class=\"close-.*?</tr>", closes, re.S)]
    assert rows[0].startswith("Week 16 – 22 Nov 2026 Closed")
    assert rows[1].startswith("Week 9 – 15 Nov 2026 Closed")
    assert rows[2] == "Week 2 – 8 Nov 2026 Close failed —"
    assert rows[3] == "Week 26 Oct – 1 Nov 2026 Due —"
    warning = re.search(r'<p class="message message-warning".*?</p>', html, re.S).group(0)
    assert "The close of 1 period failed." in text(warning) and "periods are due and not closed yet" in text(warning)
    assert reverse("quotas:period-list", kwargs={"org_slug": org_a.slug}) in warning


def test_a_period_within_its_grace_time_is_waiting_not_due(org_a, weeks):
    # Monday 23 Nov, 00:30 in Stockholm: last week ended at midnight, its 2 hours of grace are still running.
    just_after = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    states = {s.period.start: s.state for s in latest_period_closes(
        organization=org_a.organization, kinds=["week"], now=just_after)}  # fmt: skip
    assert states[LAST_WEEK] == CloseState.WAITING and states[TWO_WEEKS_AGO] == CloseState.DUE


def test_the_query_count_does_not_grow_with_teams_or_reps(client, org_a, weeks, employed):
    client.force_login(org_a.admin.user)
    counts, teams_with_reps = [], 1  # org_a's own team (its rep)
    for stage, (team_count, reps_per_team) in enumerate(((2, 3), (20, 25))):
        teams = Team.objects.bulk_create(
            [Team(organization=org_a.organization, name=f"T{stage}-{n}") for n in range(team_count)]
        )
        users = User.objects.bulk_create(
            [User(email=f"o{stage}-{n}@alpha.example", first_name=f"O{n}") for n in range(team_count * reps_per_team)]
        )
        reps = Membership.objects.bulk_create(
            [
                Membership(
                    organization=org_a.organization,
                    user=user,
                    role=Role.REP,
                    team=teams[n % team_count],
                    employment_start=date(2020, 1, 1),
                )
                for n, user in enumerate(users)
            ]
        )
        closing = [TWO_WEEKS_AGO, LAST_WEEK][stage]
        ActivityEntry.objects.bulk_create(
            [
                ActivityEntry(
                    organization=org_a.organization,
                    rep=rep,
                    activity_type=org_a.types["outbound_calls"],
                    quantity=5 + rep.pk % 50,
                    date=day,
                    entered_by=rep.user,
                )
                for rep in reps
                for day in (closing, MONDAY)
            ]
        )
        period_close(organization=org_a.organization, period=weeks[closing])
        live, closed = overview_url(org_a), overview_url(org_a, period=weeks[closing].pk)
        teams_with_reps += team_count
        assert page(client, org_a).count('<tr id="team-') == teams_with_reps
        measured = []
        for url in (live, closed):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            measured.append(len(queries))
        counts.append(tuple(measured))
    print("overview queries (live, closed) for 2 teams × 3 reps and 22 teams × 25 reps:", counts)
    assert counts[0] == counts[1]
