"""HR's probation review: the list, one rep's report, the decision, the PDF and CSV exports, who may do what,
and the list's queries (constant in the number of reps)."""

import csv
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Membership, User
from accounts.roles import Role
from activities.models import ActivityEntry
from quotas.models import (
    Flag,
    FlagKind,
    FlagStatus,
    Period,
    PeriodClose,
    PeriodResult,
    PeriodStatus,
    ProbationDecision,
    QuotaLine,
    QuotaPlan,
    RepPeriodSummary,
)
from quotas.period_labels import period_label
from quotas.selectors.probation import probation_list, probation_report
from quotas.services.calendar import leave_create
from quotas.services.close import period_close
from quotas.services.flags import flag_acknowledge
from quotas.services.periods import periods_ensure
from quotas.services.probation import probation_decide

from ..factories import MembershipFactory, TeamFactory
from .conftest import TODAY

pytestmark = pytest.mark.usefixtures("frozen_now")

START = date(2026, 10, 5)  # a Monday: the probation rep's first day
END = date(2027, 1, 31)  # the probation's last day: 67 days after TODAY (Wed 2026-11-25)
WEEKS = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
OCTOBER = date(2026, 10, 1)


def url(org, name="list", rep=None):
    if name == "list":
        return reverse("quotas:probation-list", kwargs={"org_slug": org.slug})
    suffix = {"report": "", "pdf": "-pdf", "csv": "-csv"}[name]
    return reverse(f"quotas:probation-report{suffix}", kwargs={"org_slug": org.slug, "rep_pk": rep.pk})


def add(org, rep, type_key, quantity, day):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


def probation_rep(org, *, first="Petra", last="Prov", team=None, start=START, end=END):
    return MembershipFactory(
        organization=org.organization, role=Role.REP, team=team or org.team, employment_start=start,
        probation_end=end, user__first_name=first, user__last_name=last,
    )  # fmt: skip


def employment(rep):
    return Membership.objects.filter(pk=rep.pk).values_list("probation_end", "employment_end").get()


@pytest.fixture
def reviewed(org_a, make_plan):
    """org_a's rep in probation since 5 Oct 2026 (until 31 Jan 2027) under a weekly probation plan (50 calls,
    4 meetings) and a monthly plan (5 opportunities). Closed: October (met) and three November weeks — met,
    missed (20 calls; flagged, the manager commented; 2 days of approved leave), exceeded (61 calls)."""
    organization, rep = org_a.organization, org_a.rep
    User.objects.filter(pk=rep.user_id).update(first_name="Petra", last_name="Prov")
    ActivityEntry.objects.filter(rep=rep).delete()
    Membership.objects.filter(pk=rep.pk).update(employment_start=START, probation_end=END)
    rep.refresh_from_db()
    weekly = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week", scope="probation")
    weekly.versions.update(effective_from=START)
    monthly = make_plan(org_a, lines={"opportunities_created": 5}, kind="month")
    monthly.versions.update(effective_from=OCTOBER)
    periods_ensure(organization=organization, start=date(2026, 9, 28), end=date(2026, 11, 30), kinds=["week", "month"])
    leave_create(organization=organization, actor=org_a.manager, rep=rep, start=date(2026, 11, 12),
                 end=date(2026, 11, 13), reason="Flu")  # fmt: skip
    add(org_a, rep, "opportunities_created", 6, date(2026, 10, 20))
    for monday, calls in zip(WEEKS, (55, 20, 61)):
        add(org_a, rep, "outbound_calls", calls, monday)
        add(org_a, rep, "meetings", 4, monday + timedelta(days=1))
    periods = {(p.kind, p.start): p for p in Period.objects.filter(organization=organization)}
    for key in [("month", OCTOBER)] + [("week", monday) for monday in WEEKS]:
        period_close(organization=organization, period=periods[key])
    below = Flag.objects.get(rep=rep, kind=FlagKind.BELOW_MINIMUM)
    flag_acknowledge(organization=organization, actor=org_a.manager, flag=below,
                     comment="Two sick days; we booked extra call blocks for next week.")  # fmt: skip
    return rep


