"""Free text is escaped wherever it shows: pages, htmx fragments, exports, e-mails and the probation PDF.

In alpha every free-text field — notes, topics, contacts, team, rep, type, plan and holiday names, flag comments,
leave and correction reasons, probation notes, the organization's name, a token's name — holds a script payload
naming its field (`<script>alert("team")</script><img src=x onerror=alert(1)>`); in beta each holds a spreadsheet
formula (`=HYPERLINK("http://evil/team","x")`, and the same starting with +, - and @). Pages must show the text
escaped and never the markup; CSV and XLSX cells must not start like a formula; e-mails are plain text with the
text as written (no HTML part that could run it); the PDF draws the text as text.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.roles import Role
from quotas.models import Flag

from .tenant_texts import (
    FIELDS,
    TODAY,
    account_urls,
    build_world,
    csv_cells,
    is_download,
    main_routes,
    module_world,
    pdf_text,
    readable_routes,
    route_url,
    same_page_links,
    with_query,
    xlsx_cells,
)

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("{field}")</script><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil/{field}","x")', '+HYPERLINK("http://evil/{field}","x")',
            '-HYPERLINK("http://evil/{field}","x")', '@HYPERLINK("http://evil/{field}","x")']  # fmt: skip
A_TEXTS = {field: SCRIPT.format(field=field) for field in FIELDS}
B_TEXTS = {field: FORMULAS[index % len(FORMULAS)].format(field=field) for index, field in enumerate(FIELDS)}

# What must never be in a page: the payload's markup, or its quote unescaped (an attribute broken out of).
RAW = re.compile(r'<script>alert|<img src=x onerror|alert\("', re.I)
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ROUTES = readable_routes()
ROLE_ROUTES = [(role, route) for role in (Role.MANAGER, Role.HR, Role.REP) for route in main_routes(role)]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker, lambda: build_world(A_TEXTS, B_TEXTS)) as world:
        yield world


def escaped(field: str) -> str:
    """The payload of a field as Django's autoescape writes it."""
    text = A_TEXTS[field]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def escaped_fields(html: str) -> set[str]:
    html = html.lower()
    return {field for field in FIELDS if escaped(field).lower() in html}


def raw_markup(url: str, response) -> str | None:
    if response.status_code >= 500:
        return f"{url} answered {response.status_code}"
    if is_download(response) or "html" not in response.get("Content-Type", ""):
        return None
    html = response.content.decode()
    match = RAW.search(html)
    if match:
        around = html[max(0, match.start() - 150) : match.end() + 60]
        return f"{url} ({response.status_code}) has raw markup: …{around!r}…"
    return None


def walk(client, url: str, *, links: bool = True) -> list[str]:
    """A page and (with `links`) its own links with a query — sorting, pages, tabs: every problem found."""
    response = client.get(url)
    problems = [raw_markup(url, response)]
    if links and response.status_code == 200 and "html" in response.get("Content-Type", ""):
        path = urlsplit(url).path
        own = [link for link in same_page_links(response.content.decode(), path) if "_export=" not in link]
        for link in dict.fromkeys([*own, with_query(path, page=2)]):
            problems.append(raw_markup(link, client.get(link)))
    return [problem for problem in problems if problem]


# Pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_pages_show_the_payloads_escaped_to_the_owner(client, world, route):
    client.force_login(world.a.owner.user)
    assert walk(client, route_url(route, world.a)) == []


@pytest.mark.parametrize(("role", "route"), ROLE_ROUTES, ids=[f"{role}-{route}" for role, route in ROLE_ROUTES])
def test_pages_show_the_payloads_escaped_to_every_role(client, world, role, route):
    client.force_login(world.a.members[role].user)
    assert walk(client, route_url(route, world.a), links=False) == []


def test_account_pages_show_the_payloads_escaped(client, world):
    """Outside the organization: the organization chooser, the account's pages, the invitation link."""
    a = world.a
    client.force_login(a.rep.user)
    responses = {url: client.get(url) for url in account_urls(a)}
    assert [raw_markup(url, response) for url, response in responses.items()] == [None] * len(responses)
    assert "organization" in escaped_fields(responses["/"].content.decode())
    invitation = responses[account_urls(a)[-1]].content.decode()
    assert {"organization", "team"} <= escaped_fields(invitation)


def test_every_fields_payload_shows_escaped_on_some_page(client, world):
    """The positive control: each payload is on a page, escaped — a page that dropped the text would pass the
    raw-markup check without proving anything."""
    a = world.a
    seen = set()
    client.force_login(a.owner.user)
    for route in ROUTES:
        response = client.get(route_url(route, a))
        if "html" in response.get("Content-Type", ""):
            seen |= escaped_fields(response.content.decode())
    client.force_login(a.rep.user)
    seen |= escaped_fields(client.get(reverse("activities:token-list", kwargs={"org_slug": a.slug})).content.decode())
    assert seen == set(FIELDS)


