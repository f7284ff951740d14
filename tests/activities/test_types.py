"""Activity types: the defaults of a new organization, and what admins change (add, edit, reorder,
archive, restore). Types are never deleted; archiving hides them from logging and keeps their entries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.services import organization_create
from activities.models import ActivityEntry, ActivityType, Category, Kind
from activities.services.types import DEFAULT_TYPES, activity_type_create

from ..factories import ActivityEntryFactory, UserFactory

ENGLISH_DEFAULTS = [
    "Outbound calls",
    "Prospect e-mails",
    "Social contacts",
    "Tasks submitted",
    "Meetings",
    "Demos",
    "Opportunities created",
    "Deals won",
    "New customers",
    "Units sold",
    "Revenue",
]


def url(org, name, activity_type=None):
    kwargs = {"org_slug": org.slug}
    if activity_type is not None:
        kwargs["type_pk"] = activity_type.pk
    return reverse(f"activities:type-{name}", kwargs=kwargs)


def form_data(**overrides):
    return {"name": "Referrals", "category": "activity", "kind": "count", "unit_label": "referrals", "points": "2",
            **overrides}  # fmt: skip


def types_snapshot():
    return sorted(
        ActivityType.objects.values_list(
            "pk", "organization_id", "name", "category", "kind", "unit_label", "points", "position", "archived_at"
        )
    )


def active_order(org, category=Category.ACTIVITY):
    """Default keys (or names) of the organization's active types of a category, in the order shown."""
    types = ActivityType.objects.filter(organization=org.organization, category=category, archived_at__isnull=True)
    return [t.default_key or t.name for t in types.order_by("position", "pk")]


@pytest.fixture
def admin_client(client, org_a):
    client.force_login(org_a.admin.user)
    return client


# Defaults --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sv"])
def test_new_organization_gets_the_eleven_default_types_in_its_language(language):
    organization = organization_create(
        user=UserFactory(), name="Ny Byrå", slug=f"ny-{language}", language=language, currency="NOK"
    )
    types = list(ActivityType.objects.filter(organization=organization).order_by("position"))
    assert [t.default_key for t in types] == [key for key, *_rest in DEFAULT_TYPES]
    assert [t.position for t in types] == list(range(1, 12))
    with translation.override(language):
        assert [t.name for t in types] == [str(name) for _key, name, *_rest in DEFAULT_TYPES]
    if language == "en":
        assert [t.name for t in types] == ENGLISH_DEFAULTS
    by_key = {t.default_key: t for t in types}
    assert by_key["outbound_calls"].category == Category.ACTIVITY and by_key["outbound_calls"].points == 1
    assert by_key["meetings"].points == 5
    opportunities = by_key["opportunities_created"]
    assert opportunities.category == Category.OUTCOME and opportunities.points is None
    assert by_key["revenue"].kind == Kind.MONEY and by_key["revenue"].unit_label == "NOK"
    assert all(t.kind == Kind.COUNT for key, t in by_key.items() if key != "revenue")
    assert not any(t.is_archived for t in types)


# Create and edit -------------------------------------------------------------------------------


def test_admin_creates_a_type_at_the_end_of_its_list(admin_client, org_a):
    response = admin_client.post(url(org_a, "create"), form_data())
    created = ActivityType.objects.get(organization=org_a.organization, name="Referrals")
    assert response.status_code == 302 and response.url == f"{url(org_a, 'list')}#type-{created.pk}"
    assert (created.category, created.kind, created.unit_label, created.points) == ("activity", "count", "referrals", 2)
    assert created.position == 12 and created.default_key == ""
    page = admin_client.get(url(org_a, "list")).content.decode()
    assert f'id="type-{created.pk}"' in page and "Referrals" in page
    assert active_order(org_a)[-1] == "Referrals"


def test_points_are_optional_and_a_money_type_defaults_to_the_currency(admin_client, org_a):
    admin_client.post(url(org_a, "create"), form_data(name="Fees", kind="money", category="outcome", unit_label="",
                                                      points=""))  # fmt: skip
    fees = ActivityType.objects.get(organization=org_a.organization, name="Fees")
    assert fees.kind == Kind.MONEY and fees.unit_label == org_a.organization.currency and fees.points is None


