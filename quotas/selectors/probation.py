"""Reads of the HR probation review: the list of reps in (or recently out of) probation, and one rep's report.

Who is listed follows who sees the rep's activity (`activities.selectors.reps_visible_to`): HR, admins and
owners everyone, a manager the reps of the teams they lead. The report reads the frozen snapshots of the
current closes only (never live entries), so a page, its PDF and its CSV always show the same figures.

A period belongs to the probation when it overlaps the window [employment start, probation end] — the same
rule that makes a probation plan apply to it (`selectors.plans.probation_overlaps`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import Membership, Organization
from accounts.templatetags.money import format_money
from activities.selectors import reps_visible_to

from ..models import (
    Flag,
    FlagComment,
    FlagKind,
    FlagStatus,
    Leave,
    LeaveStatus,
    Period,
    PeriodKind,
    PeriodResult,
    PeriodStatus,
    ProbationDecision,
    ProbationDecisionKind,
    RepPeriodSummary,
)
from ..period_labels import period_label
from ..periods import days_between
from .calendar import calendar_get
from .trends import TrendLine, rep_trend

# A probation that ended this many days ago or less is still listed (HR decides, or reads the outcome).
RECENT_DAYS = 90
# The report's sections, longest period first: a month says more at a glance than four weeks.
KIND_ORDER = [PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK, PeriodKind.DAY]
KIND_TITLES = {
    PeriodKind.YEAR: gettext_lazy("Years"),
    PeriodKind.QUARTER: gettext_lazy("Quarters"),
    PeriodKind.MONTH: gettext_lazy("Months"),
    PeriodKind.WEEK: gettext_lazy("Weeks"),
    PeriodKind.DAY: gettext_lazy("Days"),
}
KIND_COUNTS = {
    PeriodKind.YEAR: ngettext_lazy("%(count)s year", "%(count)s years", "count"),
    PeriodKind.QUARTER: ngettext_lazy("%(count)s quarter", "%(count)s quarters", "count"),
    PeriodKind.MONTH: ngettext_lazy("%(count)s month", "%(count)s months", "count"),
    PeriodKind.WEEK: ngettext_lazy("%(count)s week", "%(count)s weeks", "count"),
    PeriodKind.DAY: ngettext_lazy("%(count)s day", "%(count)s days", "count"),
}
# A probation ending this soon without a final decision is marked "decision due".
DECISION_DUE_DAYS = 30
EARLIEST = date(1900, 1, 1)  # the window's start when the employment start is unknown



def _in_window(prefix: str = "") -> Q:
    """Rows whose period overlaps their rep's probation window (`prefix` leads from the row to the period and
    rep; the outer query annotates nothing, so this works in one grouped query for many reps)."""
    return Q(**{f"{prefix}period__start__lte": F(f"{prefix}rep__probation_end")}) & Q(
        **{f"{prefix}period__end__gte": Coalesce(F(f"{prefix}rep__employment_start"), Value(EARLIEST))}
    )


# The list ----------------------------------------------------------------------------------------------


@dataclass
class KindCount:
    kind: str
    closed: int = 0
    met: int = 0

    @property
    def closed_text(self) -> str:
        """"8 weeks", "2 months"."""
        return KIND_COUNTS[self.kind] % {"count": self.closed}


class ProbationClock:
    """Where today stands against a probation's last day: for the list's rows and the report alike
    (both have `end` and `today`)."""

    end: date
    today: date

    @property
    def is_active(self) -> bool:
        return self.end >= self.today

    @property
    def days_left(self) -> int:
        """Days until the probation's last day (0: it ends today)."""
        return (self.end - self.today).days

    @property
    def ended_days_ago(self) -> int:
        return (self.today - self.end).days


