"""The activity history page: who sees which rows, filters, sorting, totals, CSV / XLSX export."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from activities.models import ActivityEntry, Source

from ..factories import ActivityEntryFactory, MembershipFactory, TeamFactory

DAY = date(2026, 3, 16)
EARLY = DAY - timedelta(days=10)
HEADER = ["Date", "Sales rep", "Team", "Type", "Quantity", "Unit", "Topic", "Note", "Contact", "Source", "Entered by"]


def url_for(org, **params):
    url = reverse("activities:entry-list", kwargs={"org_slug": org.slug})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def shown(response) -> list[int]:
    """The entry ids on the page, in order."""
    return [row.record.pk for row in response.context["table"].paginated_rows]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def people(org_a):
    """Besides org_a.rep: a teammate in the manager's team, and a rep of a team the manager does not lead."""
    other_team = TeamFactory(organization=org_a.organization, name="Gamma Desk")
    teammate = MembershipFactory(
        organization=org_a.organization, role=Role.REP, team=org_a.team, user__first_name="Tove", user__last_name="T"
    )
    outsider = MembershipFactory(
        organization=org_a.organization, role=Role.REP, team=other_team, user__first_name="Olle", user__last_name="O"
    )
    org_a.rep.user.first_name, org_a.rep.user.last_name = "Raj", "R"
    org_a.rep.user.save(update_fields=["first_name", "last_name"])
    return org_a, teammate, outsider, other_team


@pytest.fixture
def entries(people, org_b):
    """One entry of every rep, with a distinctive note, plus one of the other organization."""
    org, teammate, outsider, _ = people
    calls = org.types["outbound_calls"]
    return {
        "own": ActivityEntryFactory(rep=org.rep, activity_type=calls, date=DAY, quantity=4, note="own-note"),
        "teammate": ActivityEntryFactory(rep=teammate, activity_type=calls, date=DAY, quantity=5, note="teammate-note"),
        "outsider": ActivityEntryFactory(rep=outsider, activity_type=calls, date=DAY, quantity=6, note="outsider-note"),
        "foreign": ActivityEntryFactory(
            rep=org_b.rep, activity_type=org_b.types["outbound_calls"], date=DAY, quantity=7, note="foreign-note"
        ),
    }


