"""The JSON API (/api/v1/) and the page that manages its personal access tokens.

Tokens are shown once and stored hashed; a token opens exactly one organization as its member, with the
member's role; entries pushed through the API get the web's validation and audit trail.
"""

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from accounts.models import Membership, User
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType, ApiToken, Source
from activities.services.locks import entries_lock
from activities.services.tokens import api_token_create

from ..factories import ActivityEntryFactory, MembershipFactory

SECRET = re.compile(r"sq_[A-Za-z0-9_-]{43}")
ENTRIES = "/api/v1/entries/"
TYPES = "/api/v1/activity-types/"


def secret_for(membership: Membership, name: str = "Dialer") -> str:
    return api_token_create(organization=membership.organization, membership=membership, name=name)[1]


def api_client(membership: Membership) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret_for(membership)}")
    return client


def entry_url(entry) -> str:
    return f"{ENTRIES}{entry.pk}/"


def snapshot():
    """Every entry and every audit row: a refused request must leave both unchanged."""
    return (
        sorted(ActivityEntry.objects.values_list("pk", "rep_id", "date", "activity_type_id", "quantity")),
        ActivityEntry.history.count(),
    )


@pytest.fixture
def rep_api(org_a):
    return api_client(org_a.rep)


@pytest.fixture
def today(org_a):
    return org_a.organization.local_today()


def payload(day, **fields):
    return {"date": day.isoformat(), "type": "outbound_calls", "quantity": 5, **fields}


# --- The token page -------------------------------------------------------------------------------


def token_list_url(org):
    return reverse("activities:token-list", kwargs={"org_slug": org.slug})


def revoke_url(org, token):
    return reverse("activities:token-revoke", kwargs={"org_slug": org.slug, "token_pk": token.pk})