@dataclass
class ProbationRow(ProbationClock):
    """One rep of the list, with the counts of their probation's closed periods."""

    rep: Membership
    today: date
    counts: list[KindCount] = field(default_factory=list)  # per period kind, longest first
    open_flags: int = 0
    latest_decision: ProbationDecision | None = None

    @property
    def start(self) -> date | None:
        return self.rep.employment_start

    @property
    def end(self) -> date:
        return self.rep.probation_end


    @property
    def not_started(self) -> bool:
        return self.start is not None and self.start > self.today

    @property
    def periods_closed(self) -> int:
        return sum(count.closed for count in self.counts)

    @property
    def periods_met(self) -> int:
        return sum(count.met for count in self.counts)

    @property
    def needs_decision(self) -> bool:
        """No final decision yet: none at all, or the last one extended the probation."""
        decision = self.latest_decision
        return decision is None or decision.decision == ProbationDecisionKind.EXTEND

    @property
    def decision_due(self) -> bool:
        """HR's to-do: the probation ends within DECISION_DUE_DAYS (or has ended) without a final decision."""
        return self.needs_decision and self.days_left <= DECISION_DUE_DAYS


def probation_list(*, organization: Organization, viewer: Membership) -> list[ProbationRow]:
    """Reps whose probation is active (or not started yet) or ended in the last RECENT_DAYS days, soonest
    ending first, then the ended ones, most recent first. Four queries whatever the number of reps."""
    today = organization.local_today()
    reps = list(
        reps_visible_to(organization=organization, viewer=viewer).filter(
            probation_end__isnull=False, probation_end__gte=today - timedelta(days=RECENT_DAYS)
        )
    )
    rows = {rep.pk: ProbationRow(rep=rep, today=today) for rep in reps}
    if not rows:
        return []
    rep_ids = list(rows)

    # Closed and met periods per rep and kind, in one grouped query over the current summaries.
    summaries = (
        RepPeriodSummary.objects.filter(
            organization=organization, rep_id__in=rep_ids, period_close__superseded_at__isnull=True,
            period__status=PeriodStatus.CLOSED,
        )  # fmt: skip
        .filter(_in_window())
        .values("rep_id", "period__kind")
        # A period in which the rep had no target (leave all of it) is neither met nor missed: not counted.
        .annotate(closed=Count("pk", filter=Q(plan_met__isnull=False)), met=Count("pk", filter=Q(plan_met=True)))
        .order_by()
    )
    per_rep: dict[int, dict[str, KindCount]] = defaultdict(dict)
    for row in summaries:
        per_rep[row["rep_id"]][row["period__kind"]] = KindCount(row["period__kind"], row["closed"], row["met"])
    for rep_id, kinds in per_rep.items():
        rows[rep_id].counts = [kinds[kind] for kind in KIND_ORDER if kind in kinds]

    # Open flags that need attention (not the "exceeded" recognitions) of the probation's periods.
    flags = (
        Flag.objects.filter(organization=organization, rep_id__in=rep_ids, status=FlagStatus.OPEN)
        .exclude(kind=FlagKind.EXCEEDED)
        .filter(_in_window())
        .values("rep_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in flags:
        rows[row["rep_id"]].open_flags = row["count"]

    # The latest decision per rep (decisions are few: a handful per rep at most).
    decisions = ProbationDecision.objects.filter(organization=organization, rep_id__in=rep_ids).select_related(
        "decided_by"
    )
    for decision in decisions.order_by("rep_id", "-decided_at", "-pk"):
        if rows[decision.rep_id].latest_decision is None:
            rows[decision.rep_id].latest_decision = decision

    active = sorted((r for r in rows.values() if r.is_active), key=lambda r: (r.end, r.rep.user.display_name))
    ended = sorted(
        (r for r in rows.values() if not r.is_active), key=lambda r: (-r.end.toordinal(), r.rep.user.display_name)
    )
    return active + ended


# The report --------------------------------------------------------------------------------------------


@dataclass
class ReportPeriod:
    """One closed period of the probation with the rep's results (one per quota line, points last)."""

    period: Period
    label: str
    results: list[PeriodResult]
    plan_met: bool | None  # None: no summary (should not happen for a closed period with results)
    flags: list[Flag] = field(default_factory=list)


@dataclass
class ReportKind:
    """The report's periods of one kind (months, weeks…), oldest first, and their trend lines."""

    kind: str
    title: str
    periods: list[ReportPeriod]
    trend: list[TrendLine]

    @property
    def closed(self) -> int:
        return len(self.periods)

    @property
    def met(self) -> int:
        return sum(1 for period in self.periods if period.plan_met)

    @property
    def charts(self) -> list[tuple[str, TrendLine]]:
        """The trend lines with an id that is unique on the page (for the charts' titles)."""
        return [(f"trend-{self.kind}-{index}", line) for index, line in enumerate(self.trend, start=1)]


@dataclass
class FlagPeriod:
    """The flags of one period, with every comment on them (oldest first)."""

    period: Period
    label: str
    flags: list[Flag]

    @property
    def comments(self) -> list[FlagComment]:
        """Each comment with `.flag` set, so that a thread can say which result it is about."""
        comments = []
        for flag in self.flags:
            for comment in flag.thread:
                comment.flag = flag
                comments.append(comment)
        return sorted(comments, key=lambda comment: (comment.created_at, comment.pk))


@dataclass
class LeaveRow:
    leave: Leave
    start: date  # within the window
    end: date
    working_days: int


@dataclass
class ProbationReport(ProbationClock):
    rep: Membership
    today: date
    start: date | None  # the employment start
    end: date  # the probation's last day
    kinds: list[ReportKind]
    flags: list[Flag]  # with `.thread` (comments, oldest first) and `.period_label`
    leave: list[LeaveRow]
    decisions: list[ProbationDecision]  # newest first

    @property
    def periods_closed(self) -> int:
        return sum(kind.closed for kind in self.kinds)

    @property
    def periods_met(self) -> int:
        return sum(kind.met for kind in self.kinds)

    @property
    def open_flags(self) -> int:
        return sum(1 for flag in self.flags if flag.status == FlagStatus.OPEN and flag.kind != FlagKind.EXCEEDED)

    @property
    def leave_days(self) -> int:
        return sum(row.working_days for row in self.leave)

    @property
    def flag_periods(self) -> list[FlagPeriod]:
        """The flags grouped by period, in the order of the periods (oldest first)."""
        groups: dict[int, FlagPeriod] = {}
        for flag in self.flags:
            if flag.period_id not in groups:
                groups[flag.period_id] = FlagPeriod(period=flag.period, label=flag.period_label, flags=[])
            groups[flag.period_id].flags.append(flag)
        for group in groups.values():
            group.flags.sort(key=_flag_order)
        return list(groups.values())

    def rows(self) -> list[tuple[ReportKind, ReportPeriod, PeriodResult]]:
        """The period table, flattened: kind by kind, period by period, line by line (page, CSV and PDF)."""
        return [(kind, period, result) for kind in self.kinds for period in kind.periods for result in period.results]


def probation_rep_get(*, organization: Organization, viewer: Membership, pk: int) -> Membership:
    """A rep the viewer may read who has a probation window; anyone else (another organization's member, a rep
    of a team the manager does not lead, a rep without probation) is 404."""
    try:
        return reps_visible_to(organization=organization, viewer=viewer).get(pk=pk, probation_end__isnull=False)
    except Membership.DoesNotExist:
        raise Http404 from None


def _result_order(result: PeriodResult) -> tuple:
    """Quota lines in the activity types' order, the points target last."""
    if result.line_id is None:
        return (1, 0, 0)
    return (0, result.line.activity_type.position, result.line_id)


def _flag_order(flag: Flag) -> tuple:
    """A period's flags in the order of its results' lines; "plan not met" (the whole plan) last."""
    return (2, 0, 0) if flag.result is None else _result_order(flag.result)


def probation_report(*, organization: Organization, rep: Membership) -> ProbationReport:
    """Everything HR reviews about one rep's probation. A fixed number of queries (one more per period kind
    for its trend): results, summaries, flags with comments, leave, holidays, decisions."""
    today = organization.local_today()
    start, end = rep.employment_start, rep.probation_end
    window = Q(period__start__lte=end, period__end__gte=start or EARLIEST)
    results = list(
        PeriodResult.objects.filter(
            organization=organization, rep=rep, period_close__superseded_at__isnull=True,
            period__status=PeriodStatus.CLOSED,
        )  # fmt: skip
        .filter(window)
        .select_related("period", "line__activity_type", "version__plan")
    )
    summaries = dict(
        RepPeriodSummary.objects.filter(
            organization=organization, rep=rep, period_close__superseded_at__isnull=True,
            period_id__in={result.period_id for result in results},
        ).values_list("period_id", "plan_met")  # fmt: skip
    )
    flags = list(
        Flag.objects.filter(organization=organization, rep=rep, period_close__superseded_at__isnull=True)
        .filter(window)
        .select_related("period", "result__line__activity_type", "acknowledged_by")
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=FlagComment.objects.filter(organization=organization).select_related("author"),
                to_attr="thread",
            )
        )
        .order_by("period__start", "period__end", "created_at", "pk")
    )

    by_period: dict[int, ReportPeriod] = {}
    for result in sorted(results, key=_result_order):
        period = result.period
        if period.pk not in by_period:
            by_period[period.pk] = ReportPeriod(
                period=period, label=period_label(period), results=[], plan_met=summaries.get(period.pk)
            )
        by_period[period.pk].results.append(result)
    for flag in flags:
        known = by_period.get(flag.period_id)
        flag.period_label = known.label if known else period_label(flag.period)
        if flag.period_id in by_period:
            by_period[flag.period_id].flags.append(flag)

    kinds = []
    for kind in KIND_ORDER:
        periods = sorted((p for p in by_period.values() if p.period.kind == kind), key=lambda p: p.period.start)
        if periods:
            trend = rep_trend(organization=organization, rep=rep, periods=[p.period for p in periods])
            kinds.append(ReportKind(kind=kind, title=str(KIND_TITLES[kind]), periods=periods, trend=trend))

    return ProbationReport(
        rep=rep,
        today=today,
        start=start,
        end=end,
        kinds=kinds,
        flags=flags,
        leave=_leave_rows(organization=organization, rep=rep, start=start or EARLIEST, end=end),
        decisions=list(
            ProbationDecision.objects.filter(organization=organization, rep=rep)
            .select_related("decided_by")
            .order_by("-decided_at", "-pk")
        ),
    )


