"""A django-tables2 table's `<tbody>` built in Python, for the large in-memory tables (the team dashboard).

django-tables2 renders each cell through `BoundRow.get_cell`: it resolves the accessor, inspects the render
method's signature (`call_with_appropriate`: one `inspect.signature` per cell), recomputes the column's attributes
for the `<td>` (`BoundColumn.attrs`), and the template then loops over the cells. On the team dashboard (50 reps ×
10 columns) that was three quarters of the page's time. `PrerenderedBodyMixin.body_html()` makes the same markup
through the same pieces — the value from `BoundRow`'s own lookup (accessor, `get_FOO_display`, the column's empty
values and default), the same `render_<column>` / `Column.render` called with the arguments it asks for, the row's
attributes with the even/odd class — but works out once per column what does not change from row to row: the
render method's arguments and the `<td>` attributes. Sorting, the header, the footer and the export stay
django-tables2's.

Restrictions, checked when the body is built: cell attributes (`td`) are static (no callables), no column is
linkified or localized (`localize=True/False`), and there are no pinned rows.
"""

from django.db import models
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns import ManyToManyColumn
from django_tables2.utils import Accessor, AttributeDict, computed_values, signature


class _CellRenderer:
    """What one column needs to render its cells, worked out once per table rendering."""

    __slots__ = ("bound_column", "render", "args", "pass_all", "td", "row", "accessor", "plain", "empty", "default")

    def __init__(self, bound_column):
        column = bound_column.column
        cell_attrs = {**bound_column._table.attrs, **column.attrs}
        td = cell_attrs.get("td", cell_attrs.get("cell", {}))
        if any(callable(value) for value in td.values()) or bound_column.link or column.localize is not None:
            raise ValueError(
                f"Column {bound_column.name!r}: PrerenderedBodyMixin needs static td attrs, no linkify, no localize."
            )
        self.bound_column = bound_column
        self.render = bound_column.render
        args, catch_all = signature(self.render)  # once per column instead of once per cell
        self.args = frozenset(args)
        self.pass_all = catch_all is not None
        self.td = bound_column.attrs["td"].as_html()
        self.row = None  # the BoundRow being rendered
        # A one-step accessor on a record that is not a model: BoundRow's lookup comes down to resolve() (no
        # get_FOO_display, no many-to-many). Anything else goes through BoundRow._get_and_render_with itself.
        self.accessor = Accessor(bound_column.accessor)
        self.plain = Accessor.SEPARATOR not in self.accessor and not isinstance(column, ManyToManyColumn)
        self.empty = column.empty_values
        self.default = bound_column.default

    def cell(self, bound_row):
        """The cell's content, as BoundRow.get_cell makes it."""
        self.row = bound_row
        record = bound_row.record
        if not self.plain or isinstance(record, models.Model):
            return bound_row._get_and_render_with(self.bound_column, self, default=self.default)
        try:
            value = self.accessor.resolve(record)
        except Exception:  # noqa: BLE001 - as BoundRow: a value that cannot be looked up is empty
            value = None
        return self.default if value in self.empty else self(self.bound_column, value)

    def __call__(self, bound_column, value=None):
        """BoundRow._call_render (the render_func of BoundRow._get_and_render_with) without the inspection."""
        bound_row = self.row
        kwargs = {
            "value": value,
            "record": bound_row.record,
            "column": self.bound_column.column,
            "bound_column": self.bound_column,
            "bound_row": bound_row,
            "table": bound_row.table,
        }
        if not self.pass_all:
            if not self.args <= kwargs.keys():
                return None  # as call_with_appropriate: an argument it cannot be given
            kwargs = {name: kwargs[name] for name in self.args}
        return self.render(**kwargs)


class PrerenderedBodyMixin:
    """For a django_tables2.Table: `{{ table.body_html }}` renders the rows of `<tbody>` (see the module)."""

    def _row_attrs_html(self, bound_row, signatures: dict) -> str:
        """BoundRow.attrs, with the signatures of the row attribute callables inspected once per table."""
        record = bound_row.record
        attrs = {}
        for key, value in self.row_attrs.items():
            if callable(value):
                if value not in signatures:
                    signatures[value] = signature(value)
                args, catch_all = signatures[value]
                available = {"table": self, "record": record}
                if catch_all:
                    value = value(**available)
                elif all(name in available for name in args):
                    value = value(**{name: available[name] for name in args})
                else:
                    value = None  # as call_with_appropriate: an argument it cannot be given
            elif isinstance(value, dict):
                value = computed_values(value, kwargs={"table": self, "record": record})
            attrs[key] = value
        css = bound_row.get_even_odd_css_class()
        attrs["class"] = f"{attrs['class']} {css}" if attrs.get("class") else css
        # AttributeDict(attrs).as_html(), without format_html_join's per-argument cost.
        return " ".join(
            f'{conditional_escape(key)}="{conditional_escape(value)}"'
            for key, value in attrs.items()
            if value is not None and key not in AttributeDict.blacklist
        )

    def body_html(self) -> SafeString:
        if any(self.pinned_data.values()):
            raise ValueError("PrerenderedBodyMixin does not render pinned rows.")
        columns = [_CellRenderer(bound_column) for bound_column in self.columns]
        context = Context()  # {{ cell }} in django-tables2's template: localized and escaped
        signatures = {}
        parts = []
        for bound_row in self.paginated_rows:
            parts.append(f"<tr {self._row_attrs_html(bound_row, signatures)}>")
            for renderer in columns:
                cell = renderer.cell(bound_row)
                if not isinstance(cell, SafeString):  # already escaped HTML (format_html) goes in as it is
                    cell = render_value_in_context(cell, context)
                parts.append(f"<td {renderer.td}>{cell}</td>")
            parts.append("</tr>")
        if not parts and self.empty_text:
            parts.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text))
        return mark_safe("\n".join(parts))  # noqa: S308 - every piece above is escaped or built by format_html
