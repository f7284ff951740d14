"""The organization calendar: working weekdays, the public-holiday preset, company days off.

Everyone reads the calendar page; only admins and owners change it.
"""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from quotas.models import Holiday, HolidayKind, Period, QuotaSettings
from quotas.selectors.calendar import calendar_get, holiday_preset_language
from quotas.services.calendar import holiday_create, holidays_apply_preset
from quotas.tasks import ensure_periods_task

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2026-11-25: the preset offers 2026 and 2027


def calendar_url(org, **query):
    url = reverse("quotas:calendar", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def holiday_url(org, name, holiday):
    return reverse(f"quotas:holiday-{name}", kwargs={"org_slug": org.slug, "holiday_pk": holiday.pk})


def holidays_of(org, year=2026):
    return dict(
        Holiday.objects.filter(organization=org.organization, date__year=year).values_list("date", "name")
    )


def snapshot():
    settings_fields = ("organization_id", "working_weekdays", "holiday_country", "exceeded_tier_percent",
                       "close_grace_minutes")  # fmt: skip
    return (
        sorted(Holiday.objects.values_list("pk", "organization_id", "date", "name", "kind")),
        sorted(QuotaSettings.objects.values_list(*settings_fields)),
    )


def swedish(org):
    Organization.objects.filter(pk=org.organization.pk).update(language="sv")
    org.organization.refresh_from_db()


# The public-holiday preset ----------------------------------------------------------------------


def test_preset_adds_swedish_public_holidays_with_swedish_names(client, org_a):
    swedish(org_a)
    client.force_login(org_a.admin.user)
    response = client.post(calendar_url(org_a), {"action": "preset", "country": "SE", "year": 2026})
    assert response.status_code == 302
    holidays = holidays_of(org_a)
    assert holidays[date(2026, 1, 1)] == "Nyårsdagen"
    assert holidays[date(2026, 4, 3)] == "Långfredagen"
    assert holidays[date(2026, 6, 6)] == "Nationaldagen"
    assert holidays[date(2026, 6, 20)] == "Midsommardagen"
    assert holidays[date(2026, 12, 25)] == "Juldagen"
    assert date(2026, 6, 19) not in holidays  # Midsommarafton is a de facto day off, not a public holiday
    assert date(2026, 12, 24) not in holidays  # nor is Julafton
    assert len(holidays) == 13
    kinds = Holiday.objects.filter(organization=org_a.organization, date__year=2026).values_list("kind", flat=True)
    assert set(kinds) == {HolidayKind.PUBLIC}
    assert QuotaSettings.objects.get(organization=org_a.organization).holiday_country == "SE"
    assert not Holiday.objects.filter(organization=org_a.organization, date__year=2027).exists()


def test_preset_names_follow_the_organization_language(org_a):
    holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    assert holidays_of(org_a)[date(2026, 6, 6)] == "National Day"
    assert holidays_of(org_a)[date(2026, 12, 26)] == "Second Day of Christmas"


def test_preset_language_falls_back_to_the_country_default():
    assert holiday_preset_language(country="SE", language="sv") == "sv"
    assert holiday_preset_language(country="SE", language="en") == "en_US"
    assert holiday_preset_language(country="GB", language="en") == "en_GB"
    assert holiday_preset_language(country="FI", language="sv") == "sv_FI"
    assert holiday_preset_language(country="PL", language="sv") is None  # Polish names, the country's own


def test_preset_applied_twice_adds_nothing(org_a):
    first = holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    before = snapshot()
    again = holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    assert len(first) == 13 and again == []
    assert snapshot() == before


def test_once_applied_the_coming_years_holidays_follow_by_themselves(org_a):
    """The periods job applies this year's and next year's holidays of the country an admin applied once; a year
    that has public holidays is left alone (a removed holiday stays removed); without a country, nothing."""
    ensure_periods_task()
    assert not Holiday.objects.filter(organization=org_a.organization, kind=HolidayKind.PUBLIC).exists()
    holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    Holiday.objects.filter(organization=org_a.organization, date=date(2026, 1, 6)).delete()  # works on Epiphany
    ensure_periods_task()
    assert len(holidays_of(org_a, 2026)) == 12 and date(2026, 1, 6) not in holidays_of(org_a, 2026)
    assert holidays_of(org_a, 2027)[date(2027, 1, 1)] == "New Year's Day"  # in the organization's language
    before = snapshot()
    ensure_periods_task()  # a doubled run adds nothing
    assert snapshot() == before


def test_one_organizations_holiday_failure_does_not_stop_the_next_ones_periods(org_a, org_b):
    Period.objects.filter(organization=org_b.organization).delete()
    with mock.patch("quotas.tasks.holidays_apply_coming_years", side_effect=[RuntimeError("no network"), 0]):
        ensure_periods_task()
    assert Period.objects.filter(organization=org_b.organization).exists()


def test_admin_edits_survive_a_reapplied_preset(client, org_a):
    holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    national_day = Holiday.objects.get(organization=org_a.organization, date=date(2026, 6, 6))
    client.force_login(org_a.admin.user)
    client.post(holiday_url(org_a, "update", national_day), {"date": "2026-06-06", "name": "Sweden's day"})
    Holiday.objects.filter(organization=org_a.organization, date=date(2026, 1, 6)).delete()
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 1, 6), name="Inventory")
    response = client.post(calendar_url(org_a), {"action": "preset", "country": "SE", "year": 2026}, follow=True)
    assert "Added 0" not in response.content.decode()
    assert holidays_of(org_a)[date(2026, 6, 6)] == "Sweden's day"
    inventory = Holiday.objects.get(organization=org_a.organization, date=date(2026, 1, 6))
    assert (inventory.name, inventory.kind) == ("Inventory", HolidayKind.COMPANY)
    assert Holiday.objects.filter(organization=org_a.organization, date__year=2026).count() == 13