def _leave_rows(*, organization: Organization, rep: Membership, start: date, end: date) -> list[LeaveRow]:
    """The rep's approved leave within the window, with the working days it took (holidays and weekends not
    counted)."""
    leaves = list(
        Leave.objects.filter(
            organization=organization, rep=rep, status=LeaveStatus.APPROVED, start__lte=end, end__gte=start
        ).order_by("start", "pk")
    )
    if not leaves:
        return []
    first, last = max(min(leave.start for leave in leaves), start), min(max(leave.end for leave in leaves), end)
    calendar = calendar_get(organization=organization, start=first, end=last)
    rows = []
    for leave in leaves:
        leave_start, leave_end = max(leave.start, start), min(leave.end, end)
        working = sum(1 for day in days_between(leave_start, leave_end) if calendar.is_working_day(day))
        rows.append(LeaveRow(leave=leave, start=leave_start, end=leave_end, working_days=working))
    return rows


def attainment_text(result: PeriodResult) -> str:
    return "" if result.attainment is None else f"{result.attainment} %"


def figure(value: Decimal | None, *, money: bool, currency: str = "") -> str:
    """A result's actual or target as the tables show it (an amount of `currency` for money, no decimals for counts)."""
    if value is None:
        return "–"
    if money and currency:
        return format_money(value, currency)
    return number_format(value, decimal_pos=2 if money else 0, use_l10n=True, force_grouping=True)