def add_entries(org, reps, count, *, start_day=DAY):
    """`count` entries spread over reps, count and money types and 30 days (bulk: tests of reads)."""
    types = [org.types["outbound_calls"], org.types["prospect_emails"], org.types["revenue"]]
    ActivityEntry.objects.bulk_create(
        ActivityEntry(
            organization=org.organization,
            rep=reps[(i // len(types)) % len(reps)],
            activity_type=types[i % len(types)],
            date=start_day - timedelta(days=i % 30),
            quantity=Decimal("1250.50") if i % len(types) == 2 else 1 + i % 7,
            note=f"bulk {i}",
            entered_by=reps[(i // len(types)) % len(reps)].user,
        )
        for i in range(count)
    )


# --- who sees what -------------------------------------------------------------------------------------------


def test_rep_sees_only_own_entries(client, org_a, entries):
    client.force_login(org_a.rep.user)
    response = client.get(url_for(org_a))
    assert response.status_code == 200
    assert set(shown(response)) == {entries["own"].pk, org_a.entry.pk}
    content = response.content.decode()
    assert "<h1>My activity</h1>" in content
    assert "own-note" in content
    for note in ("teammate-note", "outsider-note", "foreign-note"):
        assert note not in content


def test_rep_page_hides_the_rep_column_and_the_rep_and_team_filters(client, org_a, entries):
    client.force_login(org_a.rep.user)
    response = client.get(url_for(org_a))
    table = response.context["table"]
    assert "rep" not in [column.name for column in table.columns]
    assert set(response.context["filter"].form.fields) == {
        "date_from", "date_to", "activity_type", "topic", "source"
    }


def test_rep_cannot_widen_the_rows_with_another_reps_id(client, org_a, people, entries):
    _, teammate, _, _ = people
    client.force_login(org_a.rep.user)
    for params in ({"rep": teammate.pk}, {"team": org_a.team.pk}, {"rep": teammate.pk, "_export": "csv"}):
        response = client.get(url_for(org_a, **params))
        assert response.status_code == 200
        assert b"teammate-note" not in response.content


def test_manager_sees_the_reps_of_the_teams_they_lead(client, org_a, entries):
    client.force_login(org_a.manager.user)
    response = client.get(url_for(org_a))
    assert "<h1>Team activity</h1>" in response.content.decode()
    assert set(shown(response)) == {entries["own"].pk, entries["teammate"].pk, org_a.entry.pk}


@pytest.mark.parametrize("role", ["hr", "admin", "owner"])
def test_hr_admin_and_owner_see_every_rep_of_their_organization_only(client, org_a, entries, role):
    client.force_login(getattr(org_a, role).user)
    response = client.get(url_for(org_a))
    assert "<h1>All activity</h1>" in response.content.decode()
    assert set(shown(response)) == {entries[k].pk for k in ("own", "teammate", "outsider")} | {org_a.entry.pk}
    assert b"foreign-note" not in response.content


def test_the_navigation_links_to_the_page_for_every_role(client, org_a):
    for role in Role:
        client.force_login(org_a.members[role].user)
        response = client.get(reverse("activities:today", kwargs={"org_slug": org_a.slug}))
        assert f'href="{url_for(org_a)}"' in response.content.decode(), role


@pytest.mark.parametrize("export", [None, "csv", "xlsx"])
def test_member_of_another_organization_gets_404(client, world, entries, export):
    client.force_login(world.b.owner.user)
    response = client.get(url_for(world.a, **({"_export": export} if export else {})))
    assert response.status_code == 404


@pytest.mark.parametrize("field", ["rep", "team", "activity_type"])
@pytest.mark.parametrize("export", [None, "csv"])
def test_filtering_by_another_organizations_object_is_rejected(client, world, entries, field, export):
    foreign = {"rep": world.b.rep.pk, "team": world.b.team.pk, "activity_type": world.b.types["outbound_calls"].pk}
    client.force_login(world.a.owner.user)
    params = {field: foreign[field], **({"_export": export} if export else {})}
    response = client.get(url_for(world.a, **params))
    assert response.status_code == 200
    if export:
        assert csv_rows(response) == [HEADER]
    else:
        assert "Select a valid choice" in response.content.decode()
        assert shown(response) == []
    assert b"foreign-note" not in response.content


def test_manager_cannot_filter_by_a_rep_outside_their_teams(client, org_a, people, entries):
    _, _, outsider, other_team = people
    client.force_login(org_a.manager.user)
    response = client.get(url_for(org_a, rep=outsider.pk))
    assert "Select a valid choice" in response.content.decode()
    assert shown(response) == []
    # A team they do not lead is a valid choice (teams are listed) but shows none of its reps' entries.
    response = client.get(url_for(org_a, team=other_team.pk))
    assert shown(response) == []
    assert b"outsider-note" not in response.content


# --- filters ---------------------------------------------------------------------------------------------------


@pytest.fixture
def varied(people):
    """Entries differing in one attribute each, all visible to the admin."""
    org, teammate, outsider, _ = people
    calls, revenue = org.types["outbound_calls"], org.types["revenue"]
    return org, {
        "early": ActivityEntryFactory(rep=org.rep, activity_type=calls, date=EARLY, quantity=1),
        "revenue": ActivityEntryFactory(rep=org.rep, activity_type=revenue, date=DAY, quantity="999.90"),
        "teammate": ActivityEntryFactory(rep=teammate, activity_type=calls, date=DAY, quantity=2),
        "outsider": ActivityEntryFactory(rep=outsider, activity_type=calls, date=DAY, quantity=3),
        "topic": ActivityEntryFactory(
            rep=org.rep, activity_type=calls, date=DAY, quantity=4, topic="Retirement planning"
        ),
        "imported": ActivityEntryFactory(rep=org.rep, activity_type=calls, date=DAY, quantity=5, source=Source.IMPORT),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda o, p: {"date_to": (DAY - timedelta(days=1)).isoformat()}, {"early"}),
        (
            lambda o, p: {"date_from": EARLY.isoformat(), "date_to": EARLY.isoformat()},
            {"early"},
        ),
        (lambda o, p: {"activity_type": o.types["revenue"].pk}, {"revenue"}),
        (lambda o, p: {"rep": p[1].pk}, {"teammate"}),
        (lambda o, p: {"team": p[3].pk}, {"outsider"}),
        (lambda o, p: {"topic": "retirement"}, {"topic"}),
        (lambda o, p: {"source": "import"}, {"imported"}),
        (lambda o, p: {"source": "api"}, set()),
    ],
    ids=["date-to", "date-range", "type", "rep", "team", "topic", "source", "source-none"],
)
def test_each_filter_narrows_the_rows(client, people, varied, params, expected):
    org, entries = varied
    client.force_login(org.admin.user)
    response = client.get(url_for(org, **params(org, people)))
    assert response.status_code == 200
    assert not response.context["filter"].errors
    assert set(shown(response)) == {entries[key].pk for key in expected}


def test_date_from_excludes_earlier_days(client, varied):
    org, entries = varied
    client.force_login(org.admin.user)
    response = client.get(url_for(org, date_from=DAY.isoformat()))
    assert entries["early"].pk not in shown(response)
    assert entries["revenue"].pk in shown(response)


def test_filter_choices_are_the_organizations_own(client, world, people):
    org, teammate, outsider, other_team = people
    archived = org.types["demos"]
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    client.force_login(org.manager.user)
    form = client.get(url_for(org)).context["filter"].form
    assert set(form.fields["activity_type"].queryset) == set(org.types.values())  # archived types included
    assert "Demos (archived)" in [label for _, label in form.fields["activity_type"].choices]
    assert set(form.fields["rep"].queryset) == {org.rep, teammate}  # the manager's teams only
    assert set(form.fields["team"].queryset) == {org.team, other_team}
    assert world.b.team not in form.fields["team"].queryset


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "not-a-date"}, "Enter a valid date."),
        ({"rep": "abc"}, "Select a valid choice"),
        ({"activity_type": "999999"}, "Select a valid choice"),
        ({"source": "fax"}, "Select a valid choice"),
        (
            {"date_from": DAY.isoformat(), "date_to": (DAY - timedelta(days=1)).isoformat()},
            "The end date is before the start date.",
        ),
    ],
)
def test_invalid_filter_input_shows_the_error_and_no_rows(client, org_a, entries, params, message):
    client.force_login(org_a.admin.user)
    response = client.get(url_for(org_a, **params))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert shown(response) == []
    assert response.context["totals"]["count"] == 0


