"""The probation report as a PDF: an A4 document HR can file or send, drawn with reportlab (pure Python, so it
works right after `pip install` with no system library).

The content is `selectors.probation.probation_report`, the same data as the page and the CSV: the
organization and the rep, the probation window, the period table (period, line, actual, target, attainment,
status), a trend chart per line (actual against target), the flags with their comments, the leave taken and
the decisions. Every page has a footer with the page number. Texts are in the active language (gettext),
set in Bitstream Vera — shipped inside reportlab — which has å, ä, ö and the other Latin-1 letters.
"""

import io
import math
import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.models import Organization

from .charts import trend_chart
from .models import ProbationDecisionKind, ResultStatus
from .selectors.probation import ProbationReport, attainment_text, figure
from .selectors.trends import TrendLine

FONT, FONT_BOLD, FONT_ITALIC = "Vera", "Vera-Bold", "Vera-Italic"
MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#d5dbe3")
HEAD_BG = colors.HexColor("#eef2f6")
ACTUAL = colors.HexColor("#1d6fb8")
TARGET = colors.HexColor("#555555")
BELOW = colors.HexColor("#b3261e")
STATUS_COLOURS = {
    ResultStatus.BELOW_MINIMUM: colors.HexColor("#8a1c17"),
    ResultStatus.MET: colors.HexColor("#1e7b34"),
    ResultStatus.EXCEEDED: colors.HexColor("#174ea6"),
    ResultStatus.NO_TARGET: MUTED,
}
# Characters the font lacks, written the way a typewriter would.
FALLBACKS = {"→": "->", "★": "*", "✓": "v", "\u2009": " ", "\u202f": " "}
# The no-break space between an amount and its currency ("1 250 000,00 kr", "SEK 1,250,000.00"): in a table
# cell a large amount may wrap there, never inside its digits.
CURRENCY_SPACE = re.compile(r"\u00a0(?=[^\W\d_])|(?<=[^\W\d_])\u00a0")


@cache
def _fonts() -> frozenset[int]:
    """Register the Vera family once per process; return the code points the regular face has."""
    folder = Path(reportlab.__file__).resolve().parent / "fonts"
    faces = {FONT: "Vera.ttf", FONT_BOLD: "VeraBd.ttf", FONT_ITALIC: "VeraIt.ttf", "Vera-BoldItalic": "VeraBI.ttf"}
    for name, filename in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="Vera-BoldItalic")
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def _clean(text) -> str:
    """Text the font can draw: known fallbacks for a few symbols, "?" for anything else it lacks."""
    glyphs = _fonts()
    out = []
    for char in str(text):
        if char in FALLBACKS:
            out.append(FALLBACKS[char])
        elif ord(char) in glyphs or char in "\n\t":
            out.append(char)
        else:
            out.append("?")
    return "".join(out)


def _p(text, style) -> Paragraph:
    """A paragraph of plain text (escaped: names and notes are user input, not markup)."""
    return Paragraph(escape(_clean(text)).replace("\n", "<br/>"), style)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "comment": ParagraphStyle("comment", parent=base, fontSize=8.5, leading=11, leftIndent=10, spaceBefore=2),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11,
                                     alignment=TA_RIGHT),  # fmt: skip
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=24, spaceAfter=2),
        "kicker": ParagraphStyle("kicker", parent=base, fontSize=10, leading=13, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=6),  # fmt: skip
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=13, spaceBefore=6,
                             spaceAfter=4),  # fmt: skip
    }


def _day(value) -> str:
    return date_format(value, "j M Y")


def window_text(report: ProbationReport) -> str:
    start = _day(report.start) if report.start else _("(no start date)")
    return f"{start} – {_day(report.end)}"


def status_text(report: ProbationReport) -> str:
    if report.is_active:
        if report.days_left == 0:
            return _("Active, ends today")
        return ngettext("Active, %(days)s day left", "Active, %(days)s days left", report.days_left) % {
            "days": report.days_left
        }
    return ngettext("Ended %(days)s day ago", "Ended %(days)s days ago", report.ended_days_ago) % {
        "days": report.ended_days_ago
    }


