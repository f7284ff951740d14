"""Each user's own language: the page language order, the Language page (and the selector at the foot of every
page), and e-mails of the accounts app in the recipient's language."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.emails import send_invitation_email
from accounts.models import Organization, User
from accounts.selectors import language_for

from ..factories import InvitationFactory, UserFactory

LANGUAGE_URL = "/accounts/language/"


def set_language(user, language):
    User.objects.filter(pk=user.pk).update(language=language)


def org_home(org):
    return reverse("accounts:organization-home", kwargs={"org_slug": org.slug})


@pytest.fixture
def swedish_org(org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(language="sv")
    org_a.organization.refresh_from_db()
    return org_a


# --- Which language a page is in ----------------------------------------------------------------------------


def test_organization_pages_use_the_organizations_language_by_default(client, swedish_org):
    client.force_login(swedish_org.rep.user)
    assert client.get(org_home(swedish_org)).headers["Content-Language"] == "sv"


def test_the_users_own_language_wins_over_the_organizations(client, swedish_org):
    set_language(swedish_org.rep.user, "en")
    client.force_login(swedish_org.rep.user)
    response = client.get(org_home(swedish_org))
    assert response.headers["Content-Language"] == "en"
    assert "Sign out" in response.content.decode()


def test_the_users_own_language_wins_over_a_language_cookie(client, org_a):
    set_language(org_a.rep.user, "sv")
    client.force_login(org_a.rep.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # picked on this browser before signing in
    assert client.get(org_home(org_a)).headers["Content-Language"] == "sv"


def test_outside_an_organization_the_users_language_wins_over_the_browsers(client, org_a):
    set_language(org_a.rep.user, "sv")
    client.force_login(org_a.rep.user)
    response = client.get(reverse("home"), headers={"Accept-Language": "en"})
    assert response.headers["Content-Language"] == "sv"
    assert "Logga ut" in response.content.decode()


def test_outside_an_organization_without_a_choice_the_browser_decides(client, org_a):
    client.force_login(org_a.rep.user)
    assert client.get(reverse("home"), headers={"Accept-Language": "sv"}).headers["Content-Language"] == "sv"
    assert client.get(reverse("home"), headers={"Accept-Language": "en"}).headers["Content-Language"] == "en"


def test_visitors_get_their_browsers_language(client, db):
    assert client.get("/accounts/login/", headers={"Accept-Language": "sv"}).headers["Content-Language"] == "sv"


# --- The Language page ---------------------------------------------------------------------------------------------


def test_language_page_offers_the_organizations_language_english_and_swedish(client, org_a):
    client.force_login(org_a.rep.user)
    page = client.get(LANGUAGE_URL).content.decode()
    assert '<option value="" selected>The organization&#x27;s language</option>' in page
    assert '<option value="en">English</option>' in page
    assert '<option value="sv">Svenska</option>' in page
    assert '<label for="id_language">Your language</label>' in page
    assert f'href="{LANGUAGE_URL}"' in page  # in the account menu and the account pages' navigation


def test_choosing_a_language_saves_it_on_the_account_and_the_browser(client, org_a):
    client.force_login(org_a.rep.user)
    response = client.post(LANGUAGE_URL, {"language": "sv"})
    assert response.status_code == 302 and response.url == LANGUAGE_URL
    org_a.rep.user.refresh_from_db()
    assert org_a.rep.user.language == "sv"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    page = client.get(LANGUAGE_URL)
    assert page.headers["Content-Language"] == "sv"
    assert "Språket har sparats." in page.content.decode() or "Language saved." in page.content.decode()
    assert '<option value="sv" selected>Svenska</option>' in page.content.decode()


def test_going_back_to_the_organizations_language_clears_the_choice(client, swedish_org):
    set_language(swedish_org.rep.user, "en")
    client.force_login(swedish_org.rep.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(LANGUAGE_URL, {"language": ""})
    swedish_org.rep.user.refresh_from_db()
    assert swedish_org.rep.user.language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert client.get(org_home(swedish_org)).headers["Content-Language"] == "sv"


def test_an_unknown_language_is_refused(client, org_a):
    client.force_login(org_a.rep.user)
    response = client.post(LANGUAGE_URL, {"language": "de"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    org_a.rep.user.refresh_from_db()
    assert org_a.rep.user.language == ""


def test_the_language_page_needs_sign_in(client, db):
    response = client.get(LANGUAGE_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert client.post(LANGUAGE_URL, {"language": "sv"}).status_code == 302


def test_the_selector_at_the_foot_of_the_page_saves_the_users_language(client, swedish_org):
    client.force_login(swedish_org.rep.user)
    url = org_home(swedish_org)
    page = client.get(url).content.decode()
    assert f'<form action="{LANGUAGE_URL}" method="post" class="language-form">' in page
    response = client.post(LANGUAGE_URL, {"language": "en", "next": url})
    assert response.url == url
    swedish_org.rep.user.refresh_from_db()
    assert swedish_org.rep.user.language == "en"
    assert client.get(url).headers["Content-Language"] == "en"


def test_the_selector_goes_back_only_to_this_site(client, org_a):
    client.force_login(org_a.rep.user)
    response = client.post(LANGUAGE_URL, {"language": "en", "next": "https://evil.example/"})
    assert response.url == LANGUAGE_URL


def test_visitors_selector_still_sets_a_cookie(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert f'<form action="{reverse("set_language")}" method="post" class="language-form">' in page


# --- E-mails -------------------------------------------------------------------------------------------------------


def test_language_for_prefers_the_users_choice(org_a):
    organization = org_a.organization
    user = org_a.rep.user
    assert language_for(user=user, organization=organization) == "en"
    user.language = "sv"
    assert language_for(user=user, organization=organization) == "sv"
    assert language_for(user=None, organization=organization) == "en"


def test_invitation_to_an_existing_account_is_in_its_language(org_a):
    UserFactory(email="sven@example.com", language="sv")
    invitation = InvitationFactory(organization=org_a.organization, team=org_a.team, email="Sven@example.com")
    send_invitation_email(invitation_id=invitation.pk)
    assert "Du är inbjuden" in mail.outbox[0].subject


def test_invitation_to_a_new_address_is_in_the_organizations_language(swedish_org):
    organization, team = swedish_org.organization, swedish_org.team
    invitation = InvitationFactory(organization=organization, team=team, email="new@example.com")
    send_invitation_email(invitation_id=invitation.pk)
    assert "Du är inbjuden" in mail.outbox[0].subject
    UserFactory(email="english@example.com", language="en")
    invitation = InvitationFactory(organization=organization, team=team, email="english@example.com")
    send_invitation_email(invitation_id=invitation.pk)
    assert "Du är inbjuden" not in mail.outbox[1].subject
    assert "Alpha Advisors" in mail.outbox[1].subject