def test_preset_of_another_country_only_fills_free_dates(org_a):
    holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    added = holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="NO", year=2026)
    assert date(2026, 5, 17) in {h.date for h in added}  # Norway's Constitution Day
    assert date(2026, 1, 1) not in {h.date for h in added}
    assert holidays_of(org_a)[date(2026, 1, 1)] == "New Year's Day"
    assert QuotaSettings.objects.get(organization=org_a.organization).holiday_country == "NO"


def test_preset_form_suggests_sweden_for_a_stockholm_organization(client, org_a):
    client.force_login(org_a.admin.user)
    form = client.get(calendar_url(org_a)).context["preset_form"]
    assert form["country"].value() == "SE"
    assert dict(form.fields["year"].choices) == {2026: "2026", 2027: "2027"}
    assert ("SE", "Sweden (SE)") in form.fields["country"].choices
    assert ("GB", "United Kingdom (GB)") in form.fields["country"].choices


def test_preset_form_suggests_nothing_outside_sweden(client, org_a):
    Organization.objects.filter(pk=org_a.organization.pk).update(time_zone="America/New_York")
    client.force_login(org_a.admin.user)
    assert client.get(calendar_url(org_a)).context["preset_form"]["country"].value() == ""


@pytest.mark.parametrize(
    "payload",
    [
        {"country": "XX", "year": 2026},
        {"country": "", "year": 2026},
        {"country": "SE", "year": 2030},
        {"country": "SE"},
    ],
)
def test_preset_bad_input_changes_nothing(client, org_a, payload):
    before = snapshot()
    client.force_login(org_a.admin.user)
    response = client.post(calendar_url(org_a), {"action": "preset", **payload})
    assert response.status_code == 200
    assert response.context["preset_form"].errors
    assert snapshot() == before


# Company days off, renaming, deleting -----------------------------------------------------------


def test_admin_adds_a_company_day_off(client, org_a):
    client.force_login(org_a.admin.user)
    response = client.post(calendar_url(org_a), {"action": "holiday", "date": "2026-12-28", "name": "Kick-off"})
    assert response.status_code == 302
    holiday = Holiday.objects.get(organization=org_a.organization, date=date(2026, 12, 28))
    assert (holiday.name, holiday.kind) == ("Kick-off", HolidayKind.COMPANY)
    calendar = calendar_get(organization=org_a.organization, start=date(2026, 12, 28), end=date(2026, 12, 28))
    assert not calendar.is_working_day(date(2026, 12, 28))
    page = client.get(calendar_url(org_a)).content.decode()
    assert "Kick-off" in page and "Company day off" in page


