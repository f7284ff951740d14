"""The leaderboard: off by default (404, a friendly page for admins, no nav entry), turned on in the Calendar
settings; ranks by attainment or points, ties share a rank, closed periods from their frozen results;
constant queries for 5, 50 and 500 reps."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, User
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType
from quotas.models import Period, QuotaPlanVersion, QuotaSettings
from quotas.selectors.leaderboard import LeaderboardRow, leaderboard_current, rank
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory
from .conftest import TODAY, WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
LAST_WEEK = WEEK_START - timedelta(days=7)


def leaderboard_url(org, **query):
    url = reverse("quotas:leaderboard", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def turn_on(org, enabled=True):
    QuotaSettings.objects.update_or_create(organization=org.organization, defaults={"leaderboard_enabled": enabled})


def add(org, rep, type_key, quantity, day=WEEK_START):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


def rep(org, first_name, last_name="Rep"):
    return MembershipFactory(organization=org.organization, role=Role.REP, team=org.team, user__first_name=first_name,
                             user__last_name=last_name, employment_start=date(2020, 1, 1))  # fmt: skip


def row_html(html, name):
    return re.search(rf"<tr [^>]*>(?:(?!</tr>).)*{name}.*?</tr>", html, re.S).group(0)


def rows(html):
    """(rank, name) of each row of the board, in order."""
    body = re.search(r"<table class=\"striped leaderboard\">.*?</table>", html, re.S).group(0)
    found = re.findall(r'<td class="num rank">(.*?)</td>\s*<th scope="row" class="rep-name">([^<]*)', body, re.S)
    return [(re.sub(r"<[^>]+>", "", rank_cell).strip(), name.strip()) for rank_cell, name in found]


@pytest.fixture
def board(org_a, make_plan, employed):
    """A weekly plan (calls 10, meetings 2; weights: calls 1, meetings 5) and four reps this week:
    Ada 100 % and 100 % (20 points), Bo 150 % and 50 % (20 points: the same average, a tie), Cy 50 % and 0 %
    (5 points), and org_a's rep (Raj) who logged meetings only: 0 % and 150 % (15 points)."""
    make_plan(org_a, lines={"outbound_calls": 10, "meetings": 2}, kind="week")
    ActivityType.objects.filter(pk=org_a.types["outbound_calls"].pk).update(points=1)
    ActivityType.objects.filter(pk=org_a.types["meetings"].pk).update(points=5)
    Membership.objects.filter(pk=employed.pk).update(team=org_a.team)
    User.objects.filter(pk=employed.user_id).update(first_name="Raj", last_name="Patel")
    reps = {"Raj": employed, "Ada": rep(org_a, "Ada"), "Bo": rep(org_a, "Bo"), "Cy": rep(org_a, "Cy")}
    for name, calls, meetings in (("Ada", 10, 2), ("Bo", 15, 1), ("Cy", 5, 0), ("Raj", 0, 3)):
        if calls:
            add(org_a, reps[name], "outbound_calls", calls)
        if meetings:
            add(org_a, reps[name], "meetings", meetings)
    return reps


# Off by default ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REP, Role.HR, Role.MANAGER])
def test_the_leaderboard_is_off_by_default_and_404_below_admin(client, org_a, role):
    client.force_login(org_a.members[role].user)
    assert client.get(leaderboard_url(org_a)).status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
def test_admins_get_a_page_that_says_it_is_off_and_where_to_turn_it_on(client, org_a, role):
    client.force_login(org_a.members[role].user)
    response = client.get(leaderboard_url(org_a))
    html = response.content.decode()
    calendar = reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})
    assert response.status_code == 200 and "The leaderboard is off." in html
    assert f'href="{calendar}#working-days"' in html and "<table" not in html


def test_the_nav_entry_shows_only_while_it_is_on(client, org_a):
    client.force_login(org_a.rep.user)
    home = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    assert f'href="{leaderboard_url(org_a)}"' not in client.get(home).content.decode()
    turn_on(org_a)
    assert f'href="{leaderboard_url(org_a)}"' in client.get(home).content.decode()
    assert client.get(leaderboard_url(org_a)).status_code == 200
    turn_on(org_a, False)
    assert client.get(leaderboard_url(org_a)).status_code == 404


