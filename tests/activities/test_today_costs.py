"""The Today page's cheaper paths show what the full ones would: the panel after a log reuses the entry just logged
(no second lock check, no query for the last entry), the day's latest entries are listed and the rest linked to, and
the topic
suggestions read only entries that have a topic, once per ten minutes."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import selectors
from activities.models import ActivityEntry
from activities.views.today import ENTRIES_SHOWN

from ..factories import ActivityEntryFactory
from .test_today import log, rep_client, today_url  # noqa: F401 (rep_client: a fixture, requested by name)


def test_the_panel_after_a_log_offers_its_undo_without_asking_again(rep_client, org_a):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        response = log(rep_client, org_a, quantity=7, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Undo 7 × Outbound calls" in html and 'id="log-' in html  # the day is open: the buttons are there
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum('FROM "activities_entrylock"' in s for s in sql) == 1  # the service's check, not the panel's again
    newest_first = [s for s in sql if 'FROM "activities_activityentry"' in s and '"created_at" DESC' in s]
    assert len(newest_first) == 1  # the day's entries; the undo's entry is the one just logged
    # The same panel as a GET draws it.
    page = rep_client.get(today_url(org_a)).content.decode()
    assert "Undo 7 × Outbound calls" in page


def test_the_days_totals_are_the_sums_of_the_entries_listed(rep_client, org_a):  # noqa: F811
    ActivityEntry.objects.filter(rep=org_a.rep).delete()
    for quantity in (2, 3, 5):
        log(rep_client, org_a, quantity=quantity)
    log(rep_client, org_a, quantity=4, type_key="meetings")
    html = rep_client.get(today_url(org_a)).content.decode()
    total = r'<span class="type-total" aria-label="Total">{}</span>'
    calls, meetings = org_a.types["outbound_calls"].pk, org_a.types["meetings"].pk
    assert total.format("10") in html.split(f'id="type-row-{calls}"')[1].split("</li>")[0]
    assert total.format("4") in html.split(f'id="type-row-{meetings}"')[1].split("</li>")[0]


def test_the_panel_lists_the_latest_entries_and_links_to_the_rest_of_the_day(rep_client, org_a):  # noqa: F811
    ActivityEntry.objects.filter(rep=org_a.rep).delete()
    for quantity in range(1, 13):
        log(rep_client, org_a, quantity=quantity)
    html = log(rep_client, org_a, quantity=13, htmx=True).content.decode()  # the panel a tap brings back
    rows = html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == ENTRIES_SHOWN == 10
    calls = org_a.types["outbound_calls"].pk
    total = r'<span class="type-total" aria-label="Total">{}</span>'
    assert total.format(sum(range(1, 14))) in html.split(f'id="type-row-{calls}"')[1]  # every entry counts
    day = org_a.organization.local_today().isoformat()
    link = f"/o/{org_a.slug}/activity/?rep={org_a.rep.pk}&amp;date_from={day}&amp;date_to={day}"
    assert f'<a href="{link}">3 earlier entries of this day in Activity history</a>' in html
    history = rep_client.get(link.replace("&amp;", "&")).content.decode()
    assert "13 entries" in history and f"Count total: {sum(range(1, 14))}" in history  # the whole day, there


def test_a_day_with_few_entries_lists_them_all_without_a_link(rep_client, org_a):  # noqa: F811
    ActivityEntry.objects.filter(rep=org_a.rep).delete()
    html = log(rep_client, org_a, quantity=2, htmx=True).content.decode()
    assert html.split("<tbody>")[1].count("<tr>") == 1 and "earlier entr" not in html


def test_topic_suggestions_are_the_used_topics_most_used_first(org_a, org_b):
    for topic, times in (("pensions", 1), ("retirement planning", 3), ("", 5)):
        for _n in range(times):
            ActivityEntryFactory(rep=org_a.rep, activity_type=org_a.types["outbound_calls"], topic=topic)
    ActivityEntryFactory(rep=org_b.rep, activity_type=org_b.types["outbound_calls"], topic="b only")
    assert selectors.topic_suggestions(organization=org_a.organization) == ["retirement planning", "pensions"]


def test_topic_suggestions_are_counted_once_then_read_from_the_cache(org_a, django_assert_num_queries):
    ActivityEntryFactory(rep=org_a.rep, activity_type=org_a.types["outbound_calls"], topic="pensions")
    with django_assert_num_queries(1):
        assert selectors.topic_suggestions(organization=org_a.organization) == ["pensions"]
    ActivityEntryFactory(rep=org_a.rep, activity_type=org_a.types["outbound_calls"], topic="annuities")
    with django_assert_num_queries(0):  # a new topic shows when the cached list expires
        assert selectors.topic_suggestions(organization=org_a.organization) == ["pensions"]


def test_a_reps_today_page_lists_the_days_entries_with_who_entered_them(client, org_a):
    client.force_login(org_a.manager.user)
    day = org_a.organization.local_today() - timedelta(days=1)
    log(client, org_a, quantity=2, day=day)  # the manager logs for the rep
    html = client.get(today_url(org_a) + f"?rep={org_a.rep.pk}&date={day.isoformat()}").content.decode()
    entry = ActivityEntry.objects.filter(rep=org_a.rep, date=day).latest("pk")
    row = html.split(reverse("activities:entry-detail", kwargs={"org_slug": org_a.slug, "entry_pk": entry.pk}))[1]
    assert f"by {org_a.manager.user.display_name}" in row.split("</tr>")[0]
