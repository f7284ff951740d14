"""The team dashboard: who sees whom, live and closed figures (hand-computed), sorting, filters, the totals row,
CSV / XLSX equal to the table, landing there, and a query count that does not grow with the team."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import escape, unescape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Team, User
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import Flag, FlagStatus, Period, PeriodResult
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory, TeamFactory
from .conftest import WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")

LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 16 – Sun 22 Nov 2026
TWO_WEEKS_AGO = WEEK_START - timedelta(days=14)  # Mon 9 – Sun 15 Nov 2026
MONDAY, TUESDAY = WEEK_START, WEEK_START + timedelta(days=1)  # today is Wednesday 25 Nov: 2 of 5 days done


def add(org, rep, type_key, quantity, day):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


def rename(membership, first, last):
    User.objects.filter(pk=membership.user_id).update(first_name=first, last_name=last)
    membership.user.refresh_from_db()


@pytest.fixture
def weeks(org_a, make_plan):
    """A weekly plan for everyone since two weeks ago: 50 outbound calls and 4 meetings."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=TWO_WEEKS_AGO - timedelta(days=21))
    periods_ensure(organization=org_a.organization, start=TWO_WEEKS_AGO - timedelta(days=21),
                   end=WEEK_START + timedelta(days=6), kinds=["week"])  # fmt: skip
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


@pytest.fixture
def team(org_a, weeks, employed):
    """The manager's team: Rita (org_a's rep) and Anna (in probation); Olle is in a team the manager does not lead.

    Two weeks ago: Rita 50 calls, 4 meetings (met: streak 1); Anna 10, 0; Olle nothing.
    Last week:     Rita 61 (exceeded), 4 (met): streak 2; Anna 40 (below), 5 (exceeded); Olle nothing.
    This week, Mon–Tue (pace: 2 of 5 days, so 20 calls and 1.6 meetings expected by now):
                   Rita 35 (on track), 1 (behind); Anna 18 (at risk), 2 (on track); Olle 61 (exceeded), 4 (met).
    """
    rita = employed
    rename(rita, "Rita", "Rep")
    anna = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team,
                             user__first_name="Anna", user__last_name="Andersson",
                             employment_start=date(2026, 10, 1), probation_end=date(2026, 12, 31))  # fmt: skip
    outbound = TeamFactory(organization=org_a.organization, name="Outbound")
    olle = MembershipFactory(organization=org_a.organization, role=Role.REP, team=outbound, user__first_name="Olle",
                             user__last_name="Other", employment_start=date(2020, 1, 1))  # fmt: skip
    add(org_a, rita, "outbound_calls", 50, TWO_WEEKS_AGO)
    add(org_a, rita, "meetings", 4, TWO_WEEKS_AGO)
    add(org_a, anna, "outbound_calls", 10, TWO_WEEKS_AGO)
    period_close(organization=org_a.organization, period=weeks[TWO_WEEKS_AGO])
    add(org_a, rita, "outbound_calls", 61, LAST_WEEK)
    add(org_a, rita, "meetings", 4, LAST_WEEK + timedelta(days=2))
    add(org_a, anna, "outbound_calls", 40, LAST_WEEK)
    add(org_a, anna, "meetings", 5, LAST_WEEK)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK])
    add(org_a, rita, "outbound_calls", 20, MONDAY)
    add(org_a, rita, "outbound_calls", 15, TUESDAY)
    add(org_a, rita, "meetings", 1, TUESDAY)
    add(org_a, anna, "outbound_calls", 18, MONDAY)
    add(org_a, anna, "meetings", 2, TUESDAY)
    add(org_a, olle, "outbound_calls", 61, MONDAY)
    add(org_a, olle, "meetings", 4, MONDAY)
    return {"rita": rita, "anna": anna, "olle": olle, "outbound": outbound}