# Who may do what ---------------------------------------------------------------------------------------


def test_a_rep_may_not_open_the_probation_pages(client, org_a, reviewed):
    client.force_login(org_a.rep.user)
    for name in ("list", "report", "pdf", "csv"):
        assert client.get(url(org_a, name, reviewed)).status_code == 403
    assert client.post(url(org_a, "report", reviewed), {"decision": "confirm", "notes": "Me!"}).status_code == 403
    assert not ProbationDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.OWNER])
def test_hr_admins_and_owners_see_every_probation_and_the_decision_form(client, org_a, reviewed, role):
    elsewhere = probation_rep(org_a, first="Olle", team=TeamFactory(organization=org_a.organization))
    client.force_login(org_a.members[role].user)
    page = client.get(url(org_a)).content.decode()
    assert "Petra Prov" in page and "Olle Prov" in page
    report = client.get(url(org_a, "report", elsewhere))
    assert report.status_code == 200
    assert 'name="decision"' in report.content.decode()


def test_a_manager_sees_the_own_teams_reps_only_and_cannot_decide(client, org_a, reviewed):
    elsewhere = probation_rep(org_a, first="Olle", team=TeamFactory(organization=org_a.organization))
    client.force_login(org_a.manager.user)
    page = client.get(url(org_a)).content.decode()
    assert "Petra Prov" in page and "Olle" not in page
    report = client.get(url(org_a, "report", reviewed)).content.decode()
    assert "Petra Prov" in report and 'name="decision"' not in report
    assert "HR records the decision." in report
    assert client.get(url(org_a, "report", elsewhere)).status_code == 404
    assert client.get(url(org_a, "pdf", elsewhere)).status_code == 404
    response = client.post(url(org_a, "report", reviewed), {"decision": "extend", "new_end": "2027-03-31",
                                                           "notes": "Needs more time."})  # fmt: skip
    assert response.status_code == 403
    assert not ProbationDecision.objects.exists()
    assert employment(reviewed) == (END, None)


def test_the_report_of_a_rep_without_probation_is_not_there(client, org_a):
    client.force_login(org_a.hr.user)
    assert client.get(url(org_a, "report", org_a.rep)).status_code == 404


def test_probation_is_in_the_navigation_for_hr_and_not_for_reps(client, org_a):
    client.force_login(org_a.hr.user)
    home = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    assert f'href="{url(org_a)}"' in client.get(home).content.decode()
    client.force_login(org_a.rep.user)
    assert f'href="{url(org_a)}"' not in client.get(home).content.decode()


def test_hr_reads_activity_and_results_but_cannot_change_entries_or_plans(client, org_a, reviewed):
    """HR reads everything about a rep; every write on entries and plans refuses HR and changes nothing."""
    entry = ActivityEntry.objects.filter(rep=reviewed).order_by("pk").first()
    plan = QuotaPlan.objects.filter(organization=org_a.organization).first()

    def writes():
        return [
            sorted(ActivityEntry.objects.values_list("pk", "quantity", "date", "activity_type_id")),
            sorted(QuotaPlan.objects.values_list("pk", "name", "archived_at")),
            sorted(QuotaLine.objects.values_list("pk", "target")),
        ]

    before = writes()
    client.force_login(org_a.hr.user)
    slug = {"org_slug": org_a.slug}
    assert client.get(reverse("activities:entry-list", kwargs=slug)).status_code == 200
    assert client.get(reverse("activities:entry-detail", kwargs={**slug, "entry_pk": entry.pk})).status_code == 200
    assert client.get(reverse("quotas:plan-detail", kwargs={**slug, "plan_pk": plan.pk})).status_code == 200
    today = TODAY.isoformat()
    log = {"rep": reviewed.pk, "activity_type": org_a.types["outbound_calls"].pk, "date": today, "quantity": "5"}
    refused = [
        client.post(reverse("activities:entry-log", kwargs=slug), log),
        client.post(reverse("activities:entry-update", kwargs={**slug, "entry_pk": entry.pk}),
                    {"activity_type": entry.activity_type_id, "date": entry.date, "quantity": "99"}),
        client.post(reverse("activities:entry-delete", kwargs={**slug, "entry_pk": entry.pk})),
        client.post(reverse("activities:import-create", kwargs=slug)),
        client.post(reverse("quotas:plan-create", kwargs=slug), {"name": "HR plan", "period_kind": "week"}),
        client.post(reverse("quotas:plan-update", kwargs={**slug, "plan_pk": plan.pk}), {"name": "Renamed"}),
        client.post(reverse("quotas:plan-archive", kwargs={**slug, "plan_pk": plan.pk})),
    ]  # fmt: skip
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert writes() == before