def test_admin_renames_a_type_and_its_entries_keep_it(admin_client, org_a):
    calls = org_a.types["outbound_calls"]
    response = admin_client.post(url(org_a, "update", calls), form_data(name="Cold calls", unit_label="calls"))
    assert response.status_code == 302
    calls.refresh_from_db()
    assert (calls.name, calls.points, calls.position) == ("Cold calls", 2, 1)
    assert ActivityEntry.objects.get(pk=org_a.entry.pk).activity_type == calls


def test_outreach_marks_what_conversion_counts_and_an_outcome_never_is_outreach(admin_client, org_a):
    outreach = {key for key, t in org_a.types.items() if t.counts_as_outreach}
    assert outreach == {"outbound_calls", "prospect_emails", "social_contacts"}
    meetings = org_a.types["meetings"]
    admin_client.post(url(org_a, "update", meetings), form_data(name="Meetings", unit_label="meetings",
                                                               counts_as_outreach="on"))  # fmt: skip
    meetings.refresh_from_db()
    assert meetings.counts_as_outreach
    admin_client.post(url(org_a, "create"), form_data(name="Referrals won", category="outcome", counts_as_outreach="on"))
    assert not ActivityType.objects.get(organization=org_a.organization, name="Referrals won").counts_as_outreach


def test_edit_form_shows_the_current_values(admin_client, org_a):
    page = admin_client.get(url(org_a, "update", org_a.types["meetings"])).content.decode()
    assert 'value="Meetings"' in page and 'value="meetings"' in page and 'value="5"' in page


def test_kind_cannot_change_once_entries_use_the_type(admin_client, org_a):
    calls = org_a.types["outbound_calls"]  # org_a.entry uses it
    before = types_snapshot()
    response = admin_client.post(url(org_a, "update", calls), form_data(name="Call revenue", kind="money"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The kind cannot change once entries use this type." in page
    assert "Edit Outbound calls" in page  # the saved name, not the refused one
    assert types_snapshot() == before


def test_kind_changes_while_no_entry_uses_the_type(admin_client, org_a):
    demos = org_a.types["demos"]
    admin_client.post(url(org_a, "update", demos), form_data(name="Demo fees", kind="money", unit_label="SEK"))
    demos.refresh_from_db()
    assert demos.kind == Kind.MONEY and demos.name == "Demo fees"


@pytest.mark.parametrize("name", ["Meetings", "  meetings ", "MEETINGS"])
def test_duplicate_name_is_refused_whatever_its_case(admin_client, org_a, name):
    before = types_snapshot()
    response = admin_client.post(url(org_a, "create"), form_data(name=name))
    assert response.status_code == 200
    assert "An activity type with this name already exists." in response.content.decode()
    response = admin_client.post(url(org_a, "update", org_a.types["demos"]), form_data(name=name))
    assert "An activity type with this name already exists." in response.content.decode()
    assert types_snapshot() == before


def test_the_same_name_is_free_in_another_organization(admin_client, org_a, org_b):
    admin_client.post(url(org_a, "create"), form_data(name="Referrals"))
    activity_type_create(organization=org_b.organization, name="Referrals")
    assert ActivityType.objects.filter(name="Referrals").count() == 2


def test_keeping_its_own_name_is_not_a_duplicate(admin_client, org_a):
    meetings = org_a.types["meetings"]
    response = admin_client.post(url(org_a, "update", meetings), form_data(name="Meetings", points="7"))
    assert response.status_code == 302
    meetings.refresh_from_db()
    assert meetings.points == 7


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 81}, "at most 80 characters"),
        ({"points": "-1"}, "greater than or equal to 0"),
        ({"points": "10000"}, "no more than 4 digits before the decimal point"),
        ({"points": "1.234"}, "no more than 2 decimal places"),
        ({"category": "revenue"}, "Select a valid choice"),
        ({"kind": "percent"}, "Select a valid choice"),
        ({"unit_label": "u" * 21}, "at most 20 characters"),
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(admin_client, org_a, overrides, message):
    before = types_snapshot()
    for response in (
        admin_client.post(url(org_a, "create"), form_data(**overrides)),
        admin_client.post(url(org_a, "update", org_a.types["demos"]), form_data(**overrides)),
    ):
        assert response.status_code == 200
        assert message in response.content.decode()
    assert types_snapshot() == before