def dashboard_url(org, **query):
    url = reverse("quotas:team-dashboard", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def page(client, org, **query) -> str:
    response = client.get(dashboard_url(org, **query))
    assert response.status_code == 200
    return response.content.decode()


def row_html(html, rep) -> str:
    return re.search(rf'<tr id="rep-{rep.pk}".*?</tr>', html, re.S).group(0)


def row_text(html, rep) -> str:
    """The visible text of a rep's row, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", row_html(html, rep))).replace("\xa0", " ").split())


def row_order(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="rep-(\d+)"', html)]


def footer_text(html) -> str:
    foot = re.search(r"<tfoot.*?</tfoot>", html, re.S).group(0)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", foot)).replace("\xa0", " ").split())


def csv_rows(client, org, **query) -> list[list[str]]:
    response = client.get(dashboard_url(org, _export="csv", **query))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(client, org, **query) -> list[list]:
    response = client.get(dashboard_url(org, _export="xlsx", **query))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Who may open it, and whom they see --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.REP, 403), (Role.HR, 403), (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.OWNER, 200)],
)
def test_dashboard_is_for_managers_admins_and_owners(client, org_a, role, status):
    client.force_login(org_a.members[role].user)
    assert client.get(dashboard_url(org_a)).status_code == status


def test_manager_sees_only_the_reps_of_their_teams_and_admin_everyone(client, org_a, team):
    client.force_login(org_a.manager.user)
    html = page(client, org_a)
    assert set(row_order(html)) == {team["rita"].pk, team["anna"].pk}
    assert "Olle" not in html
    client.force_login(org_a.admin.user)
    assert set(row_order(page(client, org_a))) == {team["rita"].pk, team["anna"].pk, team["olle"].pk}


def test_a_manager_cannot_narrow_to_a_team_they_do_not_lead_nor_another_organizations(client, org_a, org_b, team):
    client.force_login(org_a.manager.user)
    for foreign in (team["outbound"], org_b.team):
        html = page(client, org_a, team=foreign.pk)
        assert "Select a valid choice" in html and row_order(html) == []


def test_another_organizations_or_an_open_period_is_404(client, org_a, org_b, team, weeks):
    foreign = Period.objects.filter(organization=org_b.organization).first() or Period.objects.create(
        organization=org_b.organization, kind="week", start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6),
        status="closed",
    )  # fmt: skip
    client.force_login(org_a.manager.user)
    assert client.get(dashboard_url(org_a, period=foreign.pk)).status_code == 404
    assert client.get(dashboard_url(org_a, period=weeks[WEEK_START].pk)).status_code == 404  # open: no snapshot
    assert client.get(dashboard_url(org_a, period="x")).status_code == 404
    assert client.get(dashboard_url(org_a, period="²")).status_code == 404  # a digit to isdigit(), not to int()


# Live and closed figures -------------------------------------------------------------------------------


def test_the_current_week_is_measured_live_with_pace(client, org_a, team):
    client.force_login(org_a.manager.user)
    html = page(client, org_a)
    assert "This week" in html and "Live" in html
    rita, anna = row_text(html, team["rita"]), row_text(html, team["anna"])
    # Columns: rep, team, Outbound calls, Meetings, attainment (mean of the lines), plan, streak, open flags.
    assert rita == "Rita Rep Alpha Advisors Sales 35 / 50 On track 70 % 1 / 4 Behind 25 % 48 % In progress 2 0 ★ 1"
    assert anna == ("Anna Andersson Probation Alpha Advisors Sales 18 / 50 At risk 36 % 2 / 4 On track 50 % "
                    "43 % In progress 0 5 ★ 1")  # fmt: skip
    assert re.findall(r'<th [^>]*class="line-col[^"]*"[^>]*>\s*<a[^>]*>([^<]+)', html) == ["Outbound calls", "Meetings"]


def test_an_exceeding_rep_gets_a_badge_and_a_fully_met_plan_says_so(client, org_a, team):
    client.force_login(org_a.admin.user)
    olle = row_text(page(client, org_a), team["olle"])
    assert olle == "Olle Other ★ Exceeded Outbound 61 / 50 Exceeded 122 % 4 / 4 Met 100 % 111 % All met 0 6"


def test_a_closed_week_is_read_from_its_frozen_results(client, org_a, team, weeks):
    client.force_login(org_a.manager.user)
    html = page(client, org_a, period=weeks[LAST_WEEK].pk)
    assert "Closed" in html and "Frozen results" in html
    assert row_text(html, team["rita"]) == (
        "Rita Rep ★ Exceeded Alpha Advisors Sales 61 / 50 Exceeded 122 % 4 / 4 Met 100 % 111 % All met 2 0 ★ 1"
    )
    assert row_text(html, team["anna"]) == ("Anna Andersson Probation ★ Exceeded Alpha Advisors Sales 40 / 50 "
                                            "Below minimum 80 % 5 / 4 Exceeded 125 % 103 % Not met 0 5 ★ 1")  # fmt: skip
    # The snapshot is the truth: a frozen figure shows as frozen, whatever the entries say now.
    PeriodResult.objects.filter(period=weeks[LAST_WEEK], rep=team["rita"], label="Meetings").update(actual=7)
    assert "7 / 4" in row_text(page(client, org_a, period=weeks[LAST_WEEK].pk), team["rita"])


def test_open_flags_link_to_the_reps_flags_and_acknowledged_ones_are_not_counted(client, org_a, team, weeks):
    client.force_login(org_a.manager.user)
    Flag.objects.filter(rep=team["anna"], period=weeks[LAST_WEEK], kind="exceeded").update(
        status=FlagStatus.ACKNOWLEDGED
    )
    html = page(client, org_a, period=weeks[LAST_WEEK].pk)
    assert row_text(html, team["anna"]).endswith("Not met 0 5")  # of all her periods
    flags_link = reverse("quotas:flag-list", kwargs={"org_slug": org_a.slug}) + f"?kind=attention&rep={team['anna'].pk}"
    assert f'href="{escape(flags_link)}"' in html
    inbox = client.get(flags_link).content.decode()
    assert "Flags of <strong>Anna Andersson</strong>" in inbox
    shown = {int(pk) for pk in re.findall(r'<tr id="flag-(\d+)"', inbox)}
    open_flags = Flag.objects.filter(rep=team["anna"], status="open")
    assert shown == set(open_flags.exclude(kind="exceeded").values_list("pk", flat=True)) and len(shown) == 5
    # Her exceeded target was recognised (acknowledged): no ★. Rita's is open, counted apart from flags to follow
    # up, and links to the inbox's "to recognise" view.
    assert "to-recognise" not in row_html(html, team["anna"])
    recognise_link = reverse("quotas:flag-list", kwargs={"org_slug": org_a.slug}) + f"?kind=exceeded&rep={team['rita'].pk}"
    label = "1 exceeded target of Rita Rep to recognise"
    assert f'href="{escape(recognise_link)}" class="to-recognise" aria-label="{label}"' in row_html(html, team["rita"])
    inbox = client.get(recognise_link).content.decode()
    shown = {int(pk) for pk in re.findall(r'<tr id="flag-(\d+)"', inbox)}
    rita_exceeded = Flag.objects.filter(rep=team["rita"], status="open", kind="exceeded")
    assert shown == set(rita_exceeded.values_list("pk", flat=True)) and len(shown) == 1


def test_the_flag_inbox_refuses_a_rep_outside_the_viewers_view(client, org_a, org_b, team):
    client.force_login(org_a.manager.user)
    inbox = reverse("quotas:flag-list", kwargs={"org_slug": org_a.slug})
    assert client.get(f"{inbox}?rep={team['olle'].pk}").status_code == 404
    assert client.get(f"{inbox}?rep={org_b.rep.pk}").status_code == 404
    assert client.get(f"{inbox}?rep=²").status_code == 404


def test_the_period_picker_offers_the_current_and_the_closed_weeks(client, org_a, team, weeks):
    client.force_login(org_a.manager.user)
    html = page(client, org_a)
    picker = re.search(r'<select id="dash-period".*?</select>', html, re.S).group(0)
    assert "This week (live)" in picker
    assert re.findall(r'<option value="(\d+)"', picker) == [str(weeks[LAST_WEEK].pk), str(weeks[TWO_WEEKS_AGO].pk)]
    assert "Frozen results" in page(client, org_a, kind="week", period=weeks[LAST_WEEK].pk)
    # A closed period of another kind than the one asked for (the kind was changed without JavaScript) gives
    # way to that kind's current period; asked alone, it shows itself, and its kind joins the choices.
    october = Period.objects.create(organization=org_a.organization, kind="month", start=date(2026, 10, 1),
                                    end=date(2026, 10, 31), status="closed")  # fmt: skip
    switched = page(client, org_a, kind="week", period=october.pk)
    assert "This week" in switched and "Frozen results" not in switched
    alone = page(client, org_a, period=october.pk)
    assert "Frozen results" in alone and '<option value="month" selected>Month</option>' in alone


# Sorting, filters, totals ------------------------------------------------------------------------------


def test_every_column_sorts(client, org_a, team):
    client.force_login(org_a.admin.user)
    rita, anna, olle = team["rita"].pk, team["anna"].pk, team["olle"].pk
    assert row_order(page(client, org_a)) == [anna, olle, rita]  # by name
    assert row_order(page(client, org_a, sort="-rep")) == [rita, olle, anna]
    assert row_order(page(client, org_a, sort="team")) == [anna, rita, olle]  # Alpha Advisors Sales, Outbound
    assert row_order(page(client, org_a, sort="line_0")) == [anna, rita, olle]  # calls: 36, 70, 122 %
    assert row_order(page(client, org_a, sort="-line_1")) == [olle, anna, rita]  # meetings: 100, 50, 25 %
    assert row_order(page(client, org_a, sort="attainment")) == [anna, rita, olle]  # 43, 48, 111 %
    assert row_order(page(client, org_a, sort="plan")) == [anna, rita, olle]  # in progress (by name), all met
    assert row_order(page(client, org_a, sort="-streak")) == [rita, olle, anna]  # descending, ties by name too
    assert row_order(page(client, org_a, sort="-open_flags")) == [olle, anna, rita]
    assert 'aria-sort="descending"' in page(client, org_a, sort="-open_flags")


def test_filters_by_team_status_plan_and_probation(client, org_a, team, weeks):
    client.force_login(org_a.admin.user)
    rita, anna, olle = team["rita"].pk, team["anna"].pk, team["olle"].pk
    assert row_order(page(client, org_a, team=team["outbound"].pk)) == [olle]
    assert row_order(page(client, org_a, status="behind")) == [rita]
    assert row_order(page(client, org_a, status="at_risk")) == [anna]
    assert row_order(page(client, org_a, status="exceeded")) == [olle]
    assert row_order(page(client, org_a, plan="all_met")) == [olle]
    assert row_order(page(client, org_a, plan="in_progress")) == [anna, rita]
    assert row_order(page(client, org_a, probation="yes")) == [anna]
    assert row_order(page(client, org_a, probation="no")) == [olle, rita]
    closed = {"period": weeks[LAST_WEEK].pk}
    assert row_order(page(client, org_a, status="below_minimum", **closed)) == [anna, olle]
    assert row_order(page(client, org_a, plan="not_met", team=org_a.team.pk, **closed)) == [anna]
    html = page(client, org_a, status="behind", **closed)  # a live status means nothing for a closed week
    assert "Select a valid choice" in html and row_order(html) == []


def test_the_totals_row_sums_the_rows_shown(client, org_a, team, weeks):
    client.force_login(org_a.manager.user)
    # Calls 35 + 18 = 53 of 100; meetings 1 + 2 = 3 of 8 (37.5 → 38 %); attainment: mean of 48 and 43.
    assert footer_text(page(client, org_a)) == "Total: 2 reps 53 / 100 53 % 3 / 8 38 % 46 % 0 of 2 all met 5 ★ 2"
    assert footer_text(page(client, org_a, period=weeks[LAST_WEEK].pk)) == (
        "Total: 2 reps 101 / 100 101 % 9 / 8 113 % 107 % 1 of 2 all met 5 ★ 2"
    )
    assert footer_text(page(client, org_a, probation="yes")) == (
        "Total: 1 rep 18 / 50 36 % 2 / 4 50 % 43 % 0 of 1 all met 5 ★ 1"
    )


# Exports -----------------------------------------------------------------------------------------------

HEADER = [
    "Sales rep", "Team",
    "Outbound calls: actual", "Outbound calls: target", "Outbound calls: attainment %", "Outbound calls: status",
    "Meetings: actual", "Meetings: target", "Meetings: attainment %", "Meetings: status",
    "Attainment", "Plan", "Streak", "Open flags", "Exceeded targets to recognise", "In probation", "Exceeded a target",
]  # fmt: skip


def test_csv_and_xlsx_hold_exactly_the_filtered_sorted_table_and_its_totals(client, org_a, team):
    client.force_login(org_a.admin.user)
    query = {"plan": "in_progress", "sort": "-line_0"}
    assert row_order(page(client, org_a, **query)) == [team["rita"].pk, team["anna"].pk]
    expected = [
        HEADER,
        ["Rita Rep", "Alpha Advisors Sales", 35, 50, 70, "On track", 1, 4, 25, "Behind", 48, "In progress", 2, 0,
         1, "No", "No"],
        ["Anna Andersson", "Alpha Advisors Sales", 18, 50, 36, "At risk", 2, 4, 50, "On track", 43, "In progress", 0, 5,
         1, "Yes", "No"],
        ["Total: 2 reps", None, 53, 100, 53, None, 3, 8, 38, None, 46, "0 of 2 all met", None, 5, 2, None, None],
    ]  # fmt: skip
    assert xlsx_rows(client, org_a, **query) == expected
    as_text = [["" if value is None else str(value) for value in row] for row in expected]
    assert csv_rows(client, org_a, **query) == as_text


def test_a_closed_weeks_export_and_the_file_name(client, org_a, team, weeks):
    client.force_login(org_a.manager.user)
    response = client.get(dashboard_url(org_a, period=weeks[LAST_WEEK].pk, _export="csv"))
    assert 'filename="dashboard-alpha-week-2026-11-16.csv"' in response["Content-Disposition"]
    rows = csv_rows(client, org_a, period=weeks[LAST_WEEK].pk)
    assert rows[1][:6] == ["Anna Andersson", "Alpha Advisors Sales", "40", "50", "80", "Below minimum"]
    assert rows[-1][0] == "Total: 2 reps" and rows[-1][2:5] == ["101", "100", "101"]


def test_exports_neutralise_spreadsheet_formulas(client, org_a, team):
    rename(team["rita"], '=HYPERLINK("http://evil.example")', "")
    Team.objects.filter(pk=org_a.team.pk).update(name="@SUM(A1)")
    client.force_login(org_a.manager.user)
    for rows in (csv_rows(client, org_a), xlsx_rows(client, org_a)):
        rita = next(row for row in rows if "HYPERLINK" in str(row[0]))
        assert rita[0].startswith("'=") and rita[1] == "'@SUM(A1)"


def test_money_lines_show_and_export_cents_with_their_unit(client, org_a, make_plan, employed):
    plan = make_plan(org_a, lines={"revenue": 10000}, kind="month", name="Sales")
    plan.versions.update(effective_from=date(2026, 11, 1))
    add(org_a, employed, "revenue", Decimal("2500.50"), MONDAY)
    client.force_login(org_a.manager.user)
    html = page(client, org_a, kind="month")
    assert "SEK 2,500.50 / SEK 10,000.00" in row_text(html, employed)  # by locale: tests/test_money_format.py
    rows = csv_rows(client, org_a, kind="month")
    assert rows[0][2:4] == ["Revenue: actual", "Revenue: target"] and rows[1][2:5] == ["2500.50", "10000.00", "25"]


def test_without_plans_the_dashboard_explains_what_to_do(client, org_a):
    client.force_login(org_a.manager.user)
    html = page(client, org_a)
    assert "No quota plan yet." in html and reverse("quotas:plan-list", kwargs={"org_slug": org_a.slug}) in html


# Landing and navigation --------------------------------------------------------------------------------


def test_managers_land_on_the_dashboard_reps_on_today_and_hr_on_probation(client, org_a):
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": org_a.slug})
    today = reverse("activities:today", kwargs={"org_slug": org_a.slug})
    probation = reverse("quotas:probation-list", kwargs={"org_slug": org_a.slug})
    for role, landing in [(Role.MANAGER, dashboard), (Role.ADMIN, dashboard), (Role.OWNER, dashboard),
                          (Role.REP, today), (Role.HR, probation)]:  # fmt: skip
        client.force_login(org_a.members[role].user)
        assert f'<a href="{landing}">Alpha Advisors</a>' in client.get(reverse("home")).content.decode()


def test_dashboard_comes_first_in_a_managers_bar_and_is_not_in_a_reps(client, org_a):
    home = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    client.force_login(org_a.manager.user)
    bar = re.search(r'<nav class="container org-nav".*?</nav>', client.get(home).content.decode(), re.S).group(0)
    labels = re.findall(r"<li><a [^>]*>([^<]+)</a>", bar)
    assert labels[:3] == ["Overview", "Dashboard", "Today"]
    client.force_login(org_a.rep.user)
    assert "Dashboard" not in client.get(home).content.decode()


# Queries -----------------------------------------------------------------------------------------------


def add_reps(org, count: int, *, prefix: str, days: list[date]) -> None:
    """`count` reps in the manager's team, each with calls and meetings on `days` (bulk: fast at 500)."""
    users = User.objects.bulk_create(
        [User(email=f"{prefix}{n}@alpha.example", first_name=f"{prefix}{n}", last_name="Bulk") for n in range(count)]
    )
    reps = Membership.objects.bulk_create(
        [
            Membership(
                organization=org.organization,
                user=user,
                role=Role.REP,
                team=org.team,
                employment_start=date(2020, 1, 1),
            )
            for user in users
        ]
    )
    ActivityEntry.objects.bulk_create(
        [
            ActivityEntry(
                organization=org.organization,
                rep=rep,
                activity_type=org.types[key],
                quantity=quantity,
                date=day,
                entered_by=rep.user,
            )
            for rep in reps
            for day in days
            for key, quantity in (("outbound_calls", 11 + rep.pk % 7), ("meetings", 1 + rep.pk % 3))
        ]
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_is_the_same_for_5_50_and_500_reps_live_and_closed(client, org_a, weeks, employed):
    client.force_login(org_a.manager.user)
    three_weeks_ago = TWO_WEEKS_AGO - timedelta(days=7)
    counts = []
    for size, closing in ((5, three_weeks_ago), (50, TWO_WEEKS_AGO), (500, LAST_WEEK)):
        already = Membership.objects.filter(organization=org_a.organization, team=org_a.team, role=Role.REP).count()
        add_reps(org_a, size - already, prefix=f"r{size}-", days=[closing, closing + timedelta(days=1), MONDAY])
        period_close(organization=org_a.organization, period=weeks[closing])
        live = dashboard_url(org_a)
        closed = dashboard_url(org_a, period=weeks[closing].pk)
        exported = dashboard_url(org_a, period=weeks[closing].pk, _export="csv")
        html = client.get(live).content.decode()
        assert len(row_order(html)) == size
        assert len(row_order(client.get(closed).content.decode())) == size
        counts.append((count_queries(client, live), count_queries(client, closed), count_queries(client, exported)))
    print("dashboard queries (live, closed, closed CSV) for 5, 50, 500 reps:", counts)
    assert counts[0] == counts[1] == counts[2]