# The list -------------------------------------------------------------------------------------------


def test_the_list_shows_active_and_recently_ended_probations_only(client, org_a, org_b, reviewed):
    recent = probation_rep(org_a, first="Rita", last="Recent", start=date(2026, 3, 2), end=TODAY - timedelta(days=80))
    probation_rep(org_a, first="Olga", last="Old", start=date(2026, 2, 2), end=TODAY - timedelta(days=100))
    probation_rep(org_a, first="Nils", last="Next", start=TODAY + timedelta(days=7), end=TODAY + timedelta(days=187))
    probation_rep(org_b, first="Bertil", last="Beta")
    client.force_login(org_a.hr.user)
    response = client.get(url(org_a))
    page = response.content.decode()
    active = response.context["active"]
    ended = response.context["ended"]
    assert [row.rep.user.first_name for row in active] == ["Petra", "Nils"]  # soonest end first
    assert [row.rep.pk for row in ended] == [recent.pk]
    assert "Olga" not in page and "Bertil" not in page
    assert "67 days left" in page  # 25 Nov 2026 → 31 Jan 2027
    assert "80 days ago" in re.search(rf'<tr id="probation-{recent.pk}">.*?</tr>', page, re.S).group(0)
    assert "Starts " in page  # Nils has not started yet
    assert f'href="{url(org_a, "report", reviewed)}"' in page
    # Rita's probation ended with no decision: HR's to-do.
    assert "Decision due" in re.search(rf'<tr id="probation-{recent.pk}">.*?</tr>', page, re.S).group(0)


def test_the_list_counts_closed_and_met_periods_and_open_flags(client, org_a, reviewed):
    rows = probation_list(organization=org_a.organization, viewer=org_a.hr)
    row = next(row for row in rows if row.rep.pk == reviewed.pk)
    assert row.days_left == 67
    assert [(count.kind, count.closed, count.met) for count in row.counts] == [("month", 1, 1), ("week", 3, 2)]
    assert (row.periods_closed, row.periods_met) == (4, 3)
    # The missed week raised "below minimum" (acknowledged) and "plan not met" (open); "exceeded" is recognition.
    assert set(Flag.objects.filter(rep=reviewed).values_list("kind", "status")) == {
        (FlagKind.BELOW_MINIMUM, FlagStatus.ACKNOWLEDGED), (FlagKind.PLAN_NOT_MET, FlagStatus.OPEN),
        (FlagKind.EXCEEDED, FlagStatus.OPEN),
    }  # fmt: skip
    assert row.open_flags == 1
    assert row.latest_decision is None
    client.force_login(org_a.hr.user)
    page = client.get(url(org_a)).content.decode()
    cells = re.search(rf'<tr id="probation-{reviewed.pk}">.*?</tr>', page, re.S).group(0)
    assert "3 of 4" in cells and "1 month · 3 weeks" in cells and "1 open" in cells


def test_periods_outside_the_window_are_not_counted(org_a, reviewed):
    """Shortening the probation to before the November weeks leaves October only."""
    Membership.objects.filter(pk=reviewed.pk).update(probation_end=date(2026, 10, 30))
    row = next(r for r in probation_list(organization=org_a.organization, viewer=org_a.hr) if r.rep.pk == reviewed.pk)
    assert [(count.kind, count.closed) for count in row.counts] == [("month", 1)]
    assert row.open_flags == 0