def test_token_is_shown_once_and_only_its_hash_is_stored(client, org_a):
    client.force_login(org_a.manager.user)
    response = client.post(token_list_url(org_a), {"name": "  CRM   sync "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = SECRET.search(response.content.decode()).group()

    token = ApiToken.objects.get(membership=org_a.manager)
    assert (token.name, token.organization, token.prefix) == ("CRM sync", org_a.organization, secret[:10])
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list()[0]]
    assert not any(secret in value for value in stored)

    page = client.get(token_list_url(org_a)).content.decode()
    assert secret not in page
    assert f"{secret[:10]}…" in page and "CRM sync" in page
    # … and the secret works, as the manager, in this organization.
    assert APIClient().get(TYPES, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_token_page_lists_only_the_members_own_tokens(client, org_a, org_b):
    secret_for(org_a.manager, name="Managers CRM")
    secret_for(org_b.rep, name="Other dialer")
    client.force_login(org_a.rep.user)
    page = client.get(token_list_url(org_a)).content.decode()
    assert "Dialer" in page  # the rep's own (tests/conftest.py)
    assert "Managers CRM" not in page and "Other dialer" not in page
    assert reverse("api:docs") in page and "curl" in page and "Authorization: Bearer" in page
    assert f'href="{token_list_url(org_a)}"' in page  # the navigation entry


@pytest.mark.parametrize("role", list(Role))
def test_every_member_may_have_tokens(client, org_a, role):
    member = org_a.members[role]
    client.force_login(member.user)
    assert client.get(token_list_url(org_a)).status_code == 200
    assert client.post(token_list_url(org_a), {"name": "Script"}).status_code == 200
    assert ApiToken.objects.filter(membership=member, name="Script").count() == 1


def test_token_name_is_required(client, org_a):
    client.force_login(org_a.rep.user)
    before = ApiToken.objects.count()
    response = client.post(token_list_url(org_a), {"name": "   "})
    assert "This field is required." in response.content.decode()
    assert SECRET.search(response.content.decode()) is None
    assert ApiToken.objects.count() == before


def test_active_tokens_per_member_are_limited(client, org_a):
    for number in range(19):  # the rep already has one
        secret_for(org_a.rep, name=f"Script {number}")
    client.force_login(org_a.rep.user)
    response = client.post(token_list_url(org_a), {"name": "One too many"})
    assert "You already have 20 active tokens." in response.content.decode()
    assert not ApiToken.objects.filter(name="One too many").exists()


def test_revoked_token_no_longer_opens_the_api(client, org_a):
    secret = secret_for(org_a.rep, name="Old dialer")
    token = ApiToken.objects.get(name="Old dialer")
    client.force_login(org_a.rep.user)
    response = client.post(revoke_url(org_a, token), follow=True)
    assert "Token “Old dialer” revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert APIClient().get(TYPES, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert client.post(revoke_url(org_a, token)).status_code == 302  # revoking again changes nothing
    assert ApiToken.objects.get(pk=token.pk).revoked_at == token.revoked_at


@pytest.mark.parametrize("actor", ["manager", "owner", "hr"])
def test_another_members_token_cannot_be_revoked(client, org_a, actor):
    client.force_login(getattr(org_a, actor).user)
    assert client.post(revoke_url(org_a, org_a.token)).status_code == 404
    assert ApiToken.objects.get(pk=org_a.token.pk).revoked_at is None


def test_revoking_needs_a_post(client, org_a):
    client.force_login(org_a.rep.user)
    assert client.get(revoke_url(org_a, org_a.token)).status_code == 405
    assert ApiToken.objects.get(pk=org_a.token.pk).revoked_at is None


# --- Authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer sq_unknown", f"Bearer sq_{'x' * 43}", "Bearer not-a-token", "Token abc", "Bearer a b"],
)
def test_missing_malformed_or_unknown_token_is_401(org_a, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ENTRIES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail"}


def test_revoked_token_is_401(org_a):
    client = api_client(org_a.rep)
    ApiToken.objects.filter(membership=org_a.rep).update(revoked_at=timezone.now())
    assert client.get(ENTRIES).status_code == 401


def test_deactivated_member_or_user_is_401(org_a):
    rep_client, manager_client = api_client(org_a.rep), api_client(org_a.manager)
    Membership.objects.filter(pk=org_a.rep.pk).update(is_active=False, deactivated_at=timezone.now())
    User.objects.filter(pk=org_a.manager.user.pk).update(is_active=False)
    assert rep_client.get(ENTRIES).status_code == 401
    logged = manager_client.post(ENTRIES, payload(org_a.organization.local_today(), rep=org_a.rep.user.email))
    assert logged.status_code == 401


def test_required_two_factor_applies_to_tokens_of_the_roles_it_covers(org_a):
    rep_client, manager_client = api_client(org_a.rep), api_client(org_a.manager)
    org_a.organization.require_2fa = True
    org_a.organization.save(update_fields=["require_2fa"])
    assert manager_client.get(ENTRIES).status_code == 401
    assert rep_client.get(ENTRIES).status_code == 200  # reps are never obliged to use 2FA


def test_a_signed_in_session_does_not_open_the_api(client, org_a, today):
    client.force_login(org_a.rep.user)
    before = snapshot()
    assert client.get(ENTRIES).status_code == 401
    response = client.post(ENTRIES, payload(today), content_type="application/json")
    assert response.status_code == 401
    assert snapshot() == before


def test_token_requests_need_no_csrf_token(org_a, today):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        ENTRIES, payload(today), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret_for(org_a.rep)}"
    )
    assert response.status_code == 201


def test_last_used_is_recorded_at_most_once_a_minute(org_a):
    client = api_client(org_a.rep)
    token = ApiToken.objects.filter(membership=org_a.rep).latest("pk")
    assert token.last_used_at is None
    client.get(TYPES)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(TYPES)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(TYPES)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


# --- Scope: one organization, the member's view ---------------------------------------------------------


def test_activity_types_are_the_organizations_active_ones(rep_api, org_a, world):
    org_a.types["demos"].archived_at = timezone.now()
    org_a.types["demos"].save(update_fields=["archived_at"])
    answer = rep_api.get(TYPES).json()
    expected = ActivityType.objects.filter(organization=org_a.organization, archived_at__isnull=True)
    assert {row["id"] for row in answer} == set(expected.values_list("pk", flat=True))
    revenue = next(row for row in answer if row["key"] == "revenue")
    assert (revenue["kind"], revenue["category"], revenue["name"]) == ("money", "outcome", "Revenue")
    assert set(revenue) == {"id", "key", "name", "category", "kind", "unit", "points"}