def decision_text(decision) -> str:
    """"Extend the probation: until 31 Mar 2027 (was 31 Dec 2026)" — what it did, in one line."""
    label = decision.get_decision_display()
    if decision.decision == ProbationDecisionKind.EXTEND:
        return _("%(decision)s: until %(new)s (was %(old)s)") % {
            "decision": label, "new": _day(decision.new_end), "old": _day(decision.previous_end),
        }  # fmt: skip
    if decision.decision == ProbationDecisionKind.END:
        return _("%(decision)s: last day %(day)s") % {"decision": label, "day": _day(decision.new_end)}
    return label


def signature_text(decision) -> str:
    name = decision.decided_by.display_name if decision.decided_by else _("A former member")
    when = date_format(timezone.localtime(decision.decided_at), "j M Y H:i")
    return _("Decided by %(name)s, %(when)s") % {"name": name, "when": when}


# The trend chart -----------------------------------------------------------------------------------------


def _axis_label(period) -> str:
    """Under the chart: "Oct 2026" for a month or longer, "12 Oct" for a week or a day."""
    return date_format(period.start, "M Y" if period.kind in ("month", "quarter", "year") else "j M")


def _axis(highest: float) -> tuple[float, float]:
    """A round top and step for the value axis: 1, 2, 2.5 or 5 times a power of ten, at most 5 steps."""
    highest = max(highest * 1.05, 1.0)  # a little room above the highest point
    magnitude = 10 ** math.floor(math.log10(highest / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if highest <= step * 5:
            return step * math.ceil(highest / step), step
    return 10 * magnitude * 5, 10 * magnitude


def _trend_drawing(line: TrendLine, styles) -> Drawing:
    """Actual (solid, blue; red points below target) against target (dashed) per closed period."""
    chart_data = trend_chart(line)
    points = chart_data.points
    width, height = CONTENT_WIDTH, 46 * mm
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 34, 26
    chart.width, chart.height = width - 44, height - 40
    actual = [float(point.actual) for point in points]
    target = [float(point.target) if point.target is not None else None for point in points]
    chart.data = [actual, target]
    step = max(1, (len(points) + 11) // 12)  # at most 12 labels side by side
    chart.categoryAxis.categoryNames = [
        _clean(_axis_label(point.period)) if index % step == 0 else "" for index, point in enumerate(line.points)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fillColor = MUTED
    chart.categoryAxis.strokeColor = RULE
    top, step = _axis(max([value for value in actual + target if value is not None], default=0.0))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.labelTextFormat = lambda value: f"{value:,.10g}".replace(",", " ")
    chart.joinedLines = True
    chart.lines[0].strokeColor = ACTUAL
    chart.lines[0].strokeWidth = 1.6
    chart.lines[1].strokeColor = TARGET
    chart.lines[1].strokeWidth = 1
    chart.lines[1].strokeDashArray = [4, 3]
    drawing.add(chart)
    # Each target as a short dash (visible even for a single period), each actual as a point, red where the
    # target was missed: colour and the table above both tell it.
    for index, point in enumerate(points):
        x = chart.x + chart.width * (index + 0.5) / len(points)
        if point.target is not None:
            ty = chart.y + chart.height * min(float(point.target) / top, 1.0)
            drawing.add(Line(x - 7, ty, x + 7, ty, strokeColor=TARGET, strokeWidth=1.4))
        y = chart.y + chart.height * min(float(point.actual) / top, 1.0)
        drawing.add(Circle(x, y, 2.6, fillColor=ACTUAL if point.met else BELOW, strokeColor=colors.white,
                           strokeWidth=0.6))  # fmt: skip
    # Title and legend.
    drawing.add(String(0, height - 9, _clean(line.label), fontName=FONT_BOLD, fontSize=9, fillColor=INK))
    legend_x = width - 190
    drawing.add(Line(legend_x, height - 6, legend_x + 16, height - 6, strokeColor=ACTUAL, strokeWidth=1.6))
    drawing.add(String(legend_x + 20, height - 9, _clean(_("Actual")), fontName=FONT, fontSize=7.5, fillColor=MUTED))
    legend_x += 70
    drawing.add(Line(legend_x, height - 6, legend_x + 16, height - 6, strokeColor=TARGET, strokeWidth=1,
                     strokeDashArray=[4, 3]))  # fmt: skip
    drawing.add(String(legend_x + 20, height - 9, _clean(_("Target")), fontName=FONT, fontSize=7.5, fillColor=MUTED))
    legend_x += 60
    drawing.add(Circle(legend_x + 4, height - 6, 2.4, fillColor=BELOW, strokeColor=None))
    drawing.add(String(legend_x + 10, height - 9, _clean(_("Below target")), fontName=FONT, fontSize=7.5,
                       fillColor=MUTED))  # fmt: skip
    return drawing


# The document --------------------------------------------------------------------------------------------


def _facts(report: ProbationReport, organization: Organization, styles) -> Table:
    rep = report.rep
    rows = [
        (_("Sales rep"), rep.user.display_name + (f" · {rep.team.name}" if rep.team else "")),
        (_("Probation"), window_text(report)),
        (_("Status"), status_text(report)),
        (_("Periods met"), _("%(met)s of %(closed)s closed periods") % {
            "met": report.periods_met, "closed": report.periods_closed}),
        (_("Open flags"), str(report.open_flags)),
        (_("Leave taken"), ngettext("%(days)s working day", "%(days)s working days", report.leave_days) % {
            "days": report.leave_days}),
    ]  # fmt: skip
    if report.decisions:
        rows.append((_("Latest decision"), decision_text(report.decisions[0])))
    table = Table(
        [[_p(label, styles["small"]), _p(value, styles["body"])] for label, value in rows],
        colWidths=[38 * mm, CONTENT_WIDTH - 38 * mm],
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))  # fmt: skip
    return table


def _cell_figure(value, *, money: bool, currency: str) -> str:
    return CURRENCY_SPACE.sub(" ", figure(value, money=money, currency=currency))


def _period_table(kind, styles, *, currency: str) -> Table:
    header = [_("Period"), _("Line"), _("Actual"), _("Target"), _("Attainment"), _("Status")]
    data = [[_p(text, styles["head_right"] if 2 <= index <= 4 else styles["cell_bold"])
             for index, text in enumerate(header)]]
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, MUTED),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for period in kind.periods:
        first_row = len(data)
        for index, result in enumerate(period.results):
            money = result.line is not None and result.line.activity_type.is_money
            if index == 0:
                met = {True: _("Plan met"), False: _("Plan not met"), None: ""}[period.plan_met]
                period_cell = [_p(period.label, styles["cell_bold"]), _p(met, styles["small"])]
            else:
                period_cell = ""
            data.append([
                period_cell,
                _p(result.label, styles["cell"]),
                _p(_cell_figure(result.actual, money=money, currency=currency), styles["cell_right"]),
                _p(_cell_figure(result.target, money=money, currency=currency), styles["cell_right"]),
                _p(attainment_text(result), styles["cell_right"]),
                _p(result.get_status_display(), ParagraphStyle(
                    "status", parent=styles["cell_bold"], textColor=STATUS_COLOURS.get(result.status, INK))),
            ])  # fmt: skip
        style.append(("LINEABOVE", (0, first_row), (-1, first_row), 0.4, RULE))
    # Amounts up to 999 999,99 kr / SEK 999,999.99 on one line; "Måluppfyllelse" unbroken; the status gets the rest.
    widths = [30 * mm, 26 * mm, 27 * mm, 27 * mm, 28 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _flags(report: ProbationReport, styles) -> list:
    """Per period: each flag in one line (kind, line, status), then the comments on them."""
    story = []
    for group in report.flag_periods:
        block = [_p(group.label, styles["cell_bold"])]
        for flag in group.flags:
            what = flag.result.label if flag.result else _("The whole plan")
            if flag.acknowledged_by:
                status = _("acknowledged by %(name)s, %(when)s") % {
                    "name": flag.acknowledged_by.display_name,
                    "when": date_format(timezone.localtime(flag.acknowledged_at), "j M Y"),
                }  # fmt: skip
            else:
                status = flag.get_status_display().lower()
            block.append(_p(f"{flag.get_kind_display()} · {what} · {status}", styles["cell"]))
        for comment in group.comments:
            author = comment.author.display_name if comment.author else _("A former member")
            when = date_format(timezone.localtime(comment.created_at), "j M Y")
            block.append(_p(f"{author}, {when}: {comment.body}", styles["comment"]))
        block.append(Spacer(1, 5))
        story.append(KeepTogether(block))
    return story


def probation_report_pdf(*, organization: Organization, report: ProbationReport, generated_by=None) -> bytes:
    """The report as PDF bytes (A4, paginated, "Page N of M" in every footer)."""
    _fonts()
    styles = _styles()
    rep_name = report.rep.user.display_name
    buffer = io.BytesIO()
    footer_left = _clean(f"{organization.name} · {_('Probation report')} · {rep_name}")
    generated = _("Generated %(when)s") % {"when": date_format(timezone.localtime(timezone.now()), "j M Y H:i")}
    if generated_by is not None:
        generated = _("Generated %(when)s by %(name)s") % {
            "when": date_format(timezone.localtime(timezone.now()), "j M Y H:i"), "name": generated_by.display_name,
        }  # fmt: skip

    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm,
        title=_clean(_("Probation report: %(name)s") % {"name": rep_name}), author=_clean(organization.name),
        subject=_clean(window_text(report)), creator="SalesQuota",
    )  # fmt: skip

    story = [
        _p(organization.name, styles["kicker"]),
        _p(rep_name, styles["title"]),
        _p(_("Probation report · %(window)s") % {"window": window_text(report)}, styles["kicker"]),
        Spacer(1, 8),
        _facts(report, organization, styles),
        Spacer(1, 3),
        _p(generated, styles["small"]),
    ]

    story.append(_p(_("Results"), styles["h2"]))
    if not report.kinds:
        story.append(_p(_("No period of the probation has closed yet."), styles["body"]))
    for kind in report.kinds:
        story.append(CondPageBreak(30 * mm))
        story.append(_p(f"{kind.title} · " + _("%(met)s of %(closed)s met") % {"met": kind.met, "closed": kind.closed},
                        styles["h3"]))  # fmt: skip
        story.append(_period_table(kind, styles, currency=organization.currency))

    if any(kind.trend for kind in report.kinds):
        story.append(CondPageBreak(70 * mm))
        story.append(_p(_("Trend"), styles["h2"]))
        for kind in report.kinds:
            for line in kind.trend:
                story.append(KeepTogether([_p(kind.title, styles["small"]), _trend_drawing(line, styles),
                                           Spacer(1, 6)]))  # fmt: skip

    story.append(CondPageBreak(30 * mm))
    story.append(_p(_("Flags and comments"), styles["h2"]))
    story += _flags(report, styles) or [_p(_("No flags in the probation."), styles["body"])]

    story.append(CondPageBreak(25 * mm))
    story.append(_p(_("Leave"), styles["h2"]))
    if report.leave:
        rows = [[_p(_("Dates"), styles["cell_bold"]), _p(_("Working days"), styles["cell_bold"]),
                 _p(_("Reason"), styles["cell_bold"])]]  # fmt: skip
        for row in report.leave:
            dates = _day(row.start) if row.start == row.end else f"{_day(row.start)} – {_day(row.end)}"
            rows.append([_p(dates, styles["cell"]), _p(str(row.working_days), styles["cell_right"]),
                         _p(row.leave.reason or "–", styles["cell"])])  # fmt: skip
        table = Table(rows, colWidths=[60 * mm, 28 * mm, CONTENT_WIDTH - 88 * mm], repeatRows=1)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE)]))  # fmt: skip
        story.append(table)
    else:
        story.append(_p(_("No leave in the probation."), styles["body"]))

    story.append(CondPageBreak(30 * mm))
    story.append(_p(_("Decisions"), styles["h2"]))
    if not report.decisions:
        story.append(_p(_("No decision recorded yet."), styles["body"]))
    for decision in report.decisions:
        story.append(KeepTogether([
            _p(decision_text(decision), styles["cell_bold"]),
            _p(signature_text(decision), styles["small"]),
            _p(decision.notes, styles["body"]),
            Spacer(1, 6),
        ]))  # fmt: skip

    page_label = _("Page %(page)s of %(pages)s")

    class NumberedCanvas(pdf_canvas.Canvas):
        """Draws the footer after the last page is laid out, so that it can say "of M"."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(MUTED)
                self.setStrokeColor(RULE)
                self.line(MARGIN, MARGIN, A4[0] - MARGIN, MARGIN)
                self.drawString(MARGIN, MARGIN - 10, footer_left)
                self.drawRightString(A4[0] - MARGIN, MARGIN - 10, _clean(page_label % {
                    "page": self._pageNumber, "pages": total}))  # fmt: skip
                super().showPage()
            super().save()

    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