@pytest.mark.parametrize(
    "params", [{"page": "999"}, {"page": "abc"}, {"sort": "nonsense"}, {"sort": "note"}, {"_export": "json"}]
)
def test_odd_page_sort_or_format_values_still_show_the_page(client, org_a, entries, params):
    client.force_login(org_a.admin.user)
    response = client.get(url_for(org_a, **params))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert entries["own"].pk in shown(response)


# --- sorting, pagination, totals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("quantity", lambda e: (e.quantity, e.pk)),
        ("-quantity", lambda e: (-e.quantity, -e.pk)),
        ("date", lambda e: (e.date, e.created_at, e.pk)),
        ("rep", lambda e: (e.rep.user.first_name, -e.date.toordinal(), -e.pk)),
        ("activity_type", lambda e: (e.activity_type.name, -e.date.toordinal(), -e.pk)),
    ],
)
def test_sorting_by_a_column(client, varied, sort, key):
    org, entries = varied
    client.force_login(org.admin.user)
    response = client.get(url_for(org, sort=sort))
    every = ActivityEntry.objects.filter(organization=org.organization).select_related("rep__user", "activity_type")
    assert shown(response) == [e.pk for e in sorted(every, key=key)]


def test_default_order_is_newest_first(client, varied):
    org, entries = varied
    client.force_login(org.admin.user)
    ids = shown(client.get(url_for(org)))
    assert ids[-1] == entries["early"].pk


