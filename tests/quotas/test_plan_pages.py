"""The quota plan pages: list, create and edit (with inline lines and a preview), detail with history, archive.

"Today" is Wednesday 2026-11-25 in Stockholm (tests/quotas/conftest.py): the current week runs Mon 23 –
Sun 29 November, the next one starts Mon 30 November.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Membership
from accounts.roles import Role
from quotas.models import Leave, LeaveStatus, QuotaLine, QuotaPlan, QuotaPlanVersion
from quotas.selectors.plans import plan_applies
from quotas.services.calendar import holiday_create
from quotas.services.plans import quota_plan_archive

from ..factories import MembershipFactory, TeamFactory
from .conftest import WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
NEXT_WEEK = WEEK_START + timedelta(days=7)


def url(org, name, plan=None, **params):
    kwargs = {"org_slug": org.slug}
    if plan is not None:
        kwargs["plan_pk"] = plan.pk
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(f"quotas:plan-{name}", kwargs=kwargs) + (f"?{query}" if query else "")


def line(type_key, target, topic="", distinct=False, delete=False):
    return {"type": type_key, "target": target, "topic": topic, "distinct": distinct, "delete": delete}


def form_data(org, *, lines=(line("outbound_calls", "250"),), initial_lines=0, **overrides):
    """What the browser posts: the plan, the lines formset (prefix "lines") and the version fields."""
    data = {
        "name": "Outbound calls 250",
        "period_kind": "week",
        "scope": "team",
        "team": org.team.pk,
        "rep": "",
        "points_target": "",
        "effective_from": "",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial_lines),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(lines):
        activity_type = row["type"]
        data[f"lines-{index}-activity_type"] = (
            org.types[activity_type].pk if isinstance(activity_type, str) and activity_type in org.types else activity_type
        )
        data[f"lines-{index}-target"] = row["target"]
        data[f"lines-{index}-topic"] = row["topic"]
        if row["distinct"]:
            data[f"lines-{index}-distinct_contacts"] = "on"
        if row["delete"]:
            data[f"lines-{index}-DELETE"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(org, **overrides):
    """The edit page's post for the `team_plan` fixture: its name, the lines as given."""
    return form_data(org, **{"name": "Team calls", **overrides})


def snapshot():
    return [
        sorted(QuotaPlan.objects.values_list("pk", "name", "scope", "team_id", "rep_id", "archived_at")),
        sorted(QuotaPlanVersion.objects.values_list("pk", "plan_id", "number", "effective_from", "points_target", "note")),
        sorted(QuotaLine.objects.values_list("pk", "version_id", "activity_type_id", "target", "topic")),
    ]


def lines_of(version):
    return sorted(
        (line.activity_type.default_key, line.target, line.topic, line.distinct_contacts) for line in version.lines.all()
    )


@pytest.fixture
def as_member(client):
    def sign_in(member):
        client.force_login(member.user)
        return client

    return sign_in


@pytest.fixture
def team_plan(org_a, make_plan):
    return make_plan(org_a, actor=org_a.manager, scope="team", team=org_a.team, name="Team calls", lines={"outbound_calls": 250})


# Create ----------------------------------------------------------------------------------------


def test_manager_creates_a_team_plan_and_version_1_starts_this_period(org_a, as_member):
    client = as_member(org_a.manager)
    data = form_data(
        org_a,
        lines=[
            line("outbound_calls", "250"),
            line("social_contacts", "50", topic="  Retirement Planning ", distinct=True),
            line("", ""),  # an empty extra row is ignored
        ],
        points_target="600",
        note="First targets",
    )
    response = client.post(url(org_a, "create"), data)
    plan = QuotaPlan.objects.get(organization=org_a.organization, name="Outbound calls 250")
    assert response.status_code == 302 and response.url == url(org_a, "detail", plan)
    assert (plan.scope, plan.team, plan.period_kind, plan.created_by) == ("team", org_a.team, "week", org_a.manager.user)
    version = plan.versions.get()
    assert (version.number, version.effective_from, version.points_target, version.note) == (1, WEEK_START, 600, "First targets")
    assert version.published_by == org_a.manager.user
    assert lines_of(version) == [
        ("outbound_calls", Decimal(250), "", False),
        ("social_contacts", Decimal(50), "retirement planning", True),
    ]
    page = client.get(response.url).content.decode()
    assert "Plan Outbound calls 250 created: version 1 applies from" in page