def test_rep_reads_only_own_entries(org_a, org_b):
    other_rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    theirs = ActivityEntryFactory(rep=other_rep)
    client = api_client(org_a.rep)
    answer = client.get(ENTRIES).json()
    assert [row["id"] for row in answer["results"]] == [org_a.entry.pk]
    assert answer["results"][0]["rep"] == org_a.rep.user.email
    assert client.get(entry_url(org_a.entry)).status_code == 200
    assert client.get(entry_url(theirs)).status_code == 404  # same organization, not the rep's to read
    assert client.get(entry_url(org_b.entry)).status_code == 404  # another organization's


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR, Role.ADMIN, Role.OWNER])
def test_other_roles_read_their_organizations_entries_only(org_a, org_b, role):
    client = api_client(org_a.members[role])
    ids = {row["id"] for row in client.get(ENTRIES).json()["results"]}
    assert ids == {org_a.entry.pk}
    answer = client.get(entry_url(org_b.entry))
    assert answer.status_code == 404 and org_b.rep.user.email not in answer.content.decode()


def test_manager_reads_only_their_teams_entries(org_a):
    outsider = MembershipFactory(organization=org_a.organization, role=Role.REP)  # in no team
    hidden = ActivityEntryFactory(rep=outsider)
    client = api_client(org_a.manager)
    assert hidden.pk not in {row["id"] for row in client.get(ENTRIES).json()["results"]}
    assert client.get(entry_url(hidden)).status_code == 404
    assert hidden.pk in {row["id"] for row in api_client(org_a.admin).get(ENTRIES).json()["results"]}


def test_filters_narrow_the_list(org_a, org_b, today):
    types = org_a.types
    yesterday = today - timedelta(days=1)
    calls = ActivityEntryFactory(rep=org_a.rep, activity_type=types["outbound_calls"], date=yesterday, topic="pension")
    meeting = ActivityEntryFactory(rep=org_a.rep, activity_type=types["meetings"], date=today, source=Source.API)
    client = api_client(org_a.admin)

    def ids(**params):
        response = client.get(ENTRIES, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(date_from=today.isoformat(), type=types["meetings"].pk) == {meeting.pk}
    assert calls.pk in ids(date_to=yesterday.isoformat()) and meeting.pk not in ids(date_to=yesterday.isoformat())
    assert ids(topic="PENS") == {calls.pk}
    assert ids(source="api") == {meeting.pk}
    assert ids(rep=org_a.rep.user.email.upper()) >= {calls.pk, meeting.pk}
    assert ids(rep=org_b.rep.user.email) == set()
    assert ids(type=org_b.types["meetings"].pk) == set()  # another organization's type matches nothing


@pytest.mark.parametrize(
    ("params", "field"),
    [({"date_from": "yesterday"}, "date_from"), ({"type": "calls"}, "type"), ({"source": "fax"}, "source"),
     ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "date_to")],
)  # fmt: skip
def test_invalid_filters_get_a_message(rep_api, params, field):
    response = rep_api.get(ENTRIES, params)
    assert response.status_code == 400
    assert field in response.json()


def test_list_is_paginated(org_a):
    ActivityEntry.objects.bulk_create(
        ActivityEntryFactory.build(rep=org_a.rep, activity_type=org_a.types["meetings"]) for _ in range(5)
    )
    answer = api_client(org_a.rep).get(ENTRIES, {"page_size": 4}).json()
    assert (answer["count"], len(answer["results"])) == (6, 4)
    assert "page=2" in answer["next"]


def test_list_query_count_does_not_grow_with_entries(org_a, django_assert_num_queries):
    client = api_client(org_a.manager)
    client.get(ENTRIES)  # records the token's first use (an UPDATE the next minute does not repeat)

    def add(count):
        ActivityEntry.objects.bulk_create(
            ActivityEntryFactory.build(rep=org_a.rep, activity_type=org_a.types["meetings"], note=f"#{n}")
            for n in range(count)
        )

    add(9)
    # token + member + organization (1), count (1), page (1)
    with django_assert_num_queries(3):
        assert len(client.get(ENTRIES, {"page_size": 1000}).json()["results"]) == 10
    add(990)
    with django_assert_num_queries(3):
        assert len(client.get(ENTRIES, {"page_size": 1000}).json()["results"]) == 1000


# --- Logging entries ---------------------------------------------------------------------------------------