def test_pages_of_50_with_totals_over_every_filtered_row(client, org_a):
    add_entries(org_a, [org_a.rep], 74)  # + org_a.entry (3 calls) = 75 entries
    client.force_login(org_a.manager.user)
    first, second = client.get(url_for(org_a)), client.get(url_for(org_a, page=2))
    assert len(shown(first)) == 50 and len(shown(second)) == 25
    assert not set(shown(first)) & set(shown(second))
    expected_counts = sum(1 + i % 7 for i in range(74) if i % 3 != 2) + 3
    expected_money = Decimal("1250.50") * len([i for i in range(74) if i % 3 == 2])
    for response in (first, second):
        totals = response.context["totals"]
        assert (totals["count"], totals["count_total"], totals["money_total"]) == (75, expected_counts, expected_money)
        content = response.content.decode()
        assert "75 entries" in content
        assert f"SEK\xa0{expected_money:,.2f}" in content
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' in second.content.decode()


def test_totals_follow_the_filters(client, varied):
    org, entries = varied
    client.force_login(org.admin.user)
    totals = client.get(url_for(org, activity_type=org.types["outbound_calls"].pk)).context["totals"]
    # The five call entries of `varied`, plus org_a.entry (3 calls).
    assert (totals["count"], totals["count_total"], totals["money_total"]) == (6, 1 + 2 + 3 + 4 + 5 + 3, None)
    totals = client.get(url_for(org, activity_type=org.types["revenue"].pk)).context["totals"]
    assert (totals["count"], totals["count_total"], totals["money_total"]) == (1, None, Decimal("999.90"))


def test_cells_show_money_with_two_decimals_on_behalf_and_escape_user_text(client, org_a):
    entry = ActivityEntryFactory(
        rep=org_a.rep,
        activity_type=org_a.types["revenue"],
        quantity="12500.5",
        note="<script>alert(1)</script>",
        entered_by=org_a.manager.user,
    )
    client.force_login(org_a.manager.user)
    content = client.get(url_for(org_a)).content.decode()
    assert '<td class="num">SEK\xa012,500.50</td>' in content
    assert f"{org_a.manager.user.display_name} (on behalf)" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert reverse("activities:entry-detail", kwargs={"org_slug": org_a.slug, "entry_pk": entry.pk}) in content


# --- export ----------------------------------------------------------------------------------------------------


def test_export_links_keep_the_current_filters_and_sort(client, org_a):
    client.force_login(org_a.admin.user)
    content = client.get(url_for(org_a, source="web", sort="-quantity", page=1)).content.decode()
    assert 'href="?source=web&amp;sort=-quantity&amp;_export=csv"' in content
    assert 'href="?source=web&amp;sort=-quantity&amp;_export=xlsx"' in content


