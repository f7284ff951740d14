"""Invitations: sent by e-mail, single use, 7 days, for a new or an existing account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership
from accounts.roles import Role
from accounts.selectors import invitation_token

from ..factories import PASSWORD, InvitationFactory, MembershipFactory, UserFactory

LINK = re.compile(r"http://[^\s]+/invitations/[^\s]+/")


def invite(client, org, **data):
    client.force_login(org.admin.user)
    payload = {"email": "newrep@example.com", "role": "rep", "team": org.team.pk, **data}
    return client.post(reverse("accounts:invitation-list", kwargs={"org_slug": org.slug}), payload)


def accept_url(invitation):
    return reverse("invitation-accept", kwargs={"token": invitation_token(invitation=invitation)})


def test_invitation_is_emailed_with_a_working_link(client, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, org_a)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="newrep@example.com")
    assert (invitation.organization, invitation.role, invitation.team) == (org_a.organization, "rep", org_a.team)
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newrep@example.com"]
    assert "Alpha Advisors" in message.subject
    link = LINK.search(message.body).group(0)
    assert link.endswith(accept_url(invitation))
    assert "Join Alpha Advisors" in client.get(link.removeprefix("http://127.0.0.1:8000")).content.decode()


def test_invitation_email_is_in_the_organizations_language(client, org_a, django_capture_on_commit_callbacks):
    org_a.organization.language = "sv"
    org_a.organization.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org_a)
    assert "Du är inbjuden" in mail.outbox[0].subject


def test_new_user_signs_up_from_the_link_and_joins(client, org_a):
    invitation = InvitationFactory(organization=org_a.organization, team=org_a.team, email="fresh@example.com")
    url = accept_url(invitation)
    page = client.get(url)
    assert "Create account" in page.content.decode()
    # Sign up with the invited address: whoever has the link owns the mailbox, so no verification step.
    response = client.post(
        reverse("account_signup") + f"?next={url}",
        {"email": "fresh@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response.url == url
    response = client.post(url)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="fresh@example.com")
    assert (membership.organization, membership.role, membership.team) == (org_a.organization, Role.REP, org_a.team)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == membership.user


def test_existing_user_accepts_as_manager_and_leads_the_team(client, org_a, org_b):
    invitation = InvitationFactory(
        organization=org_a.organization, team=org_a.team, role=Role.MANAGER, email=org_b.rep.user.email
    )
    client.force_login(org_b.rep.user)
    assert client.post(accept_url(invitation)).status_code == 302
    membership = Membership.objects.get(organization=org_a.organization, user=org_b.rep.user)
    assert membership.role == Role.MANAGER
    assert list(membership.managed_teams.all()) == [org_a.team]
    # Still a rep in the other organization: memberships are per organization.
    assert Membership.objects.get(organization=org_b.organization, user=org_b.rep.user).role == Role.REP


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("expired", "expired"),
        ("revoked", "withdrawn"),
        ("used", "already been used"),
        ("wrong_email", "was sent to"),
        ("already_member", "already a member"),
    ],
)
def test_invitation_that_cannot_be_accepted_says_why_and_changes_nothing(client, org_a, case, expected):
    user = UserFactory(email="someone@example.com")
    invitation = InvitationFactory(organization=org_a.organization, email=user.email, expired=(case == "expired"))
    if case == "revoked":
        invitation.revoked_at = timezone.now()
    if case == "used":
        invitation.accepted_at = timezone.now()
    if case == "wrong_email":
        invitation.email = "other@example.com"
    invitation.save()
    if case == "already_member":
        MembershipFactory(organization=org_a.organization, user=user, role=Role.HR)
    memberships_before = list(Membership.objects.values_list("pk", "role", "is_active"))
    client.force_login(user)
    page = client.get(accept_url(invitation)).content.decode()
    assert expected in page
    assert "Accept invitation" not in page
    response = client.post(accept_url(invitation), follow=True)
    assert expected in response.content.decode()
    assert list(Membership.objects.values_list("pk", "role", "is_active")) == memberships_before


def test_link_works_only_once(client, org_a):
    invitation = InvitationFactory(organization=org_a.organization, email="once@example.com")
    user = UserFactory(email="once@example.com")
    client.force_login(user)
    client.post(accept_url(invitation))
    Membership.objects.filter(user=user).update(is_active=False)  # even after leaving, the link stays used
    response = client.post(accept_url(invitation), follow=True)
    assert "already been used" in response.content.decode()
    assert not Membership.objects.get(user=user).is_active


def test_forged_or_tampered_link_is_404(client, org_a):
    token = invitation_token(invitation=org_a.invitation)
    assert client.get(reverse("invitation-accept", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    assert client.get(reverse("invitation-accept", kwargs={"token": "1"})).status_code == 404


def test_deactivated_member_comes_back_through_an_invitation(client, org_a):
    org_a.rep.is_active = False
    org_a.rep.save()
    invitation = InvitationFactory(organization=org_a.organization, email=org_a.rep.user.email, role=Role.HR)
    client.force_login(org_a.rep.user)
    client.post(accept_url(invitation))
    org_a.rep.refresh_from_db()
    assert org_a.rep.is_active and org_a.rep.role == Role.HR


def test_inviting_a_member_is_refused(client, org_a):
    response = invite(client, org_a, email=org_a.rep.user.email.upper())
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.filter(email=org_a.rep.user.email, revoked_at__isnull=True).exclude(
        pk=org_a.invitation.pk
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"role": "owner"}, "Select a valid choice"),
        ({"role": "hr"}, "Only sales reps and managers belong to a team"),
    ],
)
def test_bad_invitation_input_gets_a_message_and_sends_nothing(client, org_a, data, message):
    count = Invitation.objects.count()
    response = invite(client, org_a, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Invitation.objects.count() == count
    assert mail.outbox == []


def test_new_invitation_replaces_the_open_one(client, org_a):
    invite(client, org_a, email=org_a.invitation.email)
    org_a.invitation.refresh_from_db()
    assert org_a.invitation.revoked_at is not None
    assert Invitation.objects.pending().filter(email=org_a.invitation.email).count() == 1


def test_resend_extends_the_expiry(client, org_a, django_capture_on_commit_callbacks):
    Invitation.objects.filter(pk=org_a.invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(org_a.admin.user)
    url = reverse("accounts:invitation-resend", kwargs={"org_slug": org_a.slug, "invitation_pk": org_a.invitation.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    org_a.invitation.refresh_from_db()
    assert org_a.invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mail.outbox) == 1


def test_revoked_invitation_link_stops_working(client, org_a):
    client.force_login(org_a.admin.user)
    client.post(
        reverse("accounts:invitation-revoke", kwargs={"org_slug": org_a.slug, "invitation_pk": org_a.invitation.pk})
    )
    client.logout()
    assert "withdrawn" in client.get(accept_url(org_a.invitation)).content.decode()