def test_rep_logs_an_entry_with_the_webs_audit_trail(rep_api, org_a, today):
    response = rep_api.post(
        ENTRIES, payload(today, note="Follow-ups", topic="Retirement  Planning", contact="Ann", external_id="d-1")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    entry = ActivityEntry.objects.get(pk=body["id"])
    assert response["Location"].endswith(entry_url(entry))
    assert (entry.rep, entry.activity_type, entry.quantity, entry.date) == (
        org_a.rep, org_a.types["outbound_calls"], 5, today
    )
    assert (entry.source, entry.entered_by, entry.topic, entry.external_id) == (
        Source.API, org_a.rep.user, "retirement planning", "d-1"
    )
    assert body["quantity"] == 5 and body["type"] == org_a.types["outbound_calls"].pk and body["source"] == "api"
    assert body["created_at"][-6:] in {"+01:00", "+02:00"}  # the organization's zone (Europe/Stockholm)
    (record,) = entry.history.all()
    assert (record.history_type, record.history_user, record.source) == ("+", org_a.rep.user, "api")


def test_type_may_be_given_by_id_and_money_keeps_its_decimals(rep_api, org_a, today):
    response = rep_api.post(ENTRIES, payload(today, type=org_a.types["revenue"].pk, quantity="1 250,50"))
    assert response.status_code == 201, response.json()
    assert ActivityEntry.objects.get(pk=response.json()["id"]).quantity == Decimal("1250.50")
    assert response.json()["quantity"] == 1250.5


def test_manager_logs_for_a_rep_of_their_team(org_a, today):
    response = api_client(org_a.manager).post(ENTRIES, payload(today, rep=org_a.rep.user.email.upper()))
    assert response.status_code == 201, response.json()
    entry = ActivityEntry.objects.get(pk=response.json()["id"])
    assert (entry.rep, entry.entered_by) == (org_a.rep, org_a.manager.user)
    assert entry.history.get().history_user == org_a.manager.user


def test_manager_cannot_log_for_a_rep_outside_their_teams(org_a, today):
    outsider = MembershipFactory(organization=org_a.organization, role=Role.REP)
    before = snapshot()
    response = api_client(org_a.manager).post(ENTRIES, payload(today, rep=outsider.user.email))
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot log activity for this rep."}
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.REP, Role.HR])
def test_rep_and_hr_cannot_log_for_another_rep(org_a, today, role):
    other_rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    before = snapshot()
    response = api_client(org_a.members[role]).post(ENTRIES, payload(today, rep=other_rep.user.email))
    assert response.status_code == 403
    assert snapshot() == before


def test_member_who_is_not_a_rep_must_name_the_rep(org_a, today):
    before = snapshot()
    response = api_client(org_a.manager).post(ENTRIES, payload(today))
    assert response.status_code == 400
    assert response.json() == {"rep": ["Give the sales rep's e-mail: this token's member is not a sales rep."]}
    assert snapshot() == before


def test_rep_or_type_of_another_organization_is_unknown(rep_api, org_a, org_b, today):
    admin = api_client(org_a.admin)
    before = snapshot()
    cases = [
        (admin, payload(today, rep=org_b.rep.user.email), "rep", "Unknown sales rep"),
        (admin, payload(today, rep="nobody@nowhere.example"), "rep", "Unknown sales rep"),
        (rep_api, payload(today, type=org_b.types["outbound_calls"].pk), "type", "Unknown activity type"),
        (rep_api, payload(today, type="teleportations"), "type", "Unknown activity type"),
        (rep_api, payload(today, type="²"), "type", "Unknown activity type"),  # a digit to isdigit(), not to int()
        (rep_api, payload(today, type="\uff11"), "type", "Unknown activity type"),  # a full-width 1 is no id
    ]
    for client, body, field, message in cases:
        response = client.post(ENTRIES, body)
        assert response.status_code == 400
        assert response.json()[field][0].startswith(message)
        assert org_b.organization.name not in response.content.decode()
    assert snapshot() == before


def test_archived_type_is_unknown(rep_api, org_a, today):
    org_a.types["demos"].archived_at = timezone.now()
    org_a.types["demos"].save(update_fields=["archived_at"])
    response = rep_api.post(ENTRIES, payload(today, type="demos"))
    assert response.status_code == 400 and "type" in response.json()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "Enter a whole number from 1 to 10,000."),
        ({"quantity": 10_001}, "quantity", "Enter a whole number from 1 to 10,000."),
        ({"quantity": -3}, "quantity", "Enter a whole number from 1 to 10,000."),
        ({"quantity": 1.5}, "quantity", "Enter a whole number."),
        ({"quantity": "lots"}, "quantity", "Enter a number."),
        ({"quantity": True}, "quantity", "Enter a number."),
        ({"quantity": "NaN"}, "quantity", "Enter a number."),
        ({"type": "revenue", "quantity": "10.555"}, "quantity", "Use at most 2 decimals."),
        ({"type": "revenue", "quantity": 0}, "quantity", "Enter an amount above 0 and at most 1,000,000,000."),
        ({"date": "2025-02-30"}, "date", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
        ({"date": "0001-01-01"}, "date", "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
        ({"note": "x" * 1001}, "note", "Ensure this field has no more than 1000 characters."),
        ({"type": None}, "type", "This field may not be null."),
    ],
)
def test_bad_input_gets_the_message_and_writes_nothing(rep_api, today, fields, field, message):
    before = snapshot()
    response = rep_api.post(ENTRIES, payload(today, **fields))
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert snapshot() == before


