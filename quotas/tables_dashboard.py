"""The team dashboard's table (django-tables2): reps × quota lines, sortable, with a totals footer and an export.

The rows are in memory (`selectors.dashboard.DashboardRow`), so every column sorts on a key computed once
per row (`row.sort`). The line columns are built per period from the labels present. On the page a line is
one cell (actual / target, a bar, attainment and status); the CSV / XLSX export splits it into four columns
of plain values, and ends with the totals row, so that a spreadsheet has what the page shows.
"""

from decimal import Decimal
from html import escape as escape_text  # the standard library's: what escape() does, without its lazy-text check

import django_tables2 as tables
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Organization
from activities.tables import spreadsheet_safe

from .selectors.dashboard import (
    CELL_STATUS_LABELS,
    PLAN_STATUS_RANK,
    DashboardRow,
    LineColumn,
    LineTotal,
    PlanStatus,
    mean_attainment,
)
from .selectors.flags import FlagKindFilter
from .tables_body import PrerenderedBodyMixin
from .targets import format_quantity

NO_VALUE = "—"
URL_PK_PLACEHOLDER = 987654321  # reversed once in place of each row's pk (DashboardTable.rep_url)


def _attainment_key(attainment: Decimal | None) -> tuple:
    """Sorts reps without a target below every attainment (ascending)."""
    return (0, Decimal(0)) if attainment is None else (1, attainment)


def add_sort_keys(rows: list[DashboardRow], lines: list[LineColumn]) -> list[DashboardRow]:
    for row in rows:
        row.sort = {
            "name": row.name.casefold(),
            "team": row.team.name.casefold() if row.team else "\uffff",  # reps without a team last
            "attainment": _attainment_key(row.attainment),
            "plan": PLAN_STATUS_RANK[row.plan_status],
            **{
                line.key: _attainment_key(row.cells[line.label].attainment) if line.label in row.cells else (-1, 0)
                for line in lines
            },
        }
    return rows


def quantity_text(value: Decimal, *, money: bool, currency: str) -> str:
    """A count in whole units, or an amount of the organization's currency ("1 250,50 kr", "SEK 1,250.50")."""
    return format_quantity(value, money=money, currency=currency)


def quantity_value(value: Decimal | None, *, money: bool):
    """A number for a spreadsheet: cents for money, whole units for counts."""
    if value is None:
        return None
    return value.quantize(Decimal("0.01")) if money else int(value)


def percent_text(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value}\u00a0%"


class LineCellColumn(tables.Column):
    """One quota line on the page: actual / target, a progress bar, attainment % and the status in words."""

    empty_values = ()

    def __init__(self, line: LineColumn, **kwargs):
        self.line = line
        super().__init__(
            verbose_name=line.label,
            accessor="cells",
            order_by=(f"sort__{line.key}", "sort__name"),
            exclude_from_export=True,
            attrs={"th": {"class": "line-col"}, "td": {"class": "line-cell"}, "tf": {"class": "line-cell"}},
            **kwargs,
        )

    def render(self, value, table):
        """Called for every rep × line: built from escaped pieces (format_html costs a lazy-text check per argument,
        and the status words are translated once per table)."""
        cell = value.get(self.line.label)
        if cell is None:
            return table.not_in_plan_html
        status, status_label = table.status_html(cell.status)
        actual = escape_text(table.quantity_text(cell.actual, money=cell.money))
        if cell.target is None:
            target, bar = escape_text(NO_VALUE), ""
        else:
            target = escape_text(table.quantity_text(cell.target, money=cell.money))
            bar = f'<progress value="{int(cell.bar_percent)}" max="100" aria-hidden="true"></progress>'
        return mark_safe(  # noqa: S308 - every piece is escaped above or a number
            f'<div class="dash-cell status-{status}"><span class="dash-figures"><strong>{actual}</strong> / {target}'
            f'</span>{bar}<span class="dash-meta"><span class="status">{status_label}</span> '
            f'<span class="dash-pct">{escape_text(percent_text(cell.attainment))}</span></span></div>'
        )

    def render_footer(self, table):
        total: LineTotal = table.totals[self.line.label]
        return format_html(
            '<span class="dash-figures"><strong>{}</strong> / {}</span> <span class="dash-pct">{}</span>',
            quantity_text(total.actual, money=total.money, currency=table.organization.currency),
            quantity_text(total.target, money=total.money, currency=table.organization.currency),
            percent_text(total.attainment),
        )