def test_csv_export_is_exactly_the_filtered_rows_of_every_page_in_the_current_sort(client, people):
    org, teammate, outsider, _ = people
    add_entries(org, [org.rep, teammate, outsider], 240)
    client.force_login(org.manager.user)
    calls = org.types["outbound_calls"]
    response = client.get(url_for(org, activity_type=calls.pk, sort="-quantity", page=2, _export="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = org.organization.local_today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="activity-{org.slug}-{today}.csv"'
    expected = (
        ActivityEntry.objects.filter(organization=org.organization, activity_type=calls, rep__in=[org.rep, teammate])
        .select_related("rep__user", "rep__team", "entered_by")
        .order_by("-quantity", "date", "pk")
    )
    expected = [
        [
            e.date.isoformat(),
            e.rep.user.display_name,
            e.rep.team.name,
            "Outbound calls",
            str(int(e.quantity)),
            "calls",
            e.topic,
            e.note,
            e.contact,
            "Web",
            e.entered_by.display_name,
        ]
        for e in expected
    ]
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert len(rows) - 1 == len(expected) > 50  # every page, not just one
    assert sorted(rows[1:]) == sorted(expected)
    assert [int(row[4]) for row in rows[1:]] == sorted((int(row[4]) for row in rows[1:]), reverse=True)
    assert not any(row[1] == outsider.user.display_name for row in rows)


def test_xlsx_export_has_the_same_rows_with_real_numbers_and_dates(client, org_a):
    ActivityEntryFactory(rep=org_a.rep, activity_type=org_a.types["revenue"], date=DAY, quantity="1234.5")
    client.force_login(org_a.rep.user)
    csv_response = client.get(url_for(org_a, _export="csv"))
    response = client.get(url_for(org_a, _export="xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0] == HEADER
    by_type = {row[3]: row for row in rows[1:]}
    assert by_type["Revenue"][4] == pytest.approx(1234.5) and by_type["Revenue"][5] == "SEK"
    assert by_type["Outbound calls"][4] == 3
    assert by_type["Revenue"][0].date() == DAY
    assert len(rows) == len(csv_rows(csv_response))


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_exported_text_cannot_run_as_a_formula(client, org_a, export):
    ActivityEntryFactory(
        rep=org_a.rep,
        activity_type=org_a.types["revenue"],
        date=DAY,
        quantity="250.00",
        note='=HYPERLINK("http://evil")',
        topic="@SUM(1)",
        contact="+46 70 123 45 67",
    )
    ActivityEntryFactory(
        rep=org_a.rep, activity_type=org_a.types["outbound_calls"], date=DAY, note="-2+3", topic="\tcmd", contact="\rx"
    )
    client.force_login(org_a.admin.user)
    response = client.get(url_for(org_a, date_from=DAY.isoformat(), date_to=DAY.isoformat(), _export=export))
    rows = csv_rows(response) if export == "csv" else xlsx_rows(response)
    by_type = {row[3]: row for row in rows[1:]}
    assert by_type["Revenue"][6:9] == ["'@SUM(1)", "'=HYPERLINK(\"http://evil\")", "'+46 70 123 45 67"]
    assert by_type["Outbound calls"][6:8] == ["'\tcmd", "'-2+3"]
    assert by_type["Outbound calls"][8] in ("'\rx", "'\nx")  # XML (xlsx) stores a lone carriage return as \n
    # Numbers stay numbers.
    assert by_type["Revenue"][4] in ("250.00", 250)
    if export == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert {sheet.cell(row=r, column=5).data_type for r in range(2, sheet.max_row + 1)} == {"n"}


# --- queries ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [None, "csv", "xlsx"])
def test_query_count_does_not_grow_with_rows(client, people, django_assert_num_queries, export):
    org, teammate, _, _ = people
    params = {"_export": export} if export else {}
    client.force_login(org.manager.user)
    add_entries(org, [org.rep, teammate], 9)  # + org_a.entry = 10
    client.get(url_for(org, **params))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as at_ten:
        response = client.get(url_for(org, **params))
    assert response.status_code == 200
    add_entries(org, [org.rep, teammate], 990)
    with django_assert_num_queries(len(at_ten)):
        response = client.get(url_for(org, **params))
    if export:
        assert len(csv_rows(response) if export == "csv" else xlsx_rows(response)) == 1 + 1000
    else:
        assert response.context["totals"]["count"] == 1000 and len(shown(response)) == 50
    # Measured: 12 for the page (session, user, membership, totals, topics, count, page, filter choices,
    # navigation), 4 for the export (session, user, membership, rows).
    assert len(at_ten) <= (5 if export else 14)