def test_future_day_in_the_organizations_zone_is_refused(rep_api, today):
    before = snapshot()
    response = rep_api.post(ENTRIES, payload(today + timedelta(days=1)))
    assert response.status_code == 400
    assert response.json() == {"date": ["You cannot log activity for a future day."]}
    assert snapshot() == before


def test_day_before_the_employment_start_is_refused(rep_api, org_a, today):
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=today)
    response = rep_api.post(ENTRIES, payload(today - timedelta(days=1)))
    assert response.status_code == 400
    assert "before the employment start" in response.json()["date"][0]


def test_closed_day_is_refused(rep_api, org_a, today):
    closed = today - timedelta(days=3)
    entries_lock(organization=org_a.organization, start=closed, end=closed)
    before = snapshot()
    response = rep_api.post(ENTRIES, payload(closed))
    assert response.status_code == 400
    assert "is in a closed period: its entries can no longer change" in response.json()["date"][0]
    assert snapshot() == before
    assert rep_api.post(ENTRIES, payload(closed + timedelta(days=1))).status_code == 201


@pytest.mark.parametrize(
    "body", ['"calls"', "42", "null", "{not json", "[1, 2"], ids=["string", "number", "null", "bad-object", "bad-array"]
)
def test_a_body_that_is_no_entry_is_refused(rep_api, body):
    before = snapshot()
    response = rep_api.post(ENTRIES, body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert snapshot() == before


# --- Idempotency by external_id ----------------------------------------------------------------------------


def test_posting_the_same_external_id_twice_logs_one_entry(rep_api, today):
    first = rep_api.post(ENTRIES, payload(today, external_id="call-991"))
    again = rep_api.post(ENTRIES, payload(today, external_id="call-991", quantity=7))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()  # the existing entry, unchanged
    entry = ActivityEntry.objects.get(external_id="call-991")
    assert entry.quantity == 5 and entry.history.count() == 1


def test_external_id_of_an_entry_the_member_cannot_read_is_refused_without_showing_it(org_a, today):
    other_rep = MembershipFactory(organization=org_a.organization, role=Role.REP, team=org_a.team)
    ActivityEntryFactory(rep=other_rep, external_id="shared-1", note="private note")
    before = snapshot()
    response = api_client(org_a.rep).post(ENTRIES, payload(today, external_id="shared-1"))
    assert response.status_code == 400
    assert response.json() == {"external_id": ["This external id is already used by another entry."]}
    assert "private note" not in response.content.decode()
    assert snapshot() == before


def test_external_ids_are_per_organization(org_a, org_b, today):
    ActivityEntryFactory(rep=org_b.rep, external_id="crm-1")
    response = api_client(org_a.rep).post(ENTRIES, payload(today, external_id="crm-1"))
    assert response.status_code == 201
    assert ActivityEntry.objects.filter(external_id="crm-1").count() == 2


# --- Batches -------------------------------------------------------------------------------------------------


def test_batch_logs_every_item_in_order(org_a, today):
    client = api_client(org_a.manager)
    items = [
        payload(today, rep=org_a.rep.user.email, external_id="b-1"),
        payload(today, rep=org_a.rep.user.email, type="meetings", quantity=1),
        payload(today - timedelta(days=1), rep=org_a.rep.user.email, type="revenue", quantity="999.99"),
    ]
    response = client.post(ENTRIES, items)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["existing"]) == (3, 0)
    assert [row["entry"]["type_key"] for row in body["results"]] == ["outbound_calls", "meetings", "revenue"]
    assert {row["status"] for row in body["results"]} == {"created"}
    created = ActivityEntry.objects.filter(pk__in=[row["entry"]["id"] for row in body["results"]])
    assert {(e.source, e.entered_by_id) for e in created} == {(Source.API, org_a.manager.user.pk)}
    assert {r.history_user_id for r in ActivityEntry.history.filter(id__in=created.values("pk"))} == {
        org_a.manager.user.pk
    }