def test_an_admin_turns_it_on_in_the_calendar_settings(client, org_a):
    client.force_login(org_a.admin.user)
    calendar = reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})
    assert 'name="leaderboard_enabled"' in client.get(calendar).content.decode()
    payload = {"action": "settings", "working_weekdays": [0, 1, 2, 3, 4], "exceeded_tier_percent": 120, "close_grace_minutes": 120}
    client.post(calendar, {**payload, "leaderboard_enabled": "on"})
    assert QuotaSettings.objects.get(organization=org_a.organization).leaderboard_enabled
    client.force_login(org_a.rep.user)
    assert client.get(leaderboard_url(org_a)).status_code == 200
    client.force_login(org_a.admin.user)
    client.post(calendar, payload)
    assert not QuotaSettings.objects.get(organization=org_a.organization).leaderboard_enabled


def test_a_manager_cannot_turn_it_on(client, org_a):
    client.force_login(org_a.manager.user)
    calendar = reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})
    payload = {"action": "settings", "working_weekdays": [0, 1, 2, 3, 4], "exceeded_tier_percent": 120, "close_grace_minutes": 120,
               "leaderboard_enabled": "on"}  # fmt: skip
    assert client.post(calendar, payload).status_code == 403
    assert not QuotaSettings.objects.filter(organization=org_a.organization, leaderboard_enabled=True).exists()


# Ranking -------------------------------------------------------------------------------------------


def test_equal_scores_share_a_rank_and_the_next_rank_skips(org_a, board):
    def row(name, score):
        return LeaderboardRow(rank=None, rep=board[name], attainment=score, points=Decimal(0), lines=2)

    ranked = rank([row("Cy", Decimal(50)), row("Bo", Decimal(100)), row("Raj", None), row("Ada", Decimal(100))],
                  score=lambda r: r.attainment)  # fmt: skip
    assert [(r.rank, r.rep.user.first_name) for r in ranked] == [(1, "Ada"), (1, "Bo"), (3, "Cy"), (None, "Raj")]


def test_the_current_week_ranks_by_average_attainment_with_ties(org_a, board):
    board_rows = leaderboard_current(organization=org_a.organization, kind="week", start=WEEK_START,
                                     end=WEEK_START + timedelta(days=6), day=TODAY)  # fmt: skip
    by_name = {row.rep.user.first_name: row for row in board_rows}
    assert [(row.rank, row.rep.user.first_name) for row in board_rows] == [(1, "Ada"), (1, "Bo"), (3, "Raj"), (4, "Cy")]
    assert (by_name["Ada"].attainment, by_name["Bo"].attainment, by_name["Raj"].attainment) == (100, 100, 75)
    assert by_name["Cy"].attainment == 25 and by_name["Ada"].lines == 2


def test_the_page_ranks_by_points_on_request_and_marks_the_viewer(client, org_a, board):
    turn_on(org_a)
    client.force_login(board["Raj"].user)
    html = client.get(leaderboard_url(org_a)).content.decode()
    assert rows(html)[:4] == [("1", "Ada Rep"), ("1", "Bo Rep"), ("3", "Raj Patel"), ("4", "Cy Rep")]
    assert "ranked by attainment" in html and "This week" in html
    you = re.search(r'<tr class="you[^"]*" aria-current="true">.*?</tr>', html, re.S).group(0)
    assert "Raj Patel" in you and "75 %" in you
    by_points = client.get(leaderboard_url(org_a, by="points")).content.decode()
    assert rows(by_points)[:4] == [("1", "Ada Rep"), ("1", "Bo Rep"), ("3", "Raj Patel"), ("4", "Cy Rep")]
    assert "ranked by points" in by_points
    add(org_a, board["Cy"], "meetings", 3)  # 5 + 15 = 20 points: a three-way tie, Raj fourth
    assert rows(client.get(leaderboard_url(org_a, by="points")).content.decode()) == [
        ("1", "Ada Rep"), ("1", "Bo Rep"), ("1", "Cy Rep"), ("4", "Raj Patel")
    ]  # fmt: skip