def test_admin_creates_an_organization_wide_plan_from_a_later_month(org_a, as_member):
    client = as_member(org_a.admin)
    data = form_data(org_a, name="Monthly revenue", period_kind="month", scope="organization", team="",
                     lines=[line("revenue", "400000.50")], effective_from="2027-01-01")  # fmt: skip
    assert client.post(url(org_a, "create"), data).status_code == 302
    plan = QuotaPlan.objects.get(name="Monthly revenue")
    assert (plan.scope, plan.team) == ("organization", None)
    version = plan.versions.get()
    assert version.effective_from == date(2027, 1, 1)
    assert lines_of(version) == [("revenue", Decimal("400000.50"), "", False)]


def test_targets_are_typed_as_people_write_them_in_swedish(org_a, as_member):
    org_a.organization.language = "sv"
    org_a.organization.save(update_fields=["language"])
    data = form_data(org_a, lines=[line("revenue", "400 000,50"), line("outbound_calls", "1\u00a0250")], points_target="600")
    assert as_member(org_a.admin).post(url(org_a, "create"), data).status_code == 302
    version = QuotaPlanVersion.objects.get()
    assert sorted(line.target for line in version.lines.all()) == [Decimal(1250), Decimal("400000.50")]


def test_admin_creates_a_plan_for_one_rep_and_one_for_reps_in_probation(org_a, as_member):
    client = as_member(org_a.admin)
    assert client.post(url(org_a, "create"), form_data(org_a, name="Own", scope="rep", rep=org_a.rep.pk)).status_code == 302
    data = form_data(org_a, name="Probation", scope="probation", team="")
    assert client.post(url(org_a, "create"), data).status_code == 302
    assert QuotaPlan.objects.get(name="Own").rep == org_a.rep
    probation = QuotaPlan.objects.get(name="Probation")
    assert (probation.scope, probation.team, probation.rep) == ("probation", None, None)  # every team's


def test_create_page_offers_the_current_period_and_the_next_12_starts(org_a, as_member):
    response = as_member(org_a.manager).get(url(org_a, "create"))
    field = response.context["version_form"].fields["effective_from"]
    values = [value for value, _label in field.widget.choices]
    assert values[0] == "" and values[1] == NEXT_WEEK.isoformat() and len(values) == 13
    form = response.context["plan_form"]
    # A manager writes plans for teams they lead, those teams' reps, and those teams' reps in probation.
    assert [value for value, _label in form.fields["scope"].choices] == ["team", "rep", "probation"]
    assert list(form.fields["team"].queryset) == [org_a.team]
    assert list(form.fields["rep"].queryset) == [org_a.rep]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"effective_from": "2026-11-16"}, "effective_from", "at the earliest"),  # a past week
        ({"effective_from": "2026-12-02"}, "effective_from", "A version starts with a period: pick"),  # a Wednesday
        ({"effective_from": "next monday"}, "effective_from", "Enter a valid date."),
        ({"name": ""}, "name", "This field is required."),
        ({"team": ""}, "team", "Choose the team this plan applies to."),
        ({"scope": "rep", "team": ""}, "rep", "Choose the rep this plan applies to."),
        ({"points_target": "-1", "lines-TOTAL_FORMS": "0"}, "points_target", "A target must be above 0."),
    ],
)
def test_bad_plan_input_is_refused_with_a_message_and_nothing_is_saved(org_a, as_member, overrides, field, message):
    before = snapshot()
    response = as_member(org_a.admin).post(url(org_a, "create"), form_data(org_a, **overrides))
    assert response.status_code == 200
    forms = [response.context["plan_form"], response.context["version_form"]]
    errors = [str(error) for form in forms for error in form.errors.get(field, [])]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line("outbound_calls", "0")], "A target must be above 0."),
        ([line("outbound_calls", "-5")], "A target must be above 0."),
        ([line("outbound_calls", "")], "Enter a target for this line."),
        ([line("", "250")], "Choose a type for this line."),
        ([line("outbound_calls", "lots")], "Enter a number."),
        ([line("outbound_calls", "2.5")], "Outbound calls is counted in whole numbers: use a whole target."),
        ([line("outbound_calls", "250"), line("outbound_calls", "300")], "Outbound calls has two identical lines"),
        ([line("", "")], "Add at least one line or a points target."),
        ([line("outbound_calls", "250", delete=True)], "Add at least one line or a points target."),
    ],
)
def test_bad_lines_are_refused_with_a_message_and_nothing_is_saved(org_a, as_member, lines, message):
    before = snapshot()
    response = as_member(org_a.manager).post(url(org_a, "create"), form_data(org_a, lines=lines))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides",
    [
        lambda a, b: {"team": b.team.pk},
        lambda a, b: {"scope": "rep", "team": "", "rep": b.rep.pk},
        lambda a, b: {"lines-0-activity_type": b.types["outbound_calls"].pk},
    ],
    ids=["team", "rep", "type"],
)
def test_another_organizations_team_rep_or_type_in_the_post_is_rejected(world, as_member, overrides):
    before = snapshot()
    response = as_member(world.a.admin).post(url(world.a, "create"), form_data(world.a, **overrides(world.a, world.b)))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_an_archived_type_is_not_offered(org_a, as_member):
    org_a.types["demos"].archived_at = timezone.now()
    org_a.types["demos"].save(update_fields=["archived_at"])
    client = as_member(org_a.admin)
    response = client.post(url(org_a, "create"), form_data(org_a, lines=[line("demos", "3")]))
    assert "Select a valid choice" in response.content.decode()
    assert not QuotaPlan.objects.exists()