# The report ----------------------------------------------------------------------------------------------


def test_the_report_shows_every_closed_period_with_results_flags_comments_leave_and_trend(client, org_a, reviewed):
    client.force_login(org_a.hr.user)
    response = client.get(url(org_a, "report", reviewed))
    page = response.content.decode()
    report = response.context["report"]
    assert [kind.kind for kind in report.kinds] == ["month", "week"]  # months first
    assert [p.label for p in report.kinds[1].periods] == [
        "Week 2 – 8 Nov 2026", "Week 9 – 15 Nov 2026", "Week 16 – 22 Nov 2026"]  # fmt: skip
    assert report.kinds[0].periods[0].label == "October 2026"
    for kind in report.kinds:
        for period in kind.periods:
            assert period.label in page
    assert [p.plan_met for p in report.kinds[1].periods] == [True, False, True]
    assert "Two sick days; we booked extra call blocks for next week." in page
    assert "Below minimum" in page and "Plan not met" in page
    # Approved leave in the window, in working days (Thu and Fri).
    assert [(row.start, row.end, row.working_days) for row in report.leave] == [
        (date(2026, 11, 12), date(2026, 11, 13), 2)]  # fmt: skip
    assert "Flu" in page
    # The trend charts: one per line, one point per closed period of its kind.
    charts = re.findall(r'<figure class="trend-chart">.*?</figure>', page, re.S)
    assert len(charts) == 3  # opportunities (months), calls and meetings (weeks)
    assert [chart.count('<circle class="point') for chart in charts] == [1, 3, 3]


def test_the_report_queries_do_not_grow_with_periods(client, org_a, reviewed):
    client.force_login(org_a.hr.user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(org_a, "report", reviewed)).status_code == 200
        return len(queries)

    before = count()
    periods = {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}
    for monday in (date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)):
        period_close(organization=org_a.organization, period=periods[monday])
    assert count() == before


# The decision --------------------------------------------------------------------------------------------


def decide(org, rep, decision, new_end=None, notes="Reviewed with the manager.", actor=None):
    return probation_decide(organization=org.organization, actor=actor or org.hr, rep=rep, decision=decision,
                            new_end=new_end, notes=notes)  # fmt: skip


@pytest.mark.parametrize(
    ("decision", "new_end", "notes", "field", "message"),
    [
        ("extend", END, "x", "new_end", "after the current end of the probation, 31 January 2027"),
        ("extend", END - timedelta(days=10), "x", "new_end", "after the current end"),
        ("extend", None, "x", "new_end", "Enter the new last day of the probation."),
        ("extend", END + timedelta(days=400), "x", "new_end", "Extend by a year at most"),
        ("end", START - timedelta(days=1), "x", "new_end", "cannot be before the employment started, 5 October 2026"),
        ("end", None, "x", "new_end", "Enter the last day of the employment."),
        ("end", TODAY + timedelta(days=500), "x", "new_end", "within a year from today"),
        ("confirm", END, "x", "new_end", "Confirming needs no date"),
        ("confirm", None, "   ", "notes", "Write the reasons for the decision in the notes."),
        ("promote", None, "x", "decision", "Choose confirm, extend or end."),
    ],
)
def test_a_bad_decision_is_refused_with_a_clear_message_and_changes_nothing(
    org_a, reviewed, decision, new_end, notes, field, message
):
    with pytest.raises(ValidationError) as refusal:
        decide(org_a, reviewed, decision, new_end, notes)
    assert message in " ".join(refusal.value.message_dict[field])
    assert not ProbationDecision.objects.exists()
    assert employment(reviewed) == (END, None)