def test_reps_without_a_target_are_listed_unranked(client, org_a, board):
    newcomer = rep(org_a, "Zed")
    Membership.objects.filter(pk=newcomer.pk).update(employment_start=WEEK_START + timedelta(days=14))  # not yet
    turn_on(org_a)
    client.force_login(org_a.manager.user)
    board_rows = rows(client.get(leaderboard_url(org_a)).content.decode())
    assert ("–", "Zed Rep") in board_rows and board_rows.index(("–", "Zed Rep")) > board_rows.index(("4", "Cy Rep"))


def test_a_closed_week_ranks_by_its_frozen_results(client, org_a, board):
    periods_ensure(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6), kinds=["week"])
    last_week = Period.objects.get(organization=org_a.organization, kind="week", start=LAST_WEEK)
    QuotaPlanVersion.objects.filter(organization=org_a.organization).update(effective_from=LAST_WEEK)
    add(org_a, board["Cy"], "outbound_calls", 20, day=LAST_WEEK)  # 200 % and 0 %: 100 on average
    add(org_a, board["Ada"], "outbound_calls", 5, day=LAST_WEEK)  # 50 % and 0 %
    period_close(organization=org_a.organization, period=last_week)
    Membership.objects.filter(pk=board["Ada"].pk).update(fte_percent=25)  # after the close: changes nothing there
    turn_on(org_a)
    client.force_login(board["Bo"].user)
    html = client.get(leaderboard_url(org_a, period=last_week.pk)).content.decode()
    assert "closed results" in html and "Week 16 – 22 Nov 2026" in html
    assert rows(html) == [("1", "Cy Rep"), ("2", "Ada Rep"), ("3", "Bo Rep"), ("3", "Raj Patel")]
    assert "25 %" in row_html(html, "Ada Rep")  # as closed, not re-computed at 25 % FTE (200 %)
    assert "100 %" in row_html(html, "Cy Rep")
    assert f'<option value="{last_week.pk}" selected>' in html


def test_another_organizations_period_is_not_a_choice(client, org_a, org_b, board):
    periods_ensure(organization=org_b.organization, start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6), kinds=["week"])
    foreign = Period.objects.get(organization=org_b.organization, kind="week", start=LAST_WEEK)
    turn_on(org_a)
    client.force_login(org_a.rep.user)
    response = client.get(leaderboard_url(org_a, period=foreign.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "That period is not available" in html and "This week" in html


def test_without_plans_the_page_says_so(client, org_a):
    turn_on(org_a)
    client.force_login(org_a.rep.user)
    html = client.get(leaderboard_url(org_a)).content.decode()
    assert "There are no quota plans yet" in html and "<table" not in html


# Queries -------------------------------------------------------------------------------------------


def add_reps(org, count):
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"lb{start + n}@{org.slug}.example", first_name=f"Lb{start + n}") for n in range(count)]
    )
    reps = Membership.objects.bulk_create(
        [Membership(organization=org.organization, user=user, role=Role.REP, team=org.team,
                    employment_start=date(2020, 1, 1)) for user in users]  # fmt: skip
    )
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org.organization, rep=r, activity_type=org.types["outbound_calls"],
                      quantity=1 + n % 12, date=WEEK_START, entered_by=r.user)  # fmt: skip
        for n, r in enumerate(reps)
    )


@pytest.mark.parametrize("query", [{}, {"by": "points"}, {"period": "closed"}])
def test_leaderboard_queries_do_not_grow_with_reps(client, org_a, board, query):
    closed_weeks = [LAST_WEEK - timedelta(days=14), LAST_WEEK - timedelta(days=7), LAST_WEEK]
    periods_ensure(organization=org_a.organization, start=closed_weeks[0], end=LAST_WEEK + timedelta(days=6),
                   kinds=["week"])  # fmt: skip
    QuotaPlanVersion.objects.filter(organization=org_a.organization).update(effective_from=closed_weeks[0])
    turn_on(org_a)
    client.force_login(org_a.manager.user)
    counts = []
    for size, start in zip((5, 50, 500), closed_weeks, strict=True):
        add_reps(org_a, size - Membership.objects.filter(organization=org_a.organization, role=Role.REP).count())
        if "period" in query:  # a closed week with every one of the reps
            period = Period.objects.get(organization=org_a.organization, kind="week", start=start)
            period_close(organization=org_a.organization, period=period)
            query = {"period": period.pk}
        with CaptureQueriesContext(connection) as queries:
            html = client.get(leaderboard_url(org_a, **query)).content.decode()
        assert len(rows(html)) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