def test_a_manager_writes_probation_plans_for_their_teams_only_and_no_organization_wide_plan(org_a, as_member):
    other_team = TeamFactory(organization=org_a.organization, name="Other team")
    client = as_member(org_a.manager)
    response = client.post(url(org_a, "create"), form_data(org_a, scope="organization", team=""))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(url(org_a, "create"), form_data(org_a, scope="probation", team=""))
    assert "Choose the team whose reps in probation this plan applies to." in response.content.decode()
    response = client.post(url(org_a, "create"), form_data(org_a, scope="probation", team=other_team.pk))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not QuotaPlan.objects.exists()

    assert client.post(url(org_a, "create"), form_data(org_a, name="Ramp-up", scope="probation")).status_code == 302
    plan = QuotaPlan.objects.get(name="Ramp-up")
    assert (plan.scope, plan.team, plan.rep) == ("probation", org_a.team, None)
    assert "Reps in probation · Alpha Advisors Sales" in client.get(url(org_a, "list")).content.decode()
    # It applies to the team's reps in probation, not to another team's.
    day = org_a.organization.local_today()
    on_probation = {"employment_start": day - timedelta(days=30), "probation_end": day + timedelta(days=60)}
    mine = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team, **on_probation)
    theirs = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team, **on_probation)
    assert plan_applies(plan, mine, day, day) and not plan_applies(plan, theirs, day, day)


def test_a_manager_cannot_create_a_plan_for_a_team_or_rep_they_do_not_lead(org_a, as_member):
    other_team = TeamFactory(organization=org_a.organization, name="Other team")
    other_rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=other_team)
    client = as_member(org_a.manager)
    for overrides in ({"team": other_team.pk}, {"scope": "rep", "team": "", "rep": other_rep.pk}):
        response = client.post(url(org_a, "create"), form_data(org_a, **overrides))
        assert "Select a valid choice" in response.content.decode()
    assert not QuotaPlan.objects.exists()


def test_a_duplicate_plan_name_is_refused(org_a, as_member, team_plan):
    before = snapshot()
    response = as_member(org_a.admin).post(url(org_a, "create"), form_data(org_a, name="team CALLS"))
    assert "A plan with this name already exists." in response.content.decode()
    assert snapshot() == before