def test_company_day_on_a_date_that_has_a_holiday_is_refused(client, org_a):
    holidays_apply_preset(organization=org_a.organization, actor=org_a.admin, country="SE", year=2026)
    before = snapshot()
    client.force_login(org_a.admin.user)
    response = client.post(calendar_url(org_a), {"action": "holiday", "date": "2026-12-25", "name": "Party"})
    assert response.status_code == 200
    assert "There is already a holiday on this date." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload", [{"date": "", "name": "Off"}, {"date": "2026-02-30", "name": "Off"}, {"date": "2026-12-28", "name": ""},
                {"date": "2026-12-28", "name": "x" * 101}],
)  # fmt: skip
def test_company_day_bad_input_changes_nothing(client, org_a, payload):
    before = snapshot()
    client.force_login(org_a.admin.user)
    response = client.post(calendar_url(org_a), {"action": "holiday", **payload})
    assert response.status_code == 200
    assert response.context["holiday_form"].errors
    assert snapshot() == before


def test_admin_renames_and_moves_a_holiday(client, org_a):
    holiday = holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 28), name="Off")
    client.force_login(org_a.admin.user)
    assert client.get(holiday_url(org_a, "update", holiday)).status_code == 200
    response = client.post(holiday_url(org_a, "update", holiday), {"date": "2026-12-29", "name": "Kick-off"})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.date, holiday.name) == (date(2026, 12, 29), "Kick-off")


def test_moving_a_holiday_onto_another_is_refused(client, org_a):
    holiday = holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 28), name="Off")
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 29), name="Other")
    before = snapshot()
    client.force_login(org_a.admin.user)
    response = client.post(holiday_url(org_a, "update", holiday), {"date": "2026-12-29", "name": "Off"})
    assert response.status_code == 200
    assert "There is already a holiday on this date." in response.content.decode()
    assert snapshot() == before


def test_admin_deletes_a_holiday(client, org_a):
    holiday = holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 28), name="Off")
    client.force_login(org_a.owner.user)
    response = client.post(holiday_url(org_a, "delete", holiday))
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()


def test_another_organizations_holiday_is_404(client, world):
    client.force_login(world.a.admin.user)
    before = snapshot()
    assert client.get(holiday_url(world.a, "update", world.b.holiday)).status_code == 404
    payload = {"date": "2026-12-28", "name": "X"}
    assert client.post(holiday_url(world.a, "update", world.b.holiday), payload).status_code == 404
    assert client.post(holiday_url(world.a, "delete", world.b.holiday)).status_code == 404
    assert snapshot() == before


# Working weekdays and the exceeded tier ---------------------------------------------------------


def test_working_weekdays_decide_the_working_days(client, org_a):
    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    calendar = calendar_get(organization=org_a.organization, start=saturday, end=monday)
    assert not calendar.is_working_day(saturday) and calendar.is_working_day(monday)
    assert not QuotaSettings.objects.filter(organization=org_a.organization).exists()
    client.force_login(org_a.admin.user)
    response = client.post(
        calendar_url(org_a), {"action": "settings", "working_weekdays": [1, 2, 3, 4, 5], "exceeded_tier_percent": 150,
                              "close_grace_minutes": 180}
    )  # fmt: skip
    assert response.status_code == 302
    settings = QuotaSettings.objects.get(organization=org_a.organization)
    assert (settings.working_weekdays, settings.exceeded_tier_percent) == ("1,2,3,4,5", 150)
    assert settings.close_grace_minutes == 180  # the periods close at 03:00
    org_a.organization.refresh_from_db()  # as the next request loads it: the settings it held are the old ones
    calendar = calendar_get(organization=org_a.organization, start=saturday, end=monday)
    assert calendar.is_working_day(saturday) and not calendar.is_working_day(monday)
    page = client.get(calendar_url(org_a)).content.decode()
    assert "Tuesday, Wednesday, Thursday, Friday, Saturday" in page and "150 %" in page
    assert "180 minutes after the midnight that ends them" in page