def test_extending_moves_the_probation_end_and_keeps_the_previous_one(org_a, reviewed):
    record = decide(org_a, reviewed, "extend", date(2027, 3, 31), "More time on meetings.")
    assert (record.previous_end, record.new_end, record.decided_by) == (END, date(2027, 3, 31), org_a.hr.user)
    assert employment(reviewed) == (date(2027, 3, 31), None)
    # A second extension starts from the new end.
    with pytest.raises(ValidationError):
        decide(org_a, reviewed, "extend", date(2027, 3, 1))
    row = next(r for r in probation_list(organization=org_a.organization, viewer=org_a.hr) if r.rep.pk == reviewed.pk)
    assert row.days_left == (date(2027, 3, 31) - TODAY).days and row.latest_decision == record


def test_ending_sets_the_last_day_and_confirming_changes_no_date(org_a, reviewed):
    confirm = decide(org_a, reviewed, "confirm", notes="Strong finish.", actor=org_a.owner)
    assert (confirm.previous_end, confirm.new_end) == (END, None)
    assert employment(reviewed) == (END, None)
    ended = decide(org_a, reviewed, "end", date(2026, 12, 15), "Did not reach the minimums.", actor=org_a.admin)
    assert ended.previous_end == END
    assert employment(reviewed) == (END, date(2026, 12, 15))


def test_a_manager_cannot_decide_even_through_the_service(org_a, reviewed):
    with pytest.raises(PermissionDenied):
        decide(org_a, reviewed, "confirm", actor=org_a.manager)
    assert not ProbationDecision.objects.exists()


def test_hr_records_a_decision_on_the_report_and_sees_it_in_the_history(client, org_a, reviewed):
    client.force_login(org_a.hr.user)
    decision = {"decision": "extend", "new_end": "2027-03-31", "notes": "More time on meetings."}
    response = client.post(url(org_a, "report", reviewed), decision)
    record = ProbationDecision.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#decision-{record.pk}")
    page = client.get(response.url).content.decode()
    assert "Extend the probation: until 31 Mar 2027 (was 31 Jan 2027)" in page
    assert "More time on meetings." in page
    assert f"Decided by {org_a.hr.user.display_name}" in page
    assert employment(reviewed) == (date(2027, 3, 31), None)


def test_a_bad_decision_on_the_page_shows_the_message_next_to_the_date(client, org_a, reviewed):
    client.force_login(org_a.hr.user)
    response = client.post(url(org_a, "report", reviewed),
                           {"decision": "extend", "new_end": "2027-01-10", "notes": "More time."})  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "The new end must be after the current end of the probation, 31 January 2027." in page
    assert "More time.</textarea>" in page  # what was typed stays
    response = client.post(url(org_a, "report", reviewed), {"decision": "confirm", "notes": ""})
    assert "Write the reasons for the decision in the notes." in response.content.decode()
    assert not ProbationDecision.objects.exists()
    assert employment(reviewed) == (END, None)


def test_a_decision_on_another_organizations_rep_is_refused(org_a, org_b):
    foreign = probation_rep(org_b, first="Bertil")
    with pytest.raises(ValidationError):
        decide(org_a, foreign, "confirm")
    assert not ProbationDecision.objects.exists()