# Order -----------------------------------------------------------------------------------------


def move(client, org, key, direction):
    return client.post(url(org, "move", org.types[key]), {"direction": direction})


def test_admin_moves_a_type_up_and_down(admin_client, org_a):
    response = move(admin_client, org_a, "meetings", "up")
    assert response.status_code == 302 and response.url.endswith(f"#type-{org_a.types['meetings'].pk}")
    assert active_order(org_a) == ["outbound_calls", "prospect_emails", "social_contacts", "meetings",
                                   "tasks_submitted", "demos"]  # fmt: skip
    move(admin_client, org_a, "outbound_calls", "down")
    assert active_order(org_a)[:2] == ["prospect_emails", "outbound_calls"]
    page = admin_client.get(url(org_a, "list")).content.decode()
    assert page.index(f'id="type-{org_a.types["prospect_emails"].pk}"') < page.index(
        f'id="type-{org_a.types["outbound_calls"].pk}"'
    )


def test_moving_stays_within_the_category_as_the_today_page_shows_it(admin_client, org_a):
    before = types_snapshot()
    move(admin_client, org_a, "outbound_calls", "up")  # first activity
    move(admin_client, org_a, "demos", "down")  # last activity: outcomes come after anyway
    move(admin_client, org_a, "opportunities_created", "up")  # first outcome
    move(admin_client, org_a, "revenue", "down")  # last of all
    assert types_snapshot() == before


def test_moving_skips_archived_types(admin_client, org_a):
    admin_client.post(url(org_a, "archive", org_a.types["tasks_submitted"]))
    move(admin_client, org_a, "meetings", "up")
    assert active_order(org_a) == ["outbound_calls", "prospect_emails", "meetings", "social_contacts", "demos"]


def test_list_offers_no_move_past_the_ends_of_a_category(admin_client, org_a):
    page = admin_client.get(url(org_a, "list")).content.decode()
    # One disabled button each: first activity (up), last activity (down), first and last outcome.
    assert page.count(" disabled>") == 4


@pytest.mark.parametrize("direction", ["", "sideways"])
def test_move_without_a_direction_changes_nothing(admin_client, org_a, direction):
    before = types_snapshot()
    response = move(admin_client, org_a, "meetings", direction)
    assert response.status_code == 302
    assert types_snapshot() == before
    assert "Choose to move the type up or down." in admin_client.get(response.url).content.decode()


# Archive and restore ---------------------------------------------------------------------------