def test_saving_settings_again_updates_the_same_row(client, org_a):
    client.force_login(org_a.admin.user)
    for days in ([0, 1, 2, 3], [0, 1, 2, 3, 4]):
        client.post(calendar_url(org_a), {"action": "settings", "working_weekdays": days, "exceeded_tier_percent": 120,
                                          "close_grace_minutes": 120})  # fmt: skip
    assert QuotaSettings.objects.get(organization=org_a.organization).working_weekdays == "0,1,2,3,4"
    assert QuotaSettings.objects.filter(organization=org_a.organization).count() == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"working_weekdays": []}, "Choose at least one working day."),
        ({"working_weekdays": [7]}, "Select a valid choice"),
        ({"exceeded_tier_percent": 100}, "greater than or equal to 101"),
        ({"exceeded_tier_percent": 1001}, "less than or equal to 1000"),
        ({"exceeded_tier_percent": "lots"}, "Enter a whole number."),
        ({"close_grace_minutes": -1}, "greater than or equal to 0"),
        ({"close_grace_minutes": 1441}, "less than or equal to 1440"),
        ({"close_grace_minutes": ""}, "This field is required."),
    ],
)
def test_settings_bad_input_changes_nothing(client, org_a, payload, message):
    before = snapshot()
    client.force_login(org_a.admin.user)
    valid = {"working_weekdays": [0], "exceeded_tier_percent": 120, "close_grace_minutes": 120}
    response = client.post(calendar_url(org_a), {"action": "settings", **valid, **payload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


# Who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep", "hr", "manager", "admin", "owner"])
def test_everyone_reads_the_calendar_only_admins_see_the_controls(client, org_a, role):
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 28), name="Kick-off")
    client.force_login(getattr(org_a, role).user)
    response = client.get(calendar_url(org_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kick-off" in page
    is_admin = role in ("admin", "owner")
    assert ('name="action"' in page) is is_admin
    assert ("/calendar/holidays/" in page) is is_admin
    assert (reverse("quotas:calendar", kwargs={"org_slug": org_a.slug}) in page)  # in the navigation


@pytest.mark.parametrize("role", ["rep", "hr", "manager"])
def test_only_admins_change_the_calendar(client, org_a, role):
    holiday = holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2026, 12, 28), name="Off")
    before = snapshot()
    client.force_login(getattr(org_a, role).user)
    posts = [
        (calendar_url(org_a), {"action": "settings", "working_weekdays": [0, 1], "exceeded_tier_percent": 130}),
        (calendar_url(org_a), {"action": "preset", "country": "SE", "year": 2026}),
        (calendar_url(org_a), {"action": "holiday", "date": "2026-12-30", "name": "Party"}),
        (holiday_url(org_a, "update", holiday), {"date": "2026-12-28", "name": "Renamed"}),
        (holiday_url(org_a, "delete", holiday), {}),
    ]
    for url, payload in posts:
        assert client.post(url, payload).status_code == 403, url
    assert client.get(holiday_url(org_a, "update", holiday)).status_code == 403
    assert snapshot() == before


def test_unknown_action_is_a_bad_request(client, org_a):
    before = snapshot()
    client.force_login(org_a.admin.user)
    assert client.post(calendar_url(org_a), {"action": "drop-tables"}).status_code == 400
    assert snapshot() == before


def test_calendar_page_shows_the_chosen_year(client, org_a):
    holiday_create(organization=org_a.organization, actor=org_a.admin, day=date(2027, 1, 4), name="Next year")
    client.force_login(org_a.rep.user)
    assert "Next year" not in client.get(calendar_url(org_a)).content.decode()
    response = client.get(calendar_url(org_a, year=2027))
    assert "Next year" in response.content.decode()
    assert response.context["working_day_count"] == 261 - 1  # 2027: 261 weekdays, one of them off
    assert client.get(calendar_url(org_a, year="soon")).context["year"] == 2026


def test_calendar_page_query_count_does_not_grow_with_holidays(client, org_a):
    client.force_login(org_a.admin.user)

    def count_queries(holiday_count):
        Holiday.objects.filter(organization=org_a.organization, date__year=2026).delete()
        Holiday.objects.bulk_create(
            Holiday(organization=org_a.organization, date=date(2026, 1, 1) + timedelta(days=i), name=f"Day {i}")
            for i in range(holiday_count)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(calendar_url(org_a))
        assert len(response.context["holidays"]) == holiday_count
        return len(queries)

    assert count_queries(5) == count_queries(50)