def test_htmx_fragments_escape_the_payloads(client, world):
    """The fragments htmx swaps in after a POST: the Today panel after logging, a leave row after a decision,
    a flag row after acknowledging."""
    a = world.a
    htmx = {"HX-Request": "true"}
    client.force_login(a.rep.user)
    logged = client.post(
        reverse("activities:entry-log", kwargs={"org_slug": a.slug}),
        {"rep": a.rep.pk, "activity_type": a.type.pk, "date": TODAY.isoformat(), "quantity": 1, "note": A_TEXTS["note"],
         "topic": A_TEXTS["topic"], "contact": A_TEXTS["contact"]},
        headers=htmx,
    )  # fmt: skip
    client.force_login(a.manager.user)
    approved = client.post(reverse("quotas:leave-approve", kwargs={"org_slug": a.slug, "leave_pk": a.leave.pk}),
                           headers=htmx)  # fmt: skip
    acknowledged = client.post(
        reverse("quotas:flag-acknowledge", kwargs={"org_slug": a.slug, "flag_pk": a.open_flag.pk}),
        {"comment": A_TEXTS["flag_comment"]}, headers=htmx,
    )  # fmt: skip
    assert Flag.objects.get(pk=a.open_flag.pk).status == "acknowledged"
    fragments = {"today": logged, "leave": approved, "flag": acknowledged}
    assert [raw_markup(name, response) for name, response in fragments.items()] == [None, None, None]
    assert {"note", "topic", "contact", "activity_type"} <= escaped_fields(logged.content.decode())
    assert {"first_name", "leave_reason"} <= escaped_fields(approved.content.decode())
    assert {"first_name", "team"} <= escaped_fields(acknowledged.content.decode())


# Exports --------------------------------------------------------------------------------------------------------


def export_urls(org) -> dict[str, str]:
    entries = reverse("activities:entry-list", kwargs={"org_slug": org.slug})
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": org.slug})
    probation = reverse("quotas:probation-report-csv", kwargs={"org_slug": org.slug, "rep_pk": org.rep.pk})
    return {
        "entries.csv": f"{entries}?_export=csv",
        "entries.xlsx": f"{entries}?_export=xlsx",
        "dashboard.csv": f"{dashboard}?_export=csv",
        "closed-dashboard.csv": f"{dashboard}?period={org.last_week.pk}&_export=csv",
        "closed-dashboard.xlsx": f"{dashboard}?period={org.last_week.pk}&_export=xlsx",
        "probation.csv": probation,
    }


EXPORTS = ["entries.csv", "entries.xlsx", "dashboard.csv", "closed-dashboard.csv", "closed-dashboard.xlsx",
           "probation.csv"]  # fmt: skip


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_neutralise_formulas(client, world, export):
    b = world.b
    client.force_login(b.owner.user)
    response = client.get(export_urls(b)[export])
    assert response.status_code == 200 and is_download(response)
    if export.endswith(".xlsx"):
        cells = xlsx_cells(response.content)
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        values = [cell.value for cell in cells if isinstance(cell.value, str)]
    else:
        values = csv_cells(response.content)
    assert [value for value in values if value.startswith(FORMULA_START)] == []
    payloads = [value for value in values if "hyperlink(" in value.lower()]
    assert payloads, "the formulas are in the export"
    assert all(value.startswith("'") and value[1:].startswith(FORMULA_START) for value in payloads), payloads


def test_exports_keep_script_payloads_as_plain_text(client, world):
    """A CSV is not HTML: the text is exported as written, whole."""
    a = world.a
    client.force_login(a.owner.user)
    values = csv_cells(client.get(export_urls(a)["entries.csv"]).content)
    assert A_TEXTS["note"] in values and A_TEXTS["contact"] in values


# E-mails --------------------------------------------------------------------------------------------------------


def _to_alpha(world):
    return [message for message in world.outbox if message.to[0].endswith("@alpha.example")]


def test_emails_are_plain_text_with_the_texts_as_written(world):
    """No HTML part to run markup in; and in plain text an entity would be shown as is, so none is written."""
    messages = _to_alpha(world)
    assert len(messages) >= 8
    problems = []
    for message in messages:
        assert message.content_subtype == "plain"
        for content, mimetype in getattr(message, "alternatives", []):
            if "html" in mimetype and RAW.search(content):
                problems.append(f"{message.to} {message.subject!r}: raw markup in the HTML part")
        for part in (message.subject, message.body):
            if re.search(r"&(lt|gt|quot|amp|#x?[0-9a-f]+);", part, re.I):
                problems.append(f"{message.to} {message.subject!r}: HTML entities in plain text")
    assert problems == []
    text = "\n".join(f"{message.subject}\n{message.body}" for message in messages)
    shown = {field for field in FIELDS if A_TEXTS[field] in text}
    assert {"organization", "team", "first_name", "last_name", "activity_type", "topic"} <= shown


def test_emails_escape_the_payloads_in_the_notifications_page(client, world):
    """What the e-mails said, on the notifications page: escaped like any page."""
    a = world.a
    client.force_login(a.manager.user)
    page = client.get(reverse("quotas:notification-list", kwargs={"org_slug": a.slug}))
    assert raw_markup("notifications", page) is None
    assert {"organization", "team", "first_name", "last_name"} <= escaped_fields(page.content.decode())


# The probation report PDF ---------------------------------------------------------------------------------------

PDF_FIELDS = {"organization", "first_name", "last_name", "team", "activity_type", "topic", "flag_comment",
              "flag_reply", "leave_reason", "probation_notes"}  # fmt: skip


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("org_name", "texts"), [("a", A_TEXTS), ("b", B_TEXTS)], ids=["script", "formula"])
def test_probation_pdf_draws_the_payloads_as_text(client, world, org_name, texts):
    org = getattr(world, org_name)
    client.force_login(org.hr.user)
    response = client.get(reverse("quotas:probation-report-pdf", kwargs={"org_slug": org.slug, "rep_pk": org.rep.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _squeeze(pdf_text(response.content)).lower()
    missing = {field for field in PDF_FIELDS if _squeeze(texts[field]).lower() not in text}
    assert missing == set()
    assert "&lt;" not in text and "&quot;" not in text

