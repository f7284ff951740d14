"""Canaries: distinctive strings written in one organization (beta) never reach anyone of another (alpha).

Beta's every free text — its name, a team, a rep's name, an activity type, a plan, entry notes, topics and
contacts, flag comments, leave reasons, a holiday, a correction reason, probation notes, a token's name — is
"CANARY-B-<field>". Then every page of alpha that answers GET is read by alpha's owner with each variant it
offers (its sorting, paging, tab and export links, each option of its filters, a search for the canary, and
beta's ids in its filter parameters), and by alpha's manager, HR and rep with their links; every e-mail alpha's
people got from the close of both organizations, the reminders, the alerts and the invitations; and alpha's API
answers. None may contain a canary. The positive controls show that beta's own pages, downloads, e-mails and API
do show every canary, so that a walk which reads nothing would fail.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from accounts.roles import Role
from activities.views.history import PER_PAGE

from .tenant_texts import (
    FIELDS,
    account_urls,
    build_world,
    csv_cells,
    get_form_fields,
    is_download,
    main_routes,
    module_world,
    query_names,
    readable_routes,
    response_text,
    route_url,
    same_page_links,
    with_query,
    xlsx_cells,
)

pytestmark = pytest.mark.django_db

CANARY = "canary-b"  # compared lower-case: topics are stored lower-case
SEARCH = "anary-b"  # what a search box gets: it matches every canary, and the page may repeat it
A_TEXTS = {field: f"Alpha {field.replace('_', ' ')}" for field in FIELDS}
B_TEXTS = {field: f"CANARY-B-{field}" for field in FIELDS}
ROUTES = readable_routes()
# Alpha's manager, HR and rep on the pages they work with (the owner reads every page).
ROLE_ROUTES = [(role, route) for role in (Role.MANAGER, Role.HR, Role.REP) for route in main_routes(role)]
OPTIONS_PER_FILTER = 4  # the first two and last two choices of each filter (types, reps, teams, statuses…)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build():
        return build_world(A_TEXTS, B_TEXTS, older_entries=PER_PAGE + 10)  # alpha's activity has a second page

    with module_world(django_db_blocker, build) as world:
        yield world


def canaries_in(text: str) -> list[str]:
    """The canary fields a text shows; "?" for a canary piece that names no field (a cut-off one)."""
    text = text.lower()
    found = [field for field in FIELDS if B_TEXTS[field].lower() in text]
    return found or (["?"] if CANARY in text else [])


def leak(url: str, response) -> str | None:
    """A problem with the response: a canary in what it shows, or a server error."""
    if response.status_code >= 500:
        return f"{url} answered {response.status_code}"
    text = response_text(response)
    if CANARY in text.lower():
        at = text.lower().index(CANARY)
        return f"{url} ({response.status_code}) shows {canaries_in(text)}: …{text[max(0, at - 120):at + 40]!r}…"
    return None


def foreign_ids(b) -> dict[str, int]:
    """Beta's objects, by the query parameter names alpha's filters use for such objects."""
    return {
        "rep": b.rep.pk,
        "member": b.rep.pk,
        "team": b.team.pk,
        "activity_type": b.type.pk,
        "type": b.type.pk,
        "plan": b.plan.pk,
        "period": b.last_week.pk,
        "flag": b.flag.pk,
        "entry": b.entry.pk,
    }


# Query parameters some list pages read without a filter form showing them (the flags inbox's ?rep= from the
# dashboard, the correction form's ?entry= from an entry, the dashboard's ?period=).
HIDDEN_PARAMETERS = {"rep", "entry", "period"}


def variants(
    html: str, path: str, *, ids: dict[str, int] | None = None, options: bool = True, hidden: bool = False
) -> list[str]:
    """The URLs a page leads to with a query: its own links (sorting, pages, tabs, exports) and page 2; with
    `options`, each option of its filters and a search that matches every canary; with `ids`, the other
    organization's ids in its filter parameters (and, with `hidden`, in HIDDEN_PARAMETERS), also in its exports."""
    links = same_page_links(html, path)
    urls = [*links, with_query(path, page=2)]
    selects, texts = get_form_fields(html)
    exports = sorted({value for url in links for key, value in _query(url) if key == "_export"})
    csv_export = [{}, {"_export": "csv"}] if "csv" in exports else [{}]
    if options:
        for name, values in selects.items():
            chosen = values if len(values) <= OPTIONS_PER_FILTER else values[:2] + values[-2:]
            urls += [with_query(path, **{name: value}) for value in chosen]
        urls += [with_query(path, **{name: SEARCH, **extra}) for name in texts for extra in csv_export]
    if ids is not None:
        names = set(selects) | query_names(links) | (HIDDEN_PARAMETERS if hidden else set())
        for name in sorted(names & ids.keys()):
            urls += [with_query(path, **{name: ids[name], **extra}) for extra in csv_export]
    return list(dict.fromkeys(url for url in urls if url != path))


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def walk(client, url: str, **variant_kwargs) -> tuple[list[str], list[str]]:
    """Read a page and its variants; return (URLs read, problems)."""
    response = client.get(url)
    problems = [leak(url, response)]
    urls = [url]
    if response.status_code == 200 and not is_download(response):
        for variant in variants(response.content.decode(), urlsplit(url).path, **variant_kwargs):
            problems.append(leak(variant, client.get(variant)))
            urls.append(variant)
    return urls, [problem for problem in problems if problem]