def test_add_a_line_shows_one_more_empty_line_and_saves_nothing(org_a, as_member):
    data = form_data(org_a, lines=[line("outbound_calls", "250")], add_line="1")
    response = as_member(org_a.manager).post(url(org_a, "create"), data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines.total_form_count() == 2
    assert 'name="lines-1-activity_type"' in response.content.decode()
    assert lines.forms[0]["target"].value() == "250"  # what was typed stays
    assert not QuotaPlan.objects.exists()


def test_the_form_offers_the_organizations_topics(org_a, as_member):
    org_a.entry.topic = "retirement planning"
    org_a.entry.save(update_fields=["topic"])
    page = as_member(org_a.manager).get(url(org_a, "create")).content.decode()
    assert '<datalist id="topic-suggestions"><option value="retirement planning">' in page


def test_form_choice_queries_do_not_grow_with_lines(org_a, as_member):
    client = as_member(org_a.admin)

    def queries(count):
        data = form_data(org_a, lines=[line("outbound_calls", "1", topic=f"t{n}") for n in range(count)], preview="1")
        cache.clear()  # both counts include the topic suggestions' query
        with CaptureQueriesContext(connection) as context:
            assert client.post(url(org_a, "create"), data).status_code == 200
        return len(context)

    assert queries(2) == queries(12)


# Preview ---------------------------------------------------------------------------------------


def test_preview_shows_who_gets_what_and_saves_nothing(org_a, as_member, employed):
    Membership.objects.filter(pk=employed.pk).update(fte_percent=80)
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 11, 26), name="Founders' day")
    newcomer = MembershipFactory(
        organization=org_a.organization, role=Role.REP, team=org_a.team, user__first_name="Nora", employment_start=WEEK_START
    )
    elsewhere = MembershipFactory(organization=org_a.organization, role=Role.REP, team=TeamFactory(organization=org_a.organization))
    before = snapshot()
    data = form_data(org_a, lines=[line("outbound_calls", "250"), line("revenue", "10000")], preview="1")
    response = as_member(org_a.manager).post(url(org_a, "create"), data)
    assert response.status_code == 200
    assert snapshot() == before
    preview = response.context["preview"]
    assert (preview.start, preview.end) == (WEEK_START, WEEK_START + timedelta(days=6))
    rows = {row.rep.pk: row for row in preview.rows}
    assert set(rows) == {employed.pk, newcomer.pk}  # the team's reps, not the other team's
    assert elsewhere.pk not in rows
    calls = rows[employed.pk].targets[0]
    assert calls.target.value == 160  # 250 × 4/5 days × 80 %
    assert calls.target.explanation == "250 → 160: 1 holiday, 80 % FTE"
    assert rows[employed.pk].targets[1].target.value == Decimal("6400.00")
    assert rows[newcomer.pk].targets[0].target.value == 200  # 4 of 5 days: the holiday
    page = response.content.decode()
    assert "Who gets what target" in page and "250 → 160: 1 holiday, 80 % FTE" in page


def test_preview_counts_approved_leave_and_marks_lines_a_more_specific_plan_replaces(org_a, as_member, employed, make_plan):
    Leave.objects.create(
        organization=org_a.organization, rep=employed, start=date(2026, 11, 23), end=date(2026, 11, 24),
        status=LeaveStatus.APPROVED,
    )  # fmt: skip
    make_plan(org_a, scope="rep", rep=employed, name="Own calls", lines={"outbound_calls": 100})
    data = form_data(org_a, scope="organization", team="", lines=[line("outbound_calls", "250"), line("meetings", "10")],
                     preview="1")  # fmt: skip
    response = as_member(org_a.admin).post(url(org_a, "create"), data)
    row = next(row for row in response.context["preview"].rows if row.rep.pk == employed.pk)
    calls, meetings = row.targets
    assert calls.target.value == 150 and calls.target.explanation == "250 → 150: 2 days of leave"
    assert calls.replaced_by.name == "Own calls" and meetings.replaced_by is None
    assert "Replaced by Own calls for this rep" in response.content.decode()


def test_preview_of_an_edit_is_for_the_period_the_version_would_start_in(org_a, as_member, team_plan, employed):
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 8), name="Company day")
    before = snapshot()
    data = edit_data(org_a, lines=[line("outbound_calls", "300")], effective_from="2026-12-07", preview="1")
    response = as_member(org_a.manager).post(url(org_a, "update", team_plan), data)
    preview = response.context["preview"]
    assert preview.start == date(2026, 12, 7)
    row = next(row for row in preview.rows if row.rep.pk == employed.pk)
    assert row.targets[0].target.value == 240 and row.targets[0].replaced_by is None  # not replaced by its own self
    assert snapshot() == before


def test_preview_queries_do_not_grow_with_reps(org_a, as_member):
    client = as_member(org_a.admin)
    data = form_data(org_a, scope="organization", team="", points_target="600", preview="1",
                     lines=[line("outbound_calls", "250"), line("meetings", "10")])  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.post(url(org_a, "create"), data)
        return len(context), len(response.context["preview"].rows)

    queries()  # the topic suggestions are counted once, then cached
    few, rows = queries()
    for n in range(20):
        MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team if n % 2 else None)
    many, more_rows = queries()
    assert (rows, more_rows) == (1, 21)
    assert many == few


