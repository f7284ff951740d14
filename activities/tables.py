"""django-tables2 tables of the activities pages, and their CSV / XLSX export."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tables2.export import TableExport

from accounts.models import Organization
from accounts.templatetags.money import format_money

from .models import ActivityEntry

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NOTE_PREVIEW_CHARS = 80


def spreadsheet_safe(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class EntryExport(TableExport):
    """The formats offered on the page; any other `?_export=` value just shows the page."""

    FORMATS = {fmt: TableExport.FORMATS[fmt] for fmt in (TableExport.CSV, TableExport.XLSX)}

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS


def count_text(quantity) -> str:
    return number_format(quantity, decimal_pos=0, use_l10n=True, force_grouping=True)


def money_text(amount, currency: str) -> str:
    """An amount of the organization's currency as the page's language writes it, never broken across lines."""
    return format_money(amount, currency)


class EntryTable(tables.Table):
    """Entries with a totals footer over every filtered row (`totals` from `selectors.entries_total`)."""

    date = tables.Column(
        verbose_name=_("Date"),
        order_by=("date", "created_at", "pk"),
        linkify=lambda record, table: table.entry_url(record),
        footer=lambda table: table.footer_entries(),
    )
    rep = tables.Column(
        verbose_name=_("Sales rep"),
        accessor="rep__user",
        order_by=("rep__user__first_name", "rep__user__last_name", "rep__user__email", "-date", "-pk"),
    )
    team = tables.Column(
        verbose_name=_("Team"), accessor="rep__team__name", order_by=("rep__team__name", "-date", "-pk"), default="—"
    )
    activity_type = tables.Column(
        verbose_name=_("Type"), accessor="activity_type__name", order_by=("activity_type__name", "-date", "-pk")
    )
    quantity = tables.Column(
        verbose_name=_("Quantity"),
        order_by=("quantity", "-date", "-pk"),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
        footer=lambda table: table.footer_quantity(),
    )
    unit = tables.Column(verbose_name=_("Unit"), accessor="activity_type__unit_label", visible=False, orderable=False)
    topic = tables.Column(verbose_name=_("Topic"), order_by=("topic", "-date", "-pk"), default="—")
    note = tables.Column(verbose_name=_("Note"), orderable=False, default="—", attrs={"td": {"class": "details"}})
    contact = tables.Column(verbose_name=_("Contact"), orderable=False, default="—")
    source = tables.Column(verbose_name=_("Source"), order_by=("source", "-date", "-pk"))
    entered_by = tables.Column(verbose_name=_("Entered by"), orderable=False, default="—")

    class Meta:
        model = ActivityEntry
        fields = []
        sequence = [
            "date", "rep", "team", "activity_type", "quantity", "unit",
            "topic", "note", "contact", "source", "entered_by",
        ]
        order_by = ("-date",)
        attrs = {"class": "striped"}
        empty_text = _("No activity matches these filters.")
        template_name = "activities/partials/_entry_table.html"

    def __init__(self, *args, organization: Organization, totals: dict | None = None, show_rep: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.totals = totals
        if not show_rep:
            self.columns.hide("rep")

    def entry_url(self, record) -> str:
        return reverse("activities:entry-detail", kwargs={"org_slug": self.organization.slug, "entry_pk": record.pk})

    # Cells on the page.
    def render_date(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def render_rep(self, value):
        return value.display_name

    def render_quantity(self, value, record):
        if record.activity_type.is_money:
            return money_text(value, self.organization.currency)
        return count_text(value)

    def render_note(self, value):
        return Truncator(value).chars(NOTE_PREVIEW_CHARS)

    def render_entered_by(self, value, record):
        if record.entered_on_behalf:
            return _("%(name)s (on behalf)") % {"name": value.display_name}
        return value.display_name

    # Cells in the export: real dates and numbers, full texts. `as_values` neutralizes formulas.
    def value_date(self, value):
        return value

    def value_quantity(self, value, record):
        return value.quantize(Decimal("0.01")) if record.activity_type.is_money else int(value)

    def value_note(self, value):
        return value

    def as_values(self, exclude_columns=None):
        """Every exported cell, header included, passes through `spreadsheet_safe` here and nowhere else."""
        for row in super().as_values(exclude_columns=exclude_columns):
            yield [spreadsheet_safe(value) for value in row]

    # The footer: totals of every filtered row, not only this page's.
    def footer_entries(self) -> str:
        count = (self.totals or {}).get("count") or 0
        return ngettext("%(count)s entry", "%(count)s entries", count) % {
            "count": count_text(count)
        }

    def footer_quantity(self):
        totals = self.totals or {}
        parts = [count_text(totals.get("count_total") or 0)]
        if totals.get("money_total") is not None:
            parts.append(money_text(totals["money_total"], self.organization.currency))
        return format_html("<br>".join(["{}"] * len(parts)), *parts)