def test_batch_is_all_or_nothing_with_errors_by_index(rep_api, org_a, today):
    before = snapshot()
    items = [
        payload(today),
        payload(today + timedelta(days=1)),
        payload(today, quantity=0),
        payload(today, type="teleportations"),
        payload(today),
    ]
    response = rep_api.post(ENTRIES, items)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Nothing was written: 1 of the items are invalid."
    assert [error["index"] for error in body["errors"]] == [3]  # the shape first: an unknown type
    assert body["errors"][0]["errors"]["type"][0].startswith("Unknown activity type")
    assert snapshot() == before
    # With the unknown type fixed, the rule errors of items 1 and 2 are reported together; still nothing written.
    items[3] = payload(today, type="meetings")
    response = rep_api.post(ENTRIES, items)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"date": ["You cannot log activity for a future day."]}},
        {"index": 2, "errors": {"quantity": ["Enter a whole number from 1 to 10,000."]}},
    ]
    assert snapshot() == before


def test_batch_with_a_forbidden_rep_is_403_and_writes_nothing(org_a, today):
    outsider = MembershipFactory(organization=org_a.organization, role=Role.REP)
    before = snapshot()
    response = api_client(org_a.manager).post(
        ENTRIES, [payload(today, rep=org_a.rep.user.email), payload(today, rep=outsider.user.email)]
    )
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"non_field_errors": ["You cannot log activity for this rep."]}}
    ]
    assert snapshot() == before


def test_batch_with_a_closed_day_writes_nothing(rep_api, org_a, today):
    closed = today - timedelta(days=2)
    entries_lock(organization=org_a.organization, start=closed, end=closed)
    before = snapshot()
    response = rep_api.post(ENTRIES, [payload(today), payload(closed)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert snapshot() == before


def test_batch_mixes_existing_and_new_external_ids(rep_api, today):
    rep_api.post(ENTRIES, payload(today, external_id="x-1"))
    response = rep_api.post(ENTRIES, [payload(today, external_id="x-1"), payload(today, external_id="x-2")])
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["existing"]) == (1, 1)
    assert [row["status"] for row in body["results"]] == ["existing", "created"]
    assert ActivityEntry.objects.filter(external_id__in=["x-1", "x-2"]).count() == 2
    # Sending the whole batch again creates nothing.
    again = rep_api.post(ENTRIES, [payload(today, external_id="x-1"), payload(today, external_id="x-2")])
    assert again.status_code == 200 and again.json()["created"] == 0


def test_batch_repeating_an_external_id_is_refused(rep_api, today):
    before = snapshot()
    response = rep_api.post(ENTRIES, [payload(today, external_id="dup"), payload(today, external_id="dup")])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"external_id": ["Item 0 of this batch has the same external id."]}}
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("size", "message"), [(0, "Send at least one entry."), (1001, "Send at most 1,000 entries at once.")]
)
def test_batch_size_is_limited(rep_api, today, size, message):
    before = snapshot()
    response = rep_api.post(ENTRIES, [payload(today)] * size)
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert snapshot() == before


def test_batch_item_that_is_no_object_is_reported_by_index(rep_api, today):
    response = rep_api.post(ENTRIES, [payload(today), "calls"])
    assert response.status_code == 400
    assert [error["index"] for error in response.json()["errors"]] == [1]


def test_batch_of_a_thousand_entries(org_a, today):
    items = [payload(today, external_id=f"bulk-{n}", quantity=1 + n % 9) for n in range(1000)]
    client = api_client(org_a.rep)
    response = client.post(ENTRIES, items)
    assert response.status_code == 201
    assert response.json()["created"] == 1000
    assert ActivityEntry.objects.filter(external_id__startswith="bulk-").count() == 1000


# --- Rate limit, schema, docs -----------------------------------------------------------------------------


def test_requests_beyond_the_rate_limit_get_429(settings, org_a, org_b):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"}}
    client, other = api_client(org_a.rep), api_client(org_b.rep)
    assert [client.get(TYPES).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(TYPES)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert other.get(TYPES).status_code == 200  # counted per token


def test_schema_is_valid_openapi_documenting_entries_and_bearer_auth(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/entries/", "/api/v1/entries/{entry_pk}/", "/api/v1/activity-types/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/entries/"]) >= {"get", "post"}
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"400", "401", "403", "429"} <= set(schema["paths"]["/api/v1/entries/"]["post"]["responses"])


def test_docs_page_uses_local_static_files_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "/api/v1/schema/" in client.get("/api/v1/docs/?script").content.decode()  # the start-up script
    assert not re.search(r"""(src|href)=["']https?://""", page)