# Edit: versions --------------------------------------------------------------------------------


def test_edit_publishes_version_2_from_the_next_period_and_leaves_version_1(org_a, as_member, team_plan):
    client = as_member(org_a.manager)
    page = client.get(url(org_a, "update", team_plan))
    assert page.status_code == 200
    assert page.context["version_form"]["effective_from"].value() == NEXT_WEEK
    assert page.context["lines"].forms[0]["target"].value() == Decimal(250)
    data = edit_data(org_a, lines=[line("outbound_calls", "200"), line("meetings", "5")], initial_lines=1,
                     effective_from=NEXT_WEEK.isoformat(), note="Fewer calls, more meetings")  # fmt: skip
    response = client.post(url(org_a, "update", team_plan), data)
    assert response.status_code == 302 and response.url == url(org_a, "detail", team_plan)
    v1, v2 = team_plan.versions.order_by("number")
    assert (v1.effective_from, lines_of(v1)) == (WEEK_START, [("outbound_calls", Decimal(250), "", False)])
    assert (v2.number, v2.effective_from, v2.note, v2.published_by) == (2, NEXT_WEEK, "Fewer calls, more meetings", org_a.manager.user)
    assert lines_of(v2) == [("meetings", Decimal(5), "", False), ("outbound_calls", Decimal(200), "", False)]
    assert "Version 2 of Team calls published: it applies from" in client.get(response.url).content.decode()


def test_edit_can_start_a_later_period(org_a, as_member, team_plan):
    response = as_member(org_a.manager).post(
        url(org_a, "update", team_plan), edit_data(org_a, lines=[line("outbound_calls", "300")], effective_from="2026-12-14")
    )
    assert response.status_code == 302
    assert team_plan.versions.get(number=2).effective_from == date(2026, 12, 14)