class LineValueColumn(tables.Column):
    """One figure of one line, for the export only (hidden on the page)."""

    empty_values = ()
    PARTS = {
        "actual": gettext_lazy("%(line)s: actual"),
        "target": gettext_lazy("%(line)s: target"),
        "attainment": gettext_lazy("%(line)s: attainment %%"),
        "status": gettext_lazy("%(line)s: status"),
    }

    def __init__(self, line: LineColumn, part: str, **kwargs):
        self.line, self.part = line, part
        super().__init__(
            verbose_name=self.PARTS[part] % {"line": line.label}, accessor="cells", visible=False, orderable=False,
            **kwargs,
        )  # fmt: skip

    def value(self, value):
        cell = value.get(self.line.label)
        if cell is None:
            return None
        if self.part == "actual":
            return quantity_value(cell.actual, money=cell.money)
        if self.part == "target":
            return quantity_value(cell.target, money=cell.money)
        if self.part == "attainment":
            return None if cell.attainment is None else int(cell.attainment)
        return cell.status_label

    def total(self, total: LineTotal):
        if self.part == "actual":
            return quantity_value(total.actual, money=total.money)
        if self.part == "target":
            return quantity_value(total.target, money=total.money)
        if self.part == "attainment":
            return None if total.attainment is None else int(total.attainment)
        return None