# Exports -------------------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_the_pdf_has_the_rep_every_period_the_decisions_and_page_numbers(client, org_a, reviewed):
    decide(org_a, reviewed, "extend", date(2027, 3, 31), "More time on meetings.")
    client.force_login(org_a.hr.user)
    response = client.get(url(org_a, "pdf", reviewed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="probation-petra-prov-2026-11-25.pdf"')
    content = response.content
    assert content.startswith(b"%PDF")
    pages, text = pdf_text(content)
    assert pages >= 1
    assert "Petra Prov" in text and org_a.organization.name in text
    report = probation_report(organization=org_a.organization, rep=Membership.objects.get(pk=reviewed.pk))
    for _kind, period, _result in report.rows():
        assert period.label in text
    for label in ("Outbound calls", "Meetings", "Opportunities created", "Below minimum", "Exceeded"):
        assert label in text
    assert "Two sick days; we booked extra call blocks for next week." in text
    assert "Flu" in text
    assert "Extend the probation: until 31 Mar 2027 (was 31 Jan 2027)" in text
    assert f"Page 1 of {pages}" in text


def test_the_pdf_renders_swedish_letters_and_the_swedish_language(client, org_a, reviewed):
    """A Swedish organization: the PDF (and the page) are in Swedish, and å, ä, ö come out as letters."""
    User.objects.filter(pk=reviewed.user_id).update(first_name="Åsa", last_name="Öström-Bäck")
    org_a.organization.language = "sv"
    org_a.organization.save(update_fields=["language"])
    client.force_login(org_a.hr.user)
    assert client.get(url(org_a, "report", reviewed)).status_code == 200
    response = client.get(url(org_a, "pdf", reviewed))
    assert response.status_code == 200
    _pages, text = pdf_text(response.content)
    assert "Åsa Öström-Bäck" in text
    with translation.override("sv"):
        week = period_label(Period(kind="week", start=WEEKS[0], end=WEEKS[0] + timedelta(days=6)))
        month = period_label(Period(kind="month", start=OCTOBER, end=date(2026, 10, 31)))
    assert week in text and month in text and month.lower() == "oktober 2026"


def test_a_long_probation_makes_a_paginated_pdf(client, org_a, reviewed):
    """Every week of a year closed: the table runs over several pages, each numbered."""
    organization = org_a.organization
    periods_ensure(organization=organization, start=date(2025, 11, 24), end=date(2026, 11, 1), kinds=["week"])
    Membership.objects.filter(pk=reviewed.pk).update(employment_start=date(2025, 11, 24))
    weeks = Period.objects.filter(organization=organization, kind="week", start__gte=date(2025, 11, 24),
                                  end__lte=date(2026, 11, 1)).exclude(status=PeriodStatus.CLOSED)  # fmt: skip
    QuotaPlan.objects.filter(name__startswith="probation").get().versions.update(effective_from=date(2025, 11, 24))
    for week in weeks:
        period_close(organization=organization, period=week)
    client.force_login(org_a.hr.user)
    pages, text = pdf_text(client.get(url(org_a, "pdf", reviewed)).content)
    assert pages >= 3
    assert f"Page {pages} of {pages}" in text


class TableCells(HTMLParser):
    """The cells of the report's result tables: (period, line, actual, target, attainment, status) per row."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.row, self.period, self.depth = [], None, None, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "probation-results" in (attrs.get("class") or ""):
            self.depth = 1
        elif self.depth and tag == "tbody":
            self.period = None
        elif self.depth and tag == "tr":
            self.row = []
        elif self.depth and self.row is not None and tag in ("td", "th"):
            self.cell = []
        elif self.depth and tag in ("br", "small"):
            if self.cell is not None:
                self.cell.append("\n")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip().split("\n")[0].strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row and not all(cell in ("Period", "Line", "Actual", "Target", "Attainment", "Status")
                                    for cell in self.row):  # fmt: skip
                if len(self.row) == 6:
                    self.period = self.row[0]
                    self.row = self.row[1:]
                self.rows.append([self.period, *self.row])
            self.row = None
        elif tag == "table":
            self.depth = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_the_swedish_csv_names_the_period_kind_not_the_value_kind(client, org_a, reviewed):
    """"Kind" means three things in the UI; each has its own Swedish word."""
    org_a.hr.user.language = "sv"
    org_a.hr.user.save(update_fields=["language"])
    client.force_login(org_a.hr.user)
    response = client.get(url(org_a, "csv", reviewed))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:2] == ["Periodtyp", "Period"]


def test_the_csv_rows_equal_the_report_table(client, org_a, reviewed):
    client.force_login(org_a.hr.user)
    parser = TableCells()
    parser.feed(client.get(url(org_a, "report", reviewed)).content.decode())
    response = client.get(url(org_a, "csv", reviewed))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="probation-petra-prov-')
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["Kind", "Period", "Start", "End", "Line", "Actual", "Target", "Attainment (%)", "Status",
                      "Plan met"]  # fmt: skip
    assert len(rows) == len(parser.rows) == 7  # October: 1 line; three weeks of 2 lines
    as_table = [
        [period, line, actual, target, f"{attainment} %" if attainment else "–", status]
        for _kind, period, _start, _end, line, actual, target, attainment, status, _met in rows
    ]
    assert as_table == [[cell.replace(",", "") for cell in row] for row in parser.rows]
    assert rows[0][:5] == ["Month", "October 2026", "2026-10-01", "2026-10-31", "Opportunities created"]
    week = [row for row in rows if row[1] == "Week 9 – 15 Nov 2026" and row[4] == "Outbound calls"][0]
    assert week[5] == "20" and week[8] == "Below minimum" and week[9] == "No"


def test_the_csv_neutralises_formulas(client, org_a, reviewed):
    PeriodResult.objects.filter(rep=reviewed).update(label="=HYPERLINK(1)")
    client.force_login(org_a.hr.user)
    content = client.get(url(org_a, "csv", reviewed)).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content
    assert ",=HYPERLINK" not in content


def test_period_labels_in_swedish(org_a):
    week = Period(kind="week", start=date(2026, 11, 2), end=date(2026, 11, 8))
    month = Period(kind="month", start=date(2026, 10, 1), end=date(2026, 10, 31))
    with translation.override("sv"):
        assert period_label(month).lower() == "oktober 2026"
        assert period_label(week) == "Vecka 2 – 8 Nov 2026"


# Queries ---------------------------------------------------------------------------------------------


def add_probation_reps(org, count: int, *, period_close_row: PeriodClose) -> None:
    """`count` more reps in probation, each with a closed week (met or not), an open flag and a decision."""
    organization = org.organization
    offset = Membership.objects.filter(organization=organization).count()
    users = User.objects.bulk_create(
        User(email=f"probation{offset + n}@alpha.example", first_name="Rep", last_name=f"{offset + n:04}",
             password="!")
        for n in range(count)
    )  # fmt: skip
    reps = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.REP, team=org.team,
                   employment_start=date(2026, 6, 1), probation_end=TODAY + timedelta(days=n % 120 - 60))
        for n, user in enumerate(users)
    )  # fmt: skip
    period = period_close_row.period
    RepPeriodSummary.objects.bulk_create(
        RepPeriodSummary(organization=organization, period_close=period_close_row, period=period, rep=rep,
                         plan_met=n % 2 == 0)
        for n, rep in enumerate(reps)
    )  # fmt: skip
    Flag.objects.bulk_create(
        Flag(organization=organization, period_close=period_close_row, period=period, rep=rep,
             kind=FlagKind.PLAN_NOT_MET)
        for rep in reps
    )  # fmt: skip
    ProbationDecision.objects.bulk_create(
        ProbationDecision(organization=organization, rep=rep, decision="extend", previous_end=date(2026, 9, 1),
                          new_end=rep.probation_end, notes="More time.", decided_by=org.hr.user)
        for rep in reps
    )  # fmt: skip


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER])
def test_the_list_queries_are_constant_for_5_50_and_500_reps(client, org_a, role):
    organization = org_a.organization
    period = Period.objects.create(organization=organization, kind="week", start=date(2026, 7, 6),
                                   end=date(2026, 7, 12), status=PeriodStatus.CLOSED)  # fmt: skip
    period_close_row = PeriodClose.objects.create(organization=organization, period=period, number=1)
    client.force_login(org_a.members[role].user)
    counts = []
    for total, more in ((5, 5), (50, 45), (500, 450)):
        add_probation_reps(org_a, more, period_close_row=period_close_row)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(org_a))
        assert response.status_code == 200
        rows = response.context["active"] + response.context["ended"]
        assert len(rows) == total
        assert sum(row.periods_closed for row in rows) == sum(row.open_flags for row in rows) == total
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
    print(f"probation list as {role}: {counts} queries for 5, 50, 500 reps")
    assert counts[0] <= 12