def test_edit_offers_the_next_12_period_starts(org_a, as_member, team_plan):
    response = as_member(org_a.manager).get(url(org_a, "update", team_plan))
    values = [value for value, _label in response.context["version_form"].fields["effective_from"].widget.choices]
    assert values == [(NEXT_WEEK + timedelta(weeks=n)).isoformat() for n in range(12)]
    # Who and which period are fixed once a plan exists.
    assert set(response.context["plan_form"].fields) == {"name"}


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        (WEEK_START.isoformat(), "A change can start on"),  # the current period
        ((WEEK_START - timedelta(days=7)).isoformat(), "A change can start on"),
        ("2026-12-01", "A version starts with a period: pick"),  # a Tuesday
        ("", "This field is required."),
        ("1st of December", "Enter a valid date."),
    ],
)
def test_an_edit_starting_in_the_current_period_or_mid_period_is_refused(org_a, as_member, team_plan, effective_from, message):
    before = snapshot()
    data = edit_data(org_a, lines=[line("outbound_calls", "300")], effective_from=effective_from)
    response = as_member(org_a.manager).post(url(org_a, "update", team_plan), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_two_versions_cannot_start_on_the_same_day(org_a, as_member, team_plan):
    client = as_member(org_a.manager)
    client.post(url(org_a, "update", team_plan), edit_data(org_a, lines=[line("outbound_calls", "300")], effective_from=NEXT_WEEK))
    before = snapshot()
    response = client.post(
        url(org_a, "update", team_plan), edit_data(org_a, lines=[line("outbound_calls", "310")], effective_from=NEXT_WEEK)
    )
    assert "Another version of this plan already starts on that date." in response.content.decode()
    assert snapshot() == before


def test_rename_only_changes_the_name_and_publishes_no_version(org_a, as_member, team_plan):
    client = as_member(org_a.manager)
    response = client.post(
        url(org_a, "update", team_plan),
        edit_data(org_a, name="Team calls (weekly)", lines=[line("outbound_calls", "250.00")], effective_from=NEXT_WEEK),
    )
    assert response.status_code == 302
    team_plan.refresh_from_db()
    assert team_plan.name == "Team calls (weekly)" and team_plan.versions.count() == 1
    assert "no new version" in client.get(response.url).content.decode()


def test_a_refused_edit_changes_neither_name_nor_targets(org_a, as_member, team_plan, make_plan):
    make_plan(org_a, scope="team", team=org_a.team, name="Taken", lines={"meetings": 4})
    before = snapshot()
    response = as_member(org_a.manager).post(
        url(org_a, "update", team_plan),
        edit_data(org_a, name="Taken", lines=[line("outbound_calls", "300")], effective_from=NEXT_WEEK),
    )
    assert "A plan with this name already exists." in response.content.decode()
    assert "Edit Team calls" in response.content.decode()  # the saved name, not the refused one
    assert snapshot() == before


def test_bad_lines_in_an_edit_are_refused_and_nothing_is_saved(org_a, as_member, team_plan):
    before = snapshot()
    for lines in ([line("outbound_calls", "0")], [line("outbound_calls", "250", delete=True)]):
        response = as_member(org_a.manager).post(
            url(org_a, "update", team_plan), edit_data(org_a, lines=lines, effective_from=NEXT_WEEK)
        )
        assert response.status_code == 200
    assert snapshot() == before


def test_an_archived_plan_cannot_get_a_new_version(org_a, as_member, team_plan):
    quota_plan_archive(organization=org_a.organization, actor=org_a.admin, plan=team_plan)
    before = snapshot()
    response = as_member(org_a.admin).post(
        url(org_a, "update", team_plan), edit_data(org_a, lines=[line("outbound_calls", "300")], effective_from=NEXT_WEEK)
    )
    assert "This plan is archived." in response.content.decode()
    assert snapshot() == before


# Who may do what -------------------------------------------------------------------------------


def test_a_manager_gets_403_for_a_plan_of_a_team_they_do_not_lead(org_a, as_member, make_plan):
    other_team = TeamFactory(organization=org_a.organization, name="Other team")
    plan = make_plan(org_a, scope="team", team=other_team, name="Other calls", lines={"outbound_calls": 100})
    company = make_plan(org_a, scope="organization", name="Everyone", lines={"meetings": 2})
    client = as_member(org_a.manager)
    before = snapshot()
    for target in (plan, company):
        assert client.get(url(org_a, "update", target)).status_code == 403
        assert client.post(url(org_a, "update", target), edit_data(org_a, effective_from=NEXT_WEEK)).status_code == 403
        assert client.post(url(org_a, "archive", target)).status_code == 403
        detail = client.get(url(org_a, "detail", target))
        assert detail.status_code == 200 and url(org_a, "update", target) not in detail.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.REP, Role.HR])
def test_reps_and_hr_read_plans_but_cannot_write_them(org_a, as_member, team_plan, role):
    client = as_member(org_a.members[role])
    before = snapshot()
    assert client.get(url(org_a, "create")).status_code == 403
    assert client.post(url(org_a, "create"), form_data(org_a)).status_code == 403
    assert client.get(url(org_a, "update", team_plan)).status_code == 403
    assert client.post(url(org_a, "update", team_plan), edit_data(org_a, effective_from=NEXT_WEEK)).status_code == 403
    assert client.post(url(org_a, "archive", team_plan)).status_code == 403
    assert snapshot() == before
    listing = client.get(url(org_a, "list"))
    assert listing.status_code == 200 and "Team calls" in listing.content.decode()
    assert url(org_a, "create") not in listing.content.decode()
    detail = client.get(url(org_a, "detail", team_plan)).content.decode()
    assert "Outbound calls" in detail and url(org_a, "update", team_plan) not in detail


@pytest.mark.parametrize("role", list(Role))
def test_every_member_finds_plans_in_the_navigation(org_a, as_member, role):
    page = as_member(org_a.members[role]).get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug}))
    assert f'href="{url(org_a, "list")}"' in page.content.decode()


# List, detail, archive ---------------------------------------------------------------------------