# Pages and downloads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_page_or_download_of_alpha_shows_betas_canaries_to_its_owner(client, world, route):
    client.force_login(world.a.owner.user)
    _urls, problems = walk(client, route_url(route, world.a), ids=foreign_ids(world.b), hidden=not route.kwargs)
    assert problems == []


@pytest.mark.parametrize(("role", "route"), ROLE_ROUTES, ids=[f"{role}-{route}" for role, route in ROLE_ROUTES])
def test_no_main_page_of_alpha_shows_betas_canaries_to_its_other_roles(client, world, role, route):
    client.force_login(world.a.members[role].user)
    _urls, problems = walk(client, route_url(route, world.a), options=False)
    assert problems == []


@pytest.mark.parametrize(
    ("role", "url_name", "parameter"),
    [
        (Role.REP, "quotas:correction-create", "entry"),
        (Role.REP, "quotas:flag-list", "rep"),
        (Role.REP, "quotas:my-progress", "rep"),
        (Role.MANAGER, "quotas:flag-list", "rep"),
        (Role.MANAGER, "quotas:my-progress", "rep"),
        (Role.MANAGER, "quotas:team-dashboard", "period"),
        (Role.MANAGER, "activities:today", "rep"),
        (Role.HR, "quotas:flag-list", "rep"),
    ],
)
def test_betas_ids_in_the_query_of_alphas_pages_show_no_canary(client, world, role, url_name, parameter):
    """The parameters pages read from links rather than filter forms, with beta's object, for each role."""
    client.force_login(world.a.members[role].user)
    path = reverse(url_name, kwargs={"org_slug": world.a.slug})
    url = with_query(path, **{parameter: foreign_ids(world.b)[parameter]})
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert leak(url, response) is None


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_no_account_page_of_alphas_members_shows_betas_canaries(client, world, role):
    """The organization chooser, the account's pages and alpha's invitation link, for each of alpha's members."""
    client.force_login(world.a.members[role].user)
    problems = [leak(url, client.get(url)) for url in account_urls(world.a)]
    assert [problem for problem in problems if problem] == []


def test_alphas_urls_with_betas_objects_show_no_canary(client, world):
    """Beta's objects in alpha's URLs: not found, and the answer names nothing of them."""
    client.force_login(world.a.owner.user)
    problems = []
    for route in ROUTES:
        if route.kwargs:
            url = route_url(route, world.b).replace(f"/o/{world.b.slug}/", f"/o/{world.a.slug}/", 1)
            response = client.get(url)
            problems.append(leak(url, response) or (None if response.status_code == 404 else f"{url}: {response}"))
    assert len(problems) >= 10
    assert [problem for problem in problems if problem] == []


def test_the_walk_reads_sorting_paging_filters_exports_and_foreign_ids(client, world):
    """The variants are found on the pages themselves: a walk that found none would prove nothing."""
    client.force_login(world.a.owner.user)

    def walked(path):
        page = client.get(path).content.decode()
        return " ".join(urlsplit(url).query for url in variants(page, path, ids=ids, hidden=True))

    ids = foreign_ids(world.b)
    entries = reverse("activities:entry-list", kwargs={"org_slug": world.a.slug})
    queries = walked(entries)
    for expected in ("sort=date", "sort=topic", "page=2", "_export=csv", "_export=xlsx", "source=", f"topic={SEARCH}",
                     f"rep={ids['rep']}", f"activity_type={ids['activity_type']}", f"team={ids['team']}"):  # fmt: skip
        assert expected in queries, expected
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": world.a.slug})
    queries = walked(dashboard)
    for expected in ("sort=team", "_export=xlsx", f"period={world.a.last_week.pk}", f"period={ids['period']}",
                     "status=", "probation="):  # fmt: skip
        assert expected in queries, expected
    assert len(client.get(f"{entries}?page=2").context["table"].page.object_list) > 0  # a real second page


def test_betas_own_pages_and_downloads_show_every_canary(client, world):
    """The positive control: each canary shows somewhere in beta, to the member who may see it."""
    b = world.b
    seen = set()
    client.force_login(b.owner.user)
    for route in ROUTES:
        seen.update(canaries_in(response_text(client.get(route_url(route, b)))))
    client.force_login(b.rep.user)  # a token is shown only to its member
    seen.update(canaries_in(client.get(reverse("activities:token-list", kwargs={"org_slug": b.slug})).content.decode()))
    assert seen == set(FIELDS)


