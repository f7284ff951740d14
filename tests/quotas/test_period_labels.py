"""One name per period, the same on every page, e-mail, PDF and CSV."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from quotas.models import Period
from quotas.period_labels import period_label


@pytest.mark.parametrize(
    "kind, start, end, label",
    [
        ("month", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("week", date(2026, 11, 16), date(2026, 11, 22), "Week 16 – 22 Nov 2026"),
        ("week", date(2026, 11, 30), date(2026, 12, 6), "Week 30 Nov – 6 Dec 2026"),
        ("week", date(2026, 12, 28), date(2027, 1, 3), "Week 28 Dec 2026 – 3 Jan 2027"),
        ("day", date(2026, 11, 3), date(2026, 11, 3), "Day 3 Nov 2026"),
        ("quarter", date(2026, 10, 1), date(2026, 12, 31), "Quarter 1 Oct – 31 Dec 2026"),
    ],
)
def test_a_period_is_named_by_its_kind_and_days_naming_month_and_year_once(kind, start, end, label):
    with translation.override("en"):
        assert period_label(Period(kind=kind, start=start, end=end)) == label


def test_templates_use_the_same_name():
    period = Period(kind="week", start=date(2026, 11, 16), end=date(2026, 11, 22))
    with translation.override("en"):
        html = Template("{% load periods %}{{ period|period_label }}").render(Context({"period": period}))
    assert html == "Week 16 – 22 Nov 2026"
