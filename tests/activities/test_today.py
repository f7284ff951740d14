"""The rep's Today page: one tap to log, htmx in place or plain forms, undo, past days, on behalf."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from activities.models import ActivityEntry, Source
from activities.services.locks import entries_lock

from ..factories import ActivityEntryFactory, MembershipFactory


def today_url(org):
    return reverse("activities:today", kwargs={"org_slug": org.slug})


def log_url(org):
    return reverse("activities:entry-log", kwargs={"org_slug": org.slug})


def log(client, org, *, rep=None, quantity=1, type_key="outbound_calls", day=None, htmx=False, **extra):
    data = {
        "rep": (rep or org.rep).pk,
        "activity_type": org.types[type_key].pk,
        "quantity": quantity,
        "date": (day or org.organization.local_today()).isoformat(),
        **extra,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(log_url(org), data, headers=headers)


@pytest.fixture
def rep_client(client, org_a):
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=date(2020, 1, 1))
    org_a.rep.refresh_from_db()
    client.force_login(org_a.rep.user)
    return client


def test_today_lists_every_active_type_with_the_days_total(rep_client, org_a):
    ActivityEntryFactory(rep=org_a.rep, activity_type=org_a.types["prospect_emails"], quantity=7,
                         date=org_a.organization.local_today())  # fmt: skip
    page = rep_client.get(today_url(org_a)).content.decode()
    for activity_type in org_a.types.values():
        assert activity_type.name in page
    assert f'id="type-row-{org_a.types["prospect_emails"].pk}"' in page


def test_plus_one_without_javascript_logs_and_redirects_back(rep_client, org_a):
    before = ActivityEntry.objects.count()
    response = log(rep_client, org_a, quantity=1)
    assert response.status_code == 302 and response.url.startswith(today_url(org_a))
    entry = ActivityEntry.objects.latest("pk")
    assert ActivityEntry.objects.count() == before + 1
    assert (entry.rep, entry.quantity, entry.source, entry.entered_by) == (org_a.rep, 1, Source.WEB, org_a.rep.user)
    assert entry.date == org_a.organization.local_today()


def test_plus_five_with_htmx_returns_the_updated_panel(rep_client, org_a):
    response = log(rep_client, org_a, quantity=5, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="today-panel"')
    assert "Logged 5 × Outbound calls" in html
    assert "<html" not in html  # a fragment, swapped in place


def test_custom_quantity_with_note_topic_and_contact(rep_client, org_a):
    log(rep_client, org_a, quantity="12", note="Warm leads", topic="  Retirement   Planning ", contact="anna@example.com")
    entry = ActivityEntry.objects.latest("pk")
    assert (entry.quantity, entry.note, entry.topic, entry.contact) == (12, "Warm leads", "retirement planning", "anna@example.com")


def test_money_accepts_a_swedish_decimal_comma(rep_client, org_a):
    log(rep_client, org_a, type_key="revenue", quantity="1 250,50")
    assert ActivityEntry.objects.latest("pk").quantity == Decimal("1250.50")


@pytest.mark.parametrize(
    ("type_key", "quantity", "message"),
    [
        ("outbound_calls", "0", "from 1 to 10,000"),
        ("outbound_calls", "-3", "from 1 to 10,000"),
        ("outbound_calls", "10001", "from 1 to 10,000"),
        ("outbound_calls", "2.5", "whole number"),
        ("outbound_calls", "many", "Enter a number"),
        ("outbound_calls", "NaN", "Enter a number"),
        ("revenue", "0", "above 0"),
        ("revenue", "10.001", "at most 2 decimals"),
    ],
)
def test_bad_quantities_get_a_message_and_write_nothing(rep_client, org_a, type_key, quantity, message):
    before = ActivityEntry.objects.count()
    response = log(rep_client, org_a, type_key=type_key, quantity=quantity, htmx=True)
    assert message in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_future_day_in_the_organizations_zone_is_refused(rep_client, org_a):
    before = ActivityEntry.objects.count()
    tomorrow = org_a.organization.local_today() + timedelta(days=1)
    response = log(rep_client, org_a, day=tomorrow, htmx=True)
    assert "future day" in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_day_before_the_employment_start_is_refused(rep_client, org_a):
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=org_a.organization.local_today())
    before = ActivityEntry.objects.count()
    response = log(rep_client, org_a, day=org_a.organization.local_today() - timedelta(days=1), htmx=True)
    assert "before the employment start" in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_past_day_in_an_open_period_can_be_logged(rep_client, org_a):
    day = org_a.organization.local_today() - timedelta(days=3)
    log(rep_client, org_a, day=day)
    assert ActivityEntry.objects.latest("pk").date == day
    page = rep_client.get(today_url(org_a), {"date": day.isoformat()}).content.decode()
    assert 'id="log-' in page


def test_closed_day_shows_read_only_with_a_message(rep_client, org_a):
    day = org_a.organization.local_today() - timedelta(days=10)
    entries_lock(organization=org_a.organization, start=day, end=day)
    page = rep_client.get(today_url(org_a), {"date": day.isoformat()}).content.decode()
    assert "closed period" in page
    assert 'id="log-' not in page
    before = ActivityEntry.objects.count()
    response = log(rep_client, org_a, day=day, htmx=True)
    assert "closed period" in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_undo_removes_the_last_entry_i_made(rep_client, org_a):
    log(rep_client, org_a, quantity=1)
    log(rep_client, org_a, quantity=5)
    undo = reverse("activities:entry-undo", kwargs={"org_slug": org_a.slug})
    response = rep_client.post(undo, {"rep": org_a.rep.pk, "date": org_a.organization.local_today().isoformat()},
                               headers={"HX-Request": "true"})  # fmt: skip
    assert "Undone: 5 × Outbound calls" in response.content.decode()
    latest = ActivityEntry.objects.filter(rep=org_a.rep, entered_by=org_a.rep.user).latest("pk")
    assert latest.quantity == 1
    # The deletion is audited.
    assert ActivityEntry.history.filter(history_type="-", quantity=5).exists()


def test_manager_logs_on_behalf_of_a_rep_of_their_team(client, org_a):
    client.force_login(org_a.manager.user)
    page = client.get(today_url(org_a), {"rep": org_a.rep.pk}).content.decode()
    assert "on behalf of" in page
    log(client, org_a, quantity=2)
    entry = ActivityEntry.objects.latest("pk")
    assert (entry.rep, entry.entered_by) == (org_a.rep, org_a.manager.user)
    assert entry.entered_on_behalf


def test_manager_cannot_log_for_a_rep_outside_their_teams(client, org_a):
    outsider = MembershipFactory(organization=org_a.organization, role=Role.REP)
    client.force_login(org_a.manager.user)
    before = ActivityEntry.objects.count()
    response = log(client, org_a, rep=outsider)
    assert response.status_code == 403
    assert ActivityEntry.objects.count() == before


@pytest.mark.parametrize("role", [Role.REP, Role.HR])
def test_others_cannot_log_for_a_rep(client, org_a, role):
    other = org_a.hr if role == Role.HR else MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    client.force_login(other.user)
    before = ActivityEntry.objects.count()
    assert log(client, org_a, rep=org_a.rep).status_code == 403
    assert ActivityEntry.objects.count() == before


def test_rep_of_another_organization_in_the_form_is_rejected(rep_client, org_a, org_b):
    before = ActivityEntry.objects.count()
    response = log(rep_client, org_a, rep=org_b.rep)
    assert response.status_code == 403
    response = rep_client.post(log_url(org_a), {"rep": org_a.rep.pk, "activity_type": org_b.types["outbound_calls"].pk,
                                                "quantity": 1, "date": org_a.organization.local_today().isoformat()},
                               headers={"HX-Request": "true"})  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert ActivityEntry.objects.count() == before


def test_archived_types_leave_the_today_page(rep_client, org_a):
    org_a.types["demos"].archived_at = timezone.now()
    org_a.types["demos"].save()
    page = rep_client.get(today_url(org_a)).content.decode()
    assert f'id="type-row-{org_a.types["demos"].pk}"' not in page


def test_today_query_count_does_not_grow_with_entries(rep_client, org_a, django_assert_num_queries):
    today = org_a.organization.local_today()
    types = list(org_a.types.values())
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org_a.organization, rep=org_a.rep, activity_type=types[i % 11], date=today,
                      quantity=1, entered_by=org_a.rep.user)
        for i in range(10)
    )  # fmt: skip
    rep_client.get(today_url(org_a))  # the topic suggestions are counted once, then cached
    with CaptureQueriesContext(connection) as small:
        rep_client.get(today_url(org_a))
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=org_a.organization, rep=org_a.rep, activity_type=types[i % 11], date=today,
                      quantity=1, entered_by=org_a.rep.user)
        for i in range(990)
    )  # fmt: skip
    with django_assert_num_queries(len(small.captured_queries)):
        rep_client.get(today_url(org_a))