def test_betas_exports_carry_the_canaries(client, world):
    b = world.b
    client.force_login(b.owner.user)
    entries = reverse("activities:entry-list", kwargs={"org_slug": b.slug})
    dashboard = reverse("quotas:team-dashboard", kwargs={"org_slug": b.slug})
    entry_fields = {"note", "topic", "contact", "first_name", "last_name", "team", "activity_type"}
    assert entry_fields <= set(canaries_in("\n".join(csv_cells(client.get(f"{entries}?_export=csv").content))))
    xlsx = xlsx_cells(client.get(f"{entries}?_export=xlsx").content)
    assert entry_fields <= set(canaries_in("\n".join(str(cell.value) for cell in xlsx)))
    closed = client.get(f"{dashboard}?period={b.last_week.pk}&_export=xlsx").content
    assert {"first_name", "team", "activity_type", "topic"} <= set(
        canaries_in("\n".join(str(cell.value) for cell in xlsx_cells(closed)))
    )


# E-mails ------------------------------------------------------------------------------------------------------


def _organization_of(message) -> str:
    domains = {address.rsplit("@", 1)[1] for address in message.to + message.cc + message.bcc}
    assert len(domains) == 1, f"one e-mail to two organizations: {message.to}"
    return domains.pop().split(".")[0]


def _mail_text(message) -> str:
    alternatives = "\n".join(str(content) for content, _type in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{alternatives}"


def test_no_email_to_alphas_people_shows_betas_canaries(world):
    to_alpha = [message for message in world.outbox if _organization_of(message) == "alpha"]
    subjects = " | ".join(message.subject for message in to_alpha)
    for kind in ("invited", "Your results", "reps to follow up", "reps in probation", "Nothing logged",
                 "Closing"):  # fmt: skip
        assert kind in subjects, f"no e-mail of this kind to check: {kind}"
    problems = [
        f"{message.to}: {message.subject} shows {canaries_in(_mail_text(message))}"
        for message in to_alpha
        if CANARY in _mail_text(message).lower()
    ]
    assert problems == []


def test_betas_own_emails_show_its_canaries(world):
    to_beta = "\n".join(_mail_text(message) for message in world.outbox if _organization_of(message) == "beta")
    assert {"organization", "team", "first_name", "last_name", "activity_type", "topic"} <= set(canaries_in(to_beta))


# The API ------------------------------------------------------------------------------------------------------


def api_get(client, secret, path, **params):
    return client.get(path, params, headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.parametrize("who", ["owner", "rep"])
def test_alphas_api_answers_show_no_canary(client, world, who):
    a, b = world.a, world.b
    secret = a.owner_secret if who == "owner" else a.rep_secret
    entries = reverse("api:entry-list")
    reads = [
        (reverse("api:activity-type-list"), {}, 200),
        (entries, {}, 200),
        (entries, {"page": 2, "page_size": 10}, 200),
        (entries, {"topic": SEARCH}, 200),
        (entries, {"rep": b.rep.user.email}, 200),
        (entries, {"type": b.type.pk}, 200),
        (entries, {"date_from": "2026-01-01", "date_to": "2026-12-31", "source": "web"}, 200),
        (reverse("api:entry-detail", kwargs={"entry_pk": b.entry.pk}), {}, 404),
        (reverse("api:result-list"), {}, 200),
        (reverse("api:result-list"), {"rep": b.rep.user.email, "status": "below_minimum"}, 200),
    ]
    problems = []
    for path, params, status in reads:
        response = api_get(client, secret, path, **params)
        assert response.status_code == status, (path, params, response.status_code)
        problems.append(leak(f"{path} {params}", response))
    assert api_get(client, secret, entries).json()["count"] > 10  # alpha's own entries are listed, two pages
    # Writing with beta's rep and type: refused, and the refusal names nothing of beta.
    for item in (
        {"rep": b.rep.user.email, "type": b.type.pk, "date": "2026-11-24", "quantity": 1},
        {"rep": a.rep.user.email, "type": b.type.pk, "date": "2026-11-24", "quantity": 1},
        [{"rep": b.rep.user.email, "type": b.type.pk, "date": "2026-11-24", "quantity": 1}],
    ):
        response = client.post(entries, item, content_type="application/json",
                               headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
        assert response.status_code in (400, 403), response.content
        problems.append(leak(f"POST {item}", response))
    assert [problem for problem in problems if problem] == []


def test_betas_api_shows_its_canaries(client, world):
    b = world.b
    types = api_get(client, b.owner_secret, reverse("api:activity-type-list"))
    entries = api_get(client, b.owner_secret, reverse("api:entry-list"))
    assert "activity_type" in canaries_in(types.content.decode())
    assert {"note", "topic", "contact"} <= set(canaries_in(entries.content.decode()))
    results = api_get(client, b.owner_secret, reverse("api:result-list"))
    assert "activity_type" in canaries_in(results.content.decode())  # a result is labelled by its type's name