def test_list_shows_who_each_plan_applies_to_its_version_and_lines(org_a, as_member, make_plan, team_plan):
    make_plan(org_a, scope="organization", name="Everyone", kind="month", lines={"meetings": 8, "demos": 2})
    make_plan(org_a, scope="rep", rep=org_a.rep, name="Own", lines={"outbound_calls": 90})
    make_plan(org_a, scope="probation", name="Probation", lines={"outbound_calls": 250}, effective_from=NEXT_WEEK)
    response = as_member(org_a.rep).get(url(org_a, "list"))
    rows = {row.record.name: [cell for _column, cell in row.items()] for row in response.context["table"].rows}
    since = date_format(date(2026, 11, 1), "SHORT_DATE_FORMAT")
    assert rows["Everyone"][1:] == ["All reps", "Month", f"Version 1 since {since}", 2, "Active"]
    assert rows["Team calls"][1] == org_a.team.name
    assert rows["Own"][1] == org_a.rep.user.display_name
    assert rows["Probation"][1:4] == ["Reps in probation", "Week", f"Version 1 from {date_format(NEXT_WEEK, 'SHORT_DATE_FORMAT')}"]


def test_archived_plans_are_hidden_unless_asked_for(org_a, as_member, team_plan, make_plan):
    make_plan(org_a, scope="organization", name="Everyone", lines={"meetings": 8})
    quota_plan_archive(organization=org_a.organization, actor=org_a.admin, plan=team_plan)
    client = as_member(org_a.hr)

    def names(**params):
        return [row.record.name for row in client.get(url(org_a, "list", **params)).context["table"].rows]

    assert names() == ["Everyone"]
    assert names(status="archived") == ["Team calls"]
    assert names(status="all") == ["Everyone", "Team calls"]
    assert names(scope="team", status="all") == ["Team calls"]


def test_list_queries_do_not_grow_with_plans(org_a, as_member, make_plan):
    client = as_member(org_a.admin)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(org_a, "list", status="all")).status_code == 200
        return len(context)

    def add(count, start):
        for n in range(start, start + count):
            scope = ["organization", "team", "rep", "probation"][n % 4]
            extra = {"team": org_a.team} if scope == "team" else {"rep": org_a.rep} if scope == "rep" else {}
            make_plan(org_a, scope=scope, name=f"Plan {n}", lines={"outbound_calls": 10 + n, "meetings": 2}, **extra)

    add(3, 0)
    few = queries()
    add(27, 3)
    assert queries() == few


def test_detail_shows_current_lines_and_the_version_history(org_a, as_member, team_plan):
    client = as_member(org_a.manager)
    client.post(
        url(org_a, "update", team_plan),
        edit_data(org_a, lines=[line("outbound_calls", "200"), line("social_contacts", "50", topic="retirement planning")],
                  points_target="600", effective_from=NEXT_WEEK, note="Fewer calls"),
    )  # fmt: skip
    response = as_member(org_a.rep).get(url(org_a, "detail", team_plan))
    history = response.context["history"]
    assert [entry.version.number for entry in history] == [2, 1]
    assert [entry.state for entry in history] == ["scheduled", "current"]
    assert history[0].changes == [
        "Outbound calls: 250 → 200",
        "Added Social contacts tagged “retirement planning”: 50",
        "Added a points target: 600",
    ]
    assert history[1].changes == []
    assert response.context["current"].version.number == 1
    page = response.content.decode()
    assert "Version 2 takes over on" in page and "Fewer calls" in page and "The first version." in page


def test_archive_and_restore(org_a, as_member, team_plan):
    client = as_member(org_a.manager)
    response = client.post(url(org_a, "archive", team_plan))
    assert response.status_code == 302 and response.url == url(org_a, "detail", team_plan)
    team_plan.refresh_from_db()
    assert team_plan.is_archived
    page = client.get(response.url).content.decode()
    assert "Team calls archived" in page and url(org_a, "unarchive", team_plan) in page
    client.post(url(org_a, "unarchive", team_plan))
    team_plan.refresh_from_db()
    assert not team_plan.is_archived
    assert team_plan.versions.count() == 1


def test_archive_is_post_only(org_a, as_member, team_plan):
    assert as_member(org_a.manager).get(url(org_a, "archive", team_plan)).status_code == 405


def test_another_organizations_plan_is_404(world, as_member, make_plan):
    plan = make_plan(world.b, scope="organization", name="Beta plan", lines={"outbound_calls": 10})
    client = as_member(world.a.owner)
    for name in ("detail", "update"):
        assert client.get(url(world.a, name, plan)).status_code == 404
    for name in ("archive", "unarchive"):
        assert client.post(url(world.a, name, plan)).status_code == 404
    assert "Beta plan" not in client.get(url(world.a, "list", status="all")).content.decode()
    plan.refresh_from_db()
    assert not plan.is_archived
