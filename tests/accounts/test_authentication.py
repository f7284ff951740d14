"""Sign-up, e-mail verification, password reset, login rate limiting and two-factor (allauth's own)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from accounts.models import Organization, User
from accounts.roles import Role

from ..factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_takes_the_name_colleagues_see(client):
    client.post(reverse("account_signup"), {"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD,
                                            "first_name": " Ada ", "last_name": "Lovelace"})  # fmt: skip
    user = User.objects.get(email="ada@example.com")
    assert (user.first_name, user.last_name, user.display_name) == ("Ada", "Lovelace", "Ada Lovelace")


def test_the_name_page_changes_the_name_and_refuses_an_overlong_one(client):
    user = UserFactory(first_name="", last_name="")
    client.force_login(user)
    assert client.get("/accounts/name/").status_code == 200
    response = client.post("/accounts/name/", {"first_name": "Raj", "last_name": "Patel"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Raj Patel"
    response = client.post("/accounts/name/", {"first_name": "x" * 151, "last_name": ""})
    assert response.status_code == 200 and "at most 150 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Raj Patel"


def test_sign_up_requires_e_mail_verification(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not EmailAddress.objects.get(email="new@example.com").verified
    # Not signed in until the address is verified.
    assert client.get(reverse("home")).context["user"].is_anonymous
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    confirm = client.post(link.replace("http://testserver", ""))
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get(reverse("home")).context["user"].email == "new@example.com"


def test_password_reset_sends_a_link(client):
    UserFactory(email="forgetful@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_login_is_rate_limited_after_failed_attempts(client):
    UserFactory(email="target@example.com")
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": "target@example.com", "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(url, {"login": "target@example.com", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert response.context["user"].is_anonymous


def enable_totp(user):
    TOTP.activate(user, generate_totp_secret())


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.HR])
def test_required_2fa_sends_privileged_roles_to_set_it_up(client, org_a, role):
    Organization.objects.filter(pk=org_a.organization.pk).update(require_2fa=True)
    client.force_login(org_a.members[role].user)
    home = reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})
    response = client.get(home)
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    enable_totp(org_a.members[role].user)
    assert client.get(home).status_code == 200


def test_required_2fa_does_not_apply_to_reps(client, org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(require_2fa=True)
    client.force_login(org_a.rep.user)
    assert client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).status_code == 200


def test_only_an_owner_can_require_2fa(client, org_a):
    settings_url = reverse("accounts:organization-settings", kwargs={"org_slug": org_a.slug})
    form = {
        "name": "Alpha Advisors",
        "slug": "alpha",
        "time_zone": "Europe/Stockholm",
        "week_start": 0,
        "fiscal_year_start_month": 1,
        "language": "en",
        "currency": "SEK",
        "require_2fa": "on",
    }
    client.force_login(org_a.admin.user)
    client.post(settings_url, form)
    assert not Organization.objects.get(pk=org_a.organization.pk).require_2fa
    enable_totp(org_a.owner.user)
    client.force_login(org_a.owner.user)
    assert client.post(settings_url, form).status_code == 302
    assert Organization.objects.get(pk=org_a.organization.pk).require_2fa


def test_totp_login_asks_for_the_code(client):
    user = UserFactory(email="secure@example.com")
    enable_totp(user)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    response = client.post(reverse("account_login"), {"login": "secure@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert client.get(reverse("home")).context["user"].is_anonymous


def test_a_member_of_one_organization_lands_on_their_page_in_it_after_signing_in(client):
    rep = MembershipFactory(role=Role.REP)
    response = client.post(reverse("account_login"), {"login": rep.user.email, "password": PASSWORD})
    assert response.url == reverse("activities:today", kwargs={"org_slug": rep.organization.slug})
    client.logout()
    manager = MembershipFactory(role=Role.MANAGER, organization=rep.organization)
    response = client.post(reverse("account_login"), {"login": manager.user.email, "password": PASSWORD})
    assert response.url == reverse("quotas:team-dashboard", kwargs={"org_slug": rep.organization.slug})


def test_a_member_of_two_organizations_chooses_and_a_next_address_still_wins(client):
    rep = MembershipFactory(role=Role.REP)
    MembershipFactory(role=Role.HR, user=rep.user)
    response = client.post(reverse("account_login"), {"login": rep.user.email, "password": PASSWORD})
    assert response.url == reverse("home")
    client.logout()
    # A deactivated membership is not a choice: one active organization left, so straight in.
    MembershipFactory(role=Role.MANAGER, is_active=False, user=UserFactory(email="one@example.com"))
    alone = MembershipFactory(role=Role.REP, user=User.objects.get(email="one@example.com"))
    response = client.post(reverse("account_login"), {"login": "one@example.com", "password": PASSWORD})
    assert response.url == reverse("activities:today", kwargs={"org_slug": alone.organization.slug})
    client.logout()
    members = reverse("accounts:member-list", kwargs={"org_slug": rep.organization.slug})
    response = client.post(f"{reverse('account_login')}?next={members}", {"login": rep.user.email, "password": PASSWORD})
    assert response.url == members
