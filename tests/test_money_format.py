"""Money by locale (Babel): "1 250,50 kr" in Swedish, "SEK 1,250.50" in English, with no-break spaces where CLDR
puts them; on the progress page, the dashboard, in a target's explanation, the e-mails after a close and the
probation report (page and PDF). Counts keep Django's format."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import Membership, Organization
from accounts.templatetags.money import format_money
from activities.models import ActivityEntry
from quotas.models import Period, QuotaLine
from quotas.selectors.calendar import Calendar, availability
from quotas.services.close import period_close
from quotas.services.periods import periods_ensure
from quotas.targets import effective_target, format_quantity
from tests.quotas.conftest import WEEK_START, employed, frozen_now, make_plan  # noqa: F401 (fixtures)

MONDAY = WEEK_START  # 23 Nov 2026; "now" is Wednesday 25 Nov (tests/quotas/conftest.py)


@pytest.fixture(autouse=True)
def language_restored():
    """A request activates the organization's language in the test's own thread: leave the one found before."""
    language = translation.get_language()
    yield
    translation.activate(language)


def render(value, currency="SEK") -> str:
    template = Template("{% load money %}{{ value|money:currency }}")
    return template.render(Context({"value": value, "currency": currency}))


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("sv", Decimal("1250.5"), "SEK", "1\xa0250,50\xa0kr"),
        ("en", Decimal("1250.5"), "SEK", "SEK\xa01,250.50"),  # CLDR keeps a code apart from the digits
        ("sv", Decimal("-1250.5"), "SEK", "-1\xa0250,50\xa0kr"),
        ("en", 1234567, "NOK", "NOK\xa01,234,567.00"),
        ("sv", "5000", "EUR", "5\xa0000,00\xa0€"),
        ("en", 5000.0, "EUR", "€5,000.00"),  # a sign, not a code: no space
        ("en", 0, "SEK", "SEK\xa00.00"),
    ],
)
def test_money_filter_formats_by_the_active_language(language, value, currency, expected):
    with translation.override(language):
        assert render(value, currency) == expected
        assert format_money(value, currency) == expected


def test_format_money_takes_a_language_and_maps_it_to_a_babel_locale():
    with translation.override("en"):
        assert format_money(Decimal("1250.50"), "SEK", language="sv") == "1\xa0250,50\xa0kr"
        assert format_money(Decimal("1250.50"), "SEK", language="sv-se") == "1\xa0250,50\xa0kr"
    with translation.override("sv"):
        assert format_money(Decimal("1250.50"), "SEK", language="en") == "SEK\xa01,250.50"


def test_none_and_garbage_show_a_dash():
    assert format_money(None, "SEK") == "–"
    with translation.override("sv"):
        assert render(None) == "–" and render("") == "–" and render("abc") == "–"


def test_counts_keep_djangos_number_format():
    with translation.override("sv"):
        assert format_quantity(Decimal(1250), money=False, currency="SEK") == "1\xa0250"
        assert format_quantity(Decimal(1250), money=True, currency="SEK") == "1\xa0250,00\xa0kr"


def test_money_explanation_reads_as_amounts():
    calendar = Calendar(weekdays=frozenset(range(5)), holidays={})
    days = availability(calendar=calendar, rep=Membership(fte_percent=80), leave_days=set(),
                        start=date(2026, 11, 23), end=date(2026, 11, 29))  # fmt: skip
    with translation.override("en"):
        target = effective_target(target=Decimal(5000), availability=days, fte_percent=80, money=True, currency="SEK")
        assert target.value == Decimal("4000.00")
        assert target.explanation == "SEK\xa05,000.00 → SEK\xa04,000.00: 80 % FTE"
    with translation.override("sv"):
        target = effective_target(target=Decimal(5000), availability=days, fte_percent=80, money=True, currency="SEK")
        assert target.explanation.startswith("5\xa0000,00\xa0kr → 4\xa0000,00\xa0kr: ")


# Pages: a monthly revenue target of 5 000 for org_a's rep at 80 % FTE (4 000 this month), 1 250,50 logged.


@pytest.fixture
def revenue(org_a, employed, make_plan):  # noqa: F811 (fixtures imported above)
    ActivityEntry.objects.filter(organization=org_a.organization).delete()
    Membership.objects.filter(pk=employed.pk).update(fte_percent=80)
    plan = make_plan(org_a, name="Monthly sales", lines={"revenue": 5000}, kind="month")
    plan.versions.update(effective_from=date(2026, 11, 1))
    ActivityEntry.objects.create(organization=org_a.organization, rep=employed, activity_type=org_a.types["revenue"],
                                 quantity=Decimal("1250.50"), date=MONDAY, entered_by=employed.user)  # fmt: skip
    return QuotaLine.objects.get(version__plan=plan).pk


def speak(org_a, language):
    Organization.objects.filter(pk=org_a.organization.pk).update(language=language)


def progress_line(client, org_a, line_pk) -> str:
    client.force_login(org_a.rep.user)
    response = client.get(reverse("quotas:my-progress", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(rf'<li class="progress-line[^"]*" id="progress-month-{line_pk}".*?</li>', html, re.S).group(0)


def dashboard_row(client, org_a, rep) -> str:
    client.force_login(org_a.manager.user)
    url = reverse("quotas:team-dashboard", kwargs={"org_slug": org_a.slug}) + "?kind=month"
    response = client.get(url)
    assert response.status_code == 200
    return unescape(re.search(rf'<tr id="rep-{rep.pk}".*?</tr>', response.content.decode(), re.S).group(0))


def test_swedish_organization_sees_kronor_on_progress_and_dashboard(client, org_a, revenue):
    speak(org_a, "sv")
    line = progress_line(client, org_a, revenue)
    assert '<span class="progress-actual">1\xa0250,50\xa0kr</span>' in line
    assert '<span class="progress-target">4\xa0000,00\xa0kr</span>' in line
    assert "Mål 5\xa0000,00\xa0kr → 4\xa0000,00\xa0kr" in line
    assert "SEK" not in line
    row = dashboard_row(client, org_a, org_a.rep)
    assert "<strong>1\xa0250,50\xa0kr</strong> / 4\xa0000,00\xa0kr" in row


def test_english_organization_sees_the_currency_code_first(client, org_a, revenue):
    speak(org_a, "en")
    line = progress_line(client, org_a, revenue)
    assert '<span class="progress-actual">SEK\xa01,250.50</span>' in line
    assert '<span class="progress-target">SEK\xa04,000.00</span>' in line
    assert "Target SEK\xa05,000.00 → SEK\xa04,000.00: 80 % FTE" in line
    row = dashboard_row(client, org_a, org_a.rep)
    assert "<strong>SEK\xa01,250.50</strong> / SEK\xa04,000.00" in row


# After the close: e-mails, the probation report and its PDF (a Swedish organization, a weekly revenue target).

LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 16 – Sun 22 Nov 2026


@pytest.fixture
def closed_revenue(org_a, employed, make_plan, django_capture_on_commit_callbacks):  # noqa: F811 (fixtures imported above)
    speak(org_a, "sv")
    org_a.organization.refresh_from_db()
    Membership.objects.filter(pk=employed.pk).update(employment_start=date(2026, 9, 1), probation_end=date(2027, 2, 28))
    plan = make_plan(org_a, name="Weekly sales", lines={"revenue": 5000}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK - timedelta(days=7))
    periods_ensure(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK + timedelta(days=6), kinds=["week"])
    ActivityEntry.objects.create(organization=org_a.organization, rep=employed, activity_type=org_a.types["revenue"],
                                 quantity=Decimal("1250.50"), date=LAST_WEEK, entered_by=employed.user)  # fmt: skip
    period = Period.objects.get(organization=org_a.organization, kind="week", start=LAST_WEEK)
    with django_capture_on_commit_callbacks(execute=True):  # the notification task runs on commit, as in production
        period_close(organization=org_a.organization, period=period)
    return employed


def test_emails_after_the_close_show_amounts_in_kronor(org_a, closed_revenue):
    figures = "Revenue: 1\xa0250,50\xa0kr / 5\xa0000,00\xa0kr (25 %)"
    (summary,) = [message for message in mail.outbox if message.to == [org_a.rep.user.email]]
    assert f"- {figures}" in summary.body
    (digest,) = [message for message in mail.outbox if message.to == [org_a.manager.user.email]]
    assert f"- {figures}" in digest.body  # the team's total
    assert "Revenue 1\xa0250,50\xa0kr / 5\xa0000,00\xa0kr (25 %)" in digest.body  # the flag that needs attention


def test_probation_report_and_pdf_show_amounts_in_kronor(client, org_a, closed_revenue):
    client.force_login(org_a.hr.user)
    kwargs = {"org_slug": org_a.slug, "rep_pk": closed_revenue.pk}
    html = client.get(reverse("quotas:probation-report", kwargs=kwargs)).content.decode()
    assert ">1\xa0250,50\xa0kr</td>" in html and ">5\xa0000,00\xa0kr</td>" in html
    pdf = client.get(reverse("quotas:probation-report-pdf", kwargs=kwargs)).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")
    assert "1 250,50 kr" in text and "5 000,00 kr" in text