def test_archived_type_leaves_the_today_page_but_its_entries_stay(admin_client, org_a):
    calls = org_a.types["outbound_calls"]
    today = org_a.organization.local_today()
    entry = ActivityEntryFactory(rep=org_a.rep, activity_type=calls, quantity=4, note="Called back", date=today)
    response = admin_client.post(url(org_a, "archive", calls))
    assert response.status_code == 302
    calls.refresh_from_db()
    assert calls.is_archived

    rep_client = Client()
    rep_client.force_login(org_a.rep.user)
    today_page = rep_client.get(reverse("activities:today", kwargs={"org_slug": org_a.slug})).content.decode()
    assert f'id="type-row-{calls.pk}"' not in today_page
    assert f'id="type-row-{org_a.types["prospect_emails"].pk}"' in today_page
    assert "Called back" in today_page  # the day's entries still list it
    assert ActivityEntry.objects.filter(pk__in=[entry.pk, org_a.entry.pk], activity_type=calls).count() == 2

    list_page = admin_client.get(url(org_a, "list")).content.decode()
    row = list_page[list_page.index(f'id="type-{calls.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="archived"' in row and "Restore" in row and "Archive<" not in row
    # Archived types are listed after every active one.
    assert list_page.index(f'id="type-{calls.pk}"') > list_page.index(f'id="type-{org_a.types["revenue"].pk}"')


def test_nothing_can_be_logged_with_an_archived_type(client, org_a):
    calls = org_a.types["outbound_calls"]
    ActivityType.objects.filter(pk=calls.pk).update(archived_at="2024-01-01T00:00:00Z")
    before = ActivityEntry.objects.count()
    client.force_login(org_a.rep.user)
    response = client.post(
        reverse("activities:entry-log", kwargs={"org_slug": org_a.slug}),
        {"rep": org_a.rep.pk, "activity_type": calls.pk, "quantity": 1,
         "date": org_a.organization.local_today().isoformat()},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_restored_type_is_back_in_place(admin_client, org_a):
    calls = org_a.types["outbound_calls"]
    admin_client.post(url(org_a, "archive", calls))
    response = admin_client.post(url(org_a, "unarchive", calls))
    assert response.status_code == 302
    calls.refresh_from_db()
    assert not calls.is_archived and calls.position == 1
    assert "Outbound calls restored." in admin_client.get(response.url).content.decode()


# Access and isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep", "hr", "manager"])
def test_only_admins_and_owners_manage_types(client, org_a, role):
    client.force_login(org_a.members[role].user)
    before = types_snapshot()
    demos = org_a.types["demos"]
    assert client.get(url(org_a, "list")).status_code == 403
    assert client.get(url(org_a, "create")).status_code == 403
    assert client.post(url(org_a, "create"), form_data()).status_code == 403
    assert client.get(url(org_a, "update", demos)).status_code == 403
    assert client.post(url(org_a, "update", demos), form_data()).status_code == 403
    for name in ("move", "archive", "unarchive"):
        assert client.post(url(org_a, name, demos), {"direction": "up"}).status_code == 403
    assert types_snapshot() == before
    today_page = client.get(reverse("activities:today", kwargs={"org_slug": org_a.slug})).content.decode()
    assert url(org_a, "list") not in today_page


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_admins_and_owners_see_the_page_in_their_navigation(client, org_a, role):
    client.force_login(org_a.members[role].user)
    response = client.get(url(org_a, "list"))
    assert response.status_code == 200
    assert f'href="{url(org_a, "list")}" aria-current="page"' in response.content.decode()


def test_another_organizations_type_is_404_everywhere(admin_client, world):
    foreign = world.b.types["demos"]
    before = types_snapshot()
    assert admin_client.get(url(world.a, "update", foreign)).status_code == 404
    assert admin_client.post(url(world.a, "update", foreign), form_data()).status_code == 404
    for name in ("move", "archive", "unarchive"):
        assert admin_client.post(url(world.a, name, foreign), {"direction": "up"}).status_code == 404
    assert types_snapshot() == before
    page = admin_client.get(url(world.a, "list")).content.decode()
    assert f'id="type-{foreign.pk}"' not in page


def test_a_foreign_type_id_in_an_entry_is_rejected(client, world):
    a, b = world.a, world.b
    before = sorted(ActivityEntry.objects.values_list("pk", "activity_type_id", "quantity"))
    client.force_login(a.rep.user)
    response = client.post(
        reverse("activities:entry-log", kwargs={"org_slug": a.slug}),
        {"rep": a.rep.pk, "activity_type": b.types["meetings"].pk, "quantity": 1,
         "date": a.organization.local_today().isoformat()},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("activities:entry-update", kwargs={"org_slug": a.slug, "entry_pk": a.entry.pk}),
        {"activity_type": b.types["meetings"].pk, "date": a.entry.date.isoformat(), "quantity": 2},
    )
    assert "Select a valid choice" in response.content.decode()
    assert sorted(ActivityEntry.objects.values_list("pk", "activity_type_id", "quantity")) == before


def test_type_list_queries_do_not_grow_with_types(admin_client, org_a):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(url(org_a, "list")).status_code == 200
        return len(context)

    few = queries()
    for n in range(30):
        activity_type_create(organization=org_a.organization, name=f"Extra {n}", points=Decimal(1))
    assert queries() == few