class DashboardTable(PrerenderedBodyMixin, tables.Table):
    rep = tables.Column(
        verbose_name=gettext_lazy("Sales rep"), accessor="name", order_by=("sort__name",),
        footer=lambda table: table.footer_rep(),
        attrs={"th": {"class": "rep-col"}, "td": {"class": "rep-cell"}, "tf": {"class": "rep-cell"}},
    )  # fmt: skip
    team = tables.Column(
        verbose_name=gettext_lazy("Team"), accessor="team__name", order_by=("sort__team", "sort__name"),
        default=NO_VALUE, attrs={"td": {"class": "team-cell"}},
    )  # fmt: skip
    attainment = tables.Column(
        verbose_name=gettext_lazy("Attainment"), empty_values=(), order_by=("sort__attainment", "sort__name"),
        footer=lambda table: table.footer_attainment(),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
    )  # fmt: skip
    plan = tables.Column(
        verbose_name=gettext_lazy("Plan"), accessor="plan_status", order_by=("sort__plan", "sort__name"),
        footer=lambda table: table.footer_plan(),
    )  # fmt: skip
    streak = tables.Column(
        verbose_name=gettext_lazy("Streak"), order_by=("streak", "sort__name"),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
    )  # fmt: skip
    open_flags = tables.Column(
        verbose_name=gettext_lazy("Open flags"), order_by=("open_flags", "sort__name"),
        footer=lambda table: table.footer_open_flags(),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}},
    )  # fmt: skip
    open_recognitions = tables.Column(
        verbose_name=gettext_lazy("Exceeded targets to recognise"), visible=False, orderable=False
    )
    probation = tables.Column(
        verbose_name=gettext_lazy("In probation"), accessor="in_probation", visible=False, orderable=False
    )
    exceeded = tables.Column(verbose_name=gettext_lazy("Exceeded a target"), visible=False, orderable=False)

    class Meta:
        attrs = {"class": "striped dashboard-table"}
        row_attrs = {
            "id": lambda record: f"rep-{record.rep.pk}",
            "class": lambda record: "needs-attention" if record.needs_attention else "",
        }
        order_by = ("rep",)
        empty_text = gettext_lazy("No sales rep matches these filters.")
        template_name = "quotas/partials/_dashboard_table.html"

    def __init__(
        self, data, *, organization: Organization, lines: list[LineColumn], totals: dict[str, LineTotal], **kwargs
    ):
        self.organization = organization
        self.lines = lines
        self.totals = totals
        self.rows_shown = data
        add_sort_keys(data, lines)
        # Per line: the cell shown on the page, then its four figures for the export (hidden on the page).
        extra = []
        for line in lines:
            extra.append((line.key, LineCellColumn(line)))
            extra += [(f"{line.key}_{part}", LineValueColumn(line, part)) for part in LineValueColumn.PARTS]
        sequence = ["rep", "team", *(name for name, _ in extra), "attainment", "plan", "streak", "open_flags", "..."]
        super().__init__(data, extra_columns=extra, sequence=sequence, **kwargs)

    # Texts and links: worked out once per table rather than once per cell (most reps share their targets).
    def quantity_text(self, value: Decimal, *, money: bool) -> str:
        key = (value, money)
        if key not in self._quantity_texts:
            self._quantity_texts[key] = quantity_text(value, money=money, currency=self.organization.currency)
        return self._quantity_texts[key]

    @cached_property
    def _quantity_texts(self) -> dict:
        return {}

    def status_html(self, status: str) -> tuple[str, str]:
        """A cell status and its words, escaped, once per table."""
        if status not in self._status_html:
            self._status_html[status] = (escape(status), escape(str(CELL_STATUS_LABELS[status])))
        return self._status_html[status]

    @cached_property
    def _status_html(self) -> dict:
        return {}

    @cached_property
    def not_in_plan_html(self) -> str:
        return format_html('<span class="muted" title="{}">{}</span>', _("Not in this rep's plan"), NO_VALUE)

    @cached_property
    def _rep_url_parts(self) -> tuple[str, str]:
        """The rep page's URL around its rep_pk: one reverse() for the table (the pk is the last part of the path)."""
        url = reverse("quotas:rep-detail", kwargs={"org_slug": self.organization.slug, "rep_pk": URL_PK_PLACEHOLDER})
        before, _placeholder, after = url.rpartition(str(URL_PK_PLACEHOLDER))
        return before, after

    def rep_url(self, record) -> str:
        before, after = self._rep_url_parts
        return f"{before}{record.rep.pk}{after}"

    @cached_property
    def _flags_url(self) -> str:
        return reverse("quotas:flag-list", kwargs={"org_slug": self.organization.slug})

    def flags_url(self, record, kind: str) -> str:
        return f"{self._flags_url}?{urlencode({'kind': kind, 'rep': record.rep.pk})}"

    # Cells on the page.
    def render_rep(self, value, record):
        name = format_html('<a href="{}">{}</a>', self.rep_url(record), value)
        badges = []
        if record.in_probation:
            badges.append(format_html('<span class="badge badge-probation">{}</span>', _("Probation")))
        if record.exceeded:
            badges.append(format_html('<span class="badge badge-star">★ {}</span>', _("Exceeded")))
        if not record.rep.is_active:
            badges.append(format_html('<span class="badge">{}</span>', _("Left")))
        if not badges:
            return name
        badges_html = format_html_join(" ", "{}", ((badge,) for badge in badges))
        return format_html('{}<span class="rep-badges">{}</span>', name, badges_html)

    def render_attainment(self, record):
        return percent_text(record.attainment)

    def render_plan(self, value, record):
        css = {PlanStatus.ALL_MET: "met", PlanStatus.NOT_MET: "behind", PlanStatus.IN_PROGRESS: "in_progress"}
        return format_html(
            '<span class="status-{}"><span class="status">{}</span></span>',
            css.get(value, "no_target"),
            record.plan_status_label,
        )

    def render_streak(self, value):
        return str(value) if value else "0"

    def render_open_flags(self, value, record):
        """The flags to follow up; then, apart, the exceeded targets waiting to be recognised (★ n)."""
        names = {"count": value, "name": record.name}
        if value:
            label = ngettext("%(count)s open flag of %(name)s", "%(count)s open flags of %(name)s", value) % names
            url = self.flags_url(record, FlagKindFilter.ATTENTION)
            cell = format_html('<a href="{}" aria-label="{}">{}</a>', url, label, value)
        else:
            cell = "0"
        count = record.open_recognitions
        if count:
            label = ngettext(
                "%(count)s exceeded target of %(name)s to recognise",
                "%(count)s exceeded targets of %(name)s to recognise",
                count,
            ) % {"count": count, "name": record.name}
            url = self.flags_url(record, FlagKindFilter.EXCEEDED)
            star = format_html('<a href="{}" class="to-recognise" aria-label="{}">★&nbsp;{}</a>', url, label, count)
            cell = format_html("{}<br>{}", cell, star)
        return cell

    # The footer: the totals of the rows shown.
    def footer_rep(self) -> str:
        count = len(self.rows_shown)
        return ngettext("Total: %(count)s rep", "Total: %(count)s reps", count) % {"count": count}

    def footer_attainment(self) -> str:
        return percent_text(mean_attainment(self.rows_shown))

    def footer_plan(self) -> str:
        met = sum(1 for row in self.rows_shown if row.plan_status == PlanStatus.ALL_MET)
        return _("%(met)s of %(count)s all met") % {"met": met, "count": len(self.rows_shown)}

    def footer_open_flags(self) -> str:
        flags = sum(row.open_flags for row in self.rows_shown)
        to_recognise = sum(row.open_recognitions for row in self.rows_shown)
        return format_html("{}<br>★&nbsp;{}", flags, to_recognise) if to_recognise else str(flags)

    # Cells in the export: plain values; every cell passes through `spreadsheet_safe`.
    def value_rep(self, value):
        return value

    def value_team(self, value):
        return value

    def value_attainment(self, record):
        return None if record.attainment is None else int(record.attainment)

    def value_plan(self, record):
        return record.plan_status_label

    def value_streak(self, value):
        return value

    def value_open_flags(self, value):
        return value

    def value_open_recognitions(self, value):
        return value

    def value_probation(self, value):
        return _("Yes") if value else _("No")

    def value_exceeded(self, value):
        return _("Yes") if value else _("No")

    def export_totals(self, columns) -> list:
        values = []
        for column in columns:
            if isinstance(column.column, LineValueColumn):
                values.append(column.column.total(self.totals[column.column.line.label]))
            elif column.name == "rep":
                values.append(self.footer_rep())
            elif column.name == "attainment":
                attainment = mean_attainment(self.rows_shown)
                values.append(None if attainment is None else int(attainment))
            elif column.name == "plan":
                values.append(self.footer_plan())
            elif column.name == "open_flags":
                values.append(sum(row.open_flags for row in self.rows_shown))
            elif column.name == "open_recognitions":
                values.append(sum(row.open_recognitions for row in self.rows_shown))
            else:
                values.append(None)
        return values

    def as_values(self, exclude_columns=None):
        """The header, a row per rep and the totals row; every cell neutralised against spreadsheet formulas."""
        exclude_columns = exclude_columns or ()
        columns = [
            column
            for column in self.columns.iterall()
            if not (column.column.exclude_from_export or column.name in exclude_columns)
        ]
        rows = list(super().as_values(exclude_columns=exclude_columns))
        if len(rows) > 1:
            rows.append(self.export_totals(columns))
        for row in rows:
            yield [spreadsheet_safe(value) for value in row]
