"""Security hardening: the Content-Security-Policy and other headers, the project's deployment check, login
throttling on every login form (the admin's too), no csrf_exempt outside the token API, no state change on GET
anywhere, and the upload limit."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.checks import Tags, run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from accounts.models import User
from accounts.selectors import invitation_token
from activities.api.urls import SWAGGER_UI_STYLE_HASH
from activities.models import ImportBatch
from activities.services.imports import MAX_UPLOAD_BYTES
from activities.services.tokens import api_token_create
from salesquota.checks import HSTS_MINIMUM_SECONDS, security_settings_check

from .accounts.test_isolation import OBJECT_FOR_KWARG, add_url_objects
from .factories import PASSWORD, UserFactory
from .tenant_urls import TENANT_PREFIX, _walk

ROOT = Path(__file__).resolve().parent.parent

# --- Content-Security-Policy and headers ---------------------------------------------------------------------


def csp_directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: set(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_every_response_carries_the_content_security_policy(client, db, url):
    directives = csp_directives(client.get(url))
    assert directives["default-src"] == {"'self'"}
    assert directives["script-src"] == {"'self'"}  # + a nonce, on pages that use one
    assert directives["style-src"] == {"'self'"}  # no 'unsafe-inline': no style="" attributes
    assert directives["img-src"] == {"'self'", "data:"}
    assert directives["object-src"] == {"'none'"}
    assert directives["base-uri"] == {"'none'"}
    assert directives["frame-ancestors"] == {"'none'"}
    assert directives["form-action"] == {"'self'"}


def test_pages_forbid_framing_and_leak_no_referrer_to_other_sites(client, org_a):
    client.force_login(org_a.rep.user)
    response = client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug}))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_inline_script_runs_only_with_the_requests_nonce(rf_with_middleware):
    """The wiring for the rare inline script: {{ CSP_NONCE }} in a template puts the same nonce in the header."""
    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">window.x = 1;</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    response = rf_with_middleware(view)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp_directives(response)["script-src"]


@pytest.fixture
def rf_with_middleware():
    from csp.middleware import CSPMiddleware

    def run(view):
        request = RequestFactory().get("/")
        middleware = CSPMiddleware(view)
        middleware.process_request(request)
        return middleware.process_response(request, view(request))

    return run


# Inline code the policy would block: an inline <script> without src (data blocks and nonced scripts aside), a
# <style> element, a style="" attribute, an on…="" handler, a javascript: URL, htmx's hx-on (it needs eval).
INLINE_CODE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"javascript:", re.I),
    re.compile(r"\shx-on", re.I),
]


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)


def test_no_template_has_inline_script_or_style():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    for app in ("accounts", "activities", "quotas"):
        templates += sorted((ROOT / app).rglob("templates/**/*.html"))
    assert len(templates) > 20
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for pattern in INLINE_CODE
        for match in pattern.finditer(TEMPLATE_COMMENT.sub("", path.read_text()))
    ]
    assert found == []


def test_htmx_adds_no_inline_style_and_evaluates_nothing(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in page
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert ".htmx-indicator" in css  # htmx's indicator rules, which it would otherwise inject inline


def test_api_docs_allow_only_their_own_inline_style(client, db):
    response = client.get(reverse("api:docs"))
    page = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == SWAGGER_UI_STYLE_HASH  # fails when a drf-spectacular upgrade changes the page
    directives = csp_directives(response)
    assert directives["style-src"] == {"'self'", SWAGGER_UI_STYLE_HASH}
    assert directives["script-src"] == {"'self'"}
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # the start-up script comes from docs/?script


# --- The project's deployment check ---------------------------------------------------------------------------


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = HSTS_MINIMUM_SECONDS
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def our_errors():
    return sorted(error.id for error in security_settings_check(None))


def test_security_check_passes_with_the_production_protections(production_like):
    assert our_errors() == []


def _without(directive):
    def change(settings):
        policy = {**settings.CONTENT_SECURITY_POLICY}
        policy["DIRECTIVES"] = {k: v for k, v in policy["DIRECTIVES"].items() if k != directive}
        settings.CONTENT_SECURITY_POLICY = policy

    return change


def _set(name, value):
    return lambda settings: setattr(settings, name, value)


@pytest.mark.parametrize(
    ("change", "error_id"),
    [
        (_without("object-src"), "salesquota.E001"),
        (_without("base-uri"), "salesquota.E002"),
        (_set("CONTENT_SECURITY_POLICY", None), "salesquota.E001"),
        (_set("SECURE_HSTS_SECONDS", HSTS_MINIMUM_SECONDS - 1), "salesquota.E003"),
        (_set("SECURE_HSTS_SECONDS", 0), "salesquota.E003"),
        (_set("SESSION_COOKIE_SECURE", False), "salesquota.E004"),
        (_set("CSRF_COOKIE_SECURE", False), "salesquota.E005"),
    ],
    ids=["no object-src", "no base-uri", "no policy", "HSTS a second short", "no HSTS", "session cookie", "csrf"],
)
def test_security_check_fails_without_each_protection(production_like, change, error_id):
    change(production_like)
    assert error_id in our_errors()


def test_security_check_is_a_deployment_check_silent_in_development(production_like):
    production_like.SESSION_COOKIE_SECURE = False
    deploy = {e.id for e in run_checks(tags=[Tags.security], include_deployment_checks=True)}
    assert "salesquota.E004" in deploy
    assert "salesquota.E004" not in {e.id for e in run_checks(tags=[Tags.security])}
    production_like.DEBUG = True
    assert our_errors() == []


# --- Login throttling on every login form -------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@salesquota.example", is_staff=True, is_superuser=True)


def test_admin_login_sends_to_the_sites_login_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response.url


def test_admin_login_form_cannot_be_used_to_guess_passwords(client, staff):
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session  # the right password did not sign in here


def test_staff_sign_in_on_the_sites_login_page_and_reach_the_admin(client, staff):
    response = client.post(
        reverse("account_login") + "?next=/admin/", {"login": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_is_rate_limited_like_every_login(client, staff):
    url = reverse("account_login") + "?next=/admin/"
    for _attempt in range(5):
        client.post(url, {"login": staff.email, "password": "wrong-password"})
    response = client.post(url, {"login": staff.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_non_staff_members_get_no_admin(client, org_a):
    client.force_login(org_a.owner.user)
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302


# --- CSRF --------------------------------------------------------------------------------------------------------


def test_only_the_token_api_is_csrf_exempt(settings):
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    routes = _walk(get_resolver().url_patterns)
    exempt = sorted(route for route, _name, view in routes if getattr(view, "csrf_exempt", False))
    assert exempt, "the API's views are csrf_exempt (they take no session): the walk must see them"
    assert [route for route in exempt if not route.startswith("api/v1/")] == []


# --- No state change on GET ---------------------------------------------------------------------------------------

# Bookkeeping that a read may update on purpose: when an API token was last used.
IGNORED_COLUMNS = {"activities.ApiToken": {"last_used_at"}}
KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def database_snapshot() -> dict:
    """Every row of every table but the sessions (signing in writes one)."""
    snapshot = {}
    for model in apps.get_models():
        if model is Session:
            continue
        ignored = IGNORED_COLUMNS.get(model._meta.label, set())
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]
        snapshot[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return snapshot


def _changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _route_kwargs(route, org, extra):
    names = [a or b for a, b in KWARG.findall(route)]
    values = {"org_slug": org.slug, **extra}
    kwargs = {}
    for name in names:
        if name in values:
            kwargs[name] = values[name]
        else:
            kwargs[name] = OBJECT_FOR_KWARG[name](org)
    return kwargs


def test_no_get_request_changes_the_database(client, world):
    """Every URL of the site — each page of an organization and everything outside (allauth, the admin, the
    API, /healthz) — read with GET by a signed-in owner who is also staff: no row anywhere changes, no e-mail
    leaves."""
    add_url_objects(world)
    org = world.a
    owner = org.owner.user
    User.objects.filter(pk=owner.pk).update(is_staff=True, is_superuser=True)
    _token, secret = api_token_create(organization=org.organization, membership=org.owner, name="Walk")
    extra = {
        "token": invitation_token(invitation=org.invitation),
        "key": "no-such-key",
        "uidb36": "1",
        "app_label": "accounts",
        "object_id": str(owner.pk),
        "id": str(owner.pk),
        "content_type_id": ContentType.objects.get_for_model(User).pk,
    }
    routes = [(route, name) for route, name, _view in _walk(get_resolver().url_patterns)]
    assert sum(route.startswith(TENANT_PREFIX) for route, _ in routes) >= 15
    assert sum(route.startswith("admin/") for route, _ in routes) >= 20
    mail.outbox.clear()
    problems = []
    for route, name in routes:
        if "_auth_user_id" not in client.session:
            client.force_login(owner)  # a logout page must not end the walk
        url = reverse(name, kwargs=_route_kwargs(route, org, extra))
        headers = {"Authorization": f"Bearer {secret}"} if route.startswith("api/") else {}
        before = database_snapshot()
        try:
            response = client.get(url, headers=headers)
        except Exception as error:  # noqa: BLE001 — reported with the others below
            problems.append(f"GET {url} raised {error!r}")
            continue
        changed = _changed(before, database_snapshot())
        if changed:
            problems.append(f"GET {url} ({response.status_code}) changed {changed}")
        if response.status_code >= 500:
            problems.append(f"GET {url} answered {response.status_code}")
    assert problems == []
    assert mail.outbox == []


# --- Upload limits ---------------------------------------------------------------------------------------------


def test_upload_limits_are_set_deliberately(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1_000


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (MAX_UPLOAD_BYTES + 1, "The file is larger than 5.0\xa0MB."),  # not "5.0 MB; at most 5.0 MB"
        (6 * 1024 * 1024, "The file is 6.0\xa0MB; at most 5.0\xa0MB can be uploaded. Split it into smaller files."),
    ],
)
def test_a_csv_over_5_mb_is_refused_with_a_clear_message_and_nothing_is_written(client, org_a, size, message):
    """The real limit, not a patched one (files over 2.5 MB are spooled to disk, not kept in memory)."""
    client.force_login(org_a.manager.user)
    header = b"email,date,type,quantity,note,topic,contact,external_id\n"
    content = header + b"x" * (size - len(header))
    before = set(ImportBatch.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("activities:import-create", kwargs={"org_slug": org_a.slug}),
        {"file": SimpleUploadedFile("big.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == before
