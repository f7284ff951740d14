"""How a period is named to people — the same words on every page, e-mail, PDF and CSV, in the active language."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import PeriodKind


def period_label(period) -> str:
    """"November 2026", "Week 16 – 22 Nov 2026", "Week 30 Nov – 6 Dec 2026", "Day 3 Nov 2026"…

    A month is named as a month; any other period by its kind and days, naming the month and year once when the
    period stays within them (a date column of "2026-11-16 – 2026-11-22" wraps into four lines on a phone)."""
    start, end = period.start, period.end
    kind = period.get_kind_display()
    if period.kind == PeriodKind.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    if start == end:
        return _("%(kind)s %(date)s") % {"kind": kind, "date": date_format(start, "j M Y")}
    if start.year != end.year:
        first = date_format(start, "j M Y")
    elif start.month != end.month:
        first = date_format(start, "j M")
    else:
        first = date_format(start, "j")
    return _("%(kind)s %(start)s – %(end)s") % {"kind": kind, "start": first, "end": date_format(end, "j M Y")}
