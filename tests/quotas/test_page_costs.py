# ruff: noqa: F811 (the fixtures imported from test_dashboard are requested by name)
"""What makes the busiest pages cheaper must not change what they show: the dashboard's rows built in Python
(quotas.tables_body) against django-tables2's own rendering, the navigation worked out only when a template reads
it and without a query of its own for the leaderboard's entry, and the template loader that compiles once."""

import re

import django_tables2.utils
import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.context_processors import navigation
from accounts.roles import Role
from accounts.selectors import memberships_for_request
from quotas import tables_body
from quotas.models import QuotaSettings
from quotas.tables_dashboard import DashboardTable

from ..factories import MembershipFactory
from .test_dashboard import LAST_WEEK, team, weeks  # noqa: F401 (three reps over three weeks, two closed)

pytestmark = pytest.mark.usefixtures("frozen_now")

TABLES2_TEMPLATE = "activities/partials/_entry_table.html"  # the dashboard's template before quotas.tables_body


def dashboard_table_html(client, org, query: str) -> str:
    response = client.get(reverse("quotas:team-dashboard", kwargs={"org_slug": org.slug}) + query)
    assert response.status_code == 200
    table = re.search(r"<table .*?</table>", response.content.decode(), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", table)))


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_dashboard_rows_are_the_ones_django_tables2_renders(client, org_a, team, weeks, language, monkeypatch):
    client.force_login(org_a.admin.user)  # everyone: badges (probation, exceeded), teams, flags
    client.cookies["django_language"] = language
    queries = ["", "?sort=-rep", "?sort=team", "?sort=-line_0", "?sort=attainment", "?sort=-plan", "?sort=streak",
               "?sort=-open_flags", "?status=behind", "?plan=all_met", f"?period={weeks[LAST_WEEK].pk}",
               f"?period={weeks[LAST_WEEK].pk}&sort=-line_1", "?status=exceeded&plan=not_met"]  # fmt: skip
    built = {query: dashboard_table_html(client, org_a, query) for query in queries}
    monkeypatch.setattr(DashboardTable._meta, "template_name", TABLES2_TEMPLATE)
    for query in queries:
        assert built[query] == dashboard_table_html(client, org_a, query), query
    assert "★" in built[""] and "badge-probation" in built[""]  # the rows compared are not trivial
    assert re.search(r'<tbody ><tr><td colspan="\d+">', built["?status=exceeded&plan=not_met"])  # no rep: empty text


def test_the_dashboard_inspects_each_columns_render_method_once_not_once_per_cell(client, org_a, team, monkeypatch):
    calls = []

    def counting_signature(fn):
        calls.append(fn)
        return original(fn)

    original = django_tables2.utils.signature
    monkeypatch.setattr(django_tables2.utils, "signature", counting_signature)  # call_with_appropriate's
    monkeypatch.setattr(tables_body, "signature", counting_signature)
    client.force_login(org_a.admin.user)
    counts = {}
    for query in ("", f"?team={team['outbound'].pk}"):  # three reps, then one
        calls.clear()
        html = dashboard_table_html(client, org_a, query)
        counts[html.count('<tr id="rep-')] = len(calls)
    assert set(counts) == {3, 1} and counts[3] == counts[1]


def test_the_dashboard_links_each_rep_to_their_page(client, org_a, team):
    client.force_login(org_a.manager.user)
    html = dashboard_table_html(client, org_a, "")
    for rep in (team["rita"], team["anna"]):
        url = reverse("quotas:rep-detail", kwargs={"org_slug": org_a.slug, "rep_pk": rep.pk})
        assert f'<tr id="rep-{rep.pk}"' in html and f'<a href="{url}">' in html


def request_of(membership):
    request = RequestFactory().get(reverse("activities:today", kwargs={"org_slug": membership.organization.slug}))
    request.user = membership.user
    request.membership = membership
    request.organization = membership.organization
    return request


def test_the_navigation_is_worked_out_only_when_a_template_reads_it(org_a, django_assert_num_queries):
    (membership,) = memberships_for_request(user=org_a.rep.user)
    with django_assert_num_queries(0):  # an htmx partial (the Today panel) reads none of it
        context = navigation(request_of(membership))
    with django_assert_num_queries(1):
        switcher = list(context["nav_switcher"])
    assert switcher == [{"url": reverse("activities:today", kwargs={"org_slug": org_a.slug}),
                         "name": org_a.organization.name, "current": True}]  # fmt: skip
    with django_assert_num_queries(0):  # the links: reversed once per process, the leaderboard switch loaded
        labels = [str(link["label"]) for link in context["nav_links"]]
        assert not context["nav_more_current"]
    assert "Today" in labels and "Leaderboard" not in labels


def test_the_leaderboards_entry_follows_the_switch_without_a_query(org_a, django_assert_num_queries):
    QuotaSettings.objects.update_or_create(organization=org_a.organization, defaults={"leaderboard_enabled": True})
    (membership,) = memberships_for_request(user=org_a.rep.user)
    with django_assert_num_queries(0), translation.override("en"):
        assert "Leaderboard" in [str(link["label"]) for link in navigation(request_of(membership))["nav_links"]]
    QuotaSettings.objects.filter(organization=org_a.organization).update(leaderboard_enabled=False)
    (membership,) = memberships_for_request(user=org_a.rep.user)
    with translation.override("en"):
        assert "Leaderboard" not in [str(link["label"]) for link in navigation(request_of(membership))["nav_links"]]


def test_a_tenant_page_reads_the_member_and_the_leaderboard_switch_in_one_query(client, org_a):
    client.force_login(org_a.rep.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})).status_code == 200
    membership_queries = [q["sql"] for q in queries if 'FROM "accounts_membership"' in q["sql"]]
    assert any('"quotas_quotasettings"' in sql for sql in membership_queries)


def test_the_organization_switcher_reuses_the_members_query(client, org_a, org_b):
    """A member of two organizations: the page's membership and the switcher's list come from one query."""
    MembershipFactory(organization=org_b.organization, user=org_a.rep.user, role=Role.MANAGER)
    client.force_login(org_a.rep.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("quotas:calendar", kwargs={"org_slug": org_a.slug})).content.decode()
    own_memberships = [q["sql"] for q in queries if 'FROM "accounts_membership"' in q["sql"] and '"user_id" =' in q["sql"]]
    assert len(own_memberships) == 1, own_memberships
    switcher = page.split('class="dropdown org-switcher"')[1].split("</details>")[0]
    assert org_a.organization.name in switcher and org_b.organization.name in switcher
    assert reverse("quotas:team-dashboard", kwargs={"org_slug": org_b.slug}) in switcher  # a manager there


def test_templates_are_compiled_once_per_process():
    """No OPTIONS["loaders"] in settings: Django wraps the loaders in the cached loader, in production too."""
    loader, _wrapped = engines["django"].engine.loaders[0]
    assert loader == "django.template.loaders.cached.Loader"
