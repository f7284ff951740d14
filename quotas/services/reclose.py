"""What a re-close (after an approved correction or an admin's reopen) keeps of the close it replaces.

A re-close goes through the same machinery as a first close (close.py) and replaces the period's results; these
are the three things it carries over, so that replacing a close changes only what the correction changed:
- the targets: closed results keep the target they were closed with (PRODUCT), whatever plans, FTE, teams or
  leave say now; only reps who joined after the replaced close (with an earlier start) get theirs computed
  (close.py);
- the flags' follow-up: a flag identical to one of the replaced close keeps its acknowledgement and its thread;
- the streaks: those of the later closed periods are recounted for the reps whose summary changed.
"""

from datetime import date, timedelta

from ..models import Flag, FlagComment, FlagStatus, PeriodResult, RepPeriodSummary
from .close_results import TargetKey


def targets_asked_before(*, period_close_id: int) -> dict[int, list[TargetKey]]:
    """What the replaced close asked of each rep (by id), read back from its results. One query."""
    asked: dict[int, list[TargetKey]] = {}
    results = PeriodResult.objects.filter(period_close_id=period_close_id)
    for result in results.select_related("line").order_by("pk"):
        line = result.line
        asked.setdefault(result.rep_id, []).append(
            TargetKey(
                version_id=result.version_id,
                line_id=result.line_id,
                type_id=line.activity_type_id if line else None,
                topic=line.topic if line else "",
                distinct_contacts=1 if line and line.distinct_contacts else 0,
                label=result.label,
                target_full=result.target_full,
                target=result.target,
                explanation=result.explanation,
            )
        )
    return asked


def _flag_fact(flag: Flag) -> tuple:
    """What a flag says: whose, which kind, of which line with which figure. A plan not met has no line: it stays
    the same fact while the plan stays not met (a manager's follow-up of it is about the plan, not one figure)."""
    result = flag.result
    if result is None:
        return flag.rep_id, flag.kind, None, None, None
    return flag.rep_id, flag.kind, result.label, result.actual, result.status


def flags_carry_over(*, replaced_close_id: int, period_close_id: int) -> None:
    """Each new flag that states the same fact as a flag of the replaced close takes over that flag's follow-up:
    its acknowledgement (who, when) and its comment thread. A correction of one rep then leaves the other reps'
    flags as the manager left them; a changed figure is a new fact, and its flag starts open. At most five
    queries, however many flags."""
    before = {
        _flag_fact(flag): flag
        for flag in Flag.objects.filter(period_close_id=replaced_close_id).select_related("result")
    }
    acknowledged, threads = [], {}
    for flag in Flag.objects.filter(period_close_id=period_close_id).select_related("result"):
        old = before.get(_flag_fact(flag))
        if old is None:
            continue
        if old.status == FlagStatus.ACKNOWLEDGED:
            flag.status = old.status
            flag.acknowledged_by_id = old.acknowledged_by_id
            flag.acknowledged_at = old.acknowledged_at
            acknowledged.append(flag)
        threads[old.pk] = flag.pk
    Flag.objects.bulk_update(acknowledged, ["status", "acknowledged_by", "acknowledged_at"], batch_size=500)
    comments = list(FlagComment.objects.filter(flag_id__in=threads))
    for comment in comments:
        comment.flag_id = threads[comment.flag_id]
    FlagComment.objects.bulk_update(comments, ["flag"], batch_size=500)


def later_streaks_update(*, replaced_close_id: int, period_close_id: int, period) -> None:
    """Recount the streaks of the later closed periods of the kind, which were counted from the replaced summary
    (a week corrected to met lengthens every streak after it) — for the reps whose summary changed only."""

    def summaries_of(close_id: int) -> dict[int, tuple]:
        rows = RepPeriodSummary.objects.filter(period_close_id=close_id).values_list("rep_id", "plan_met", "streak")
        return {rep_id: (plan_met, streak) for rep_id, plan_met, streak in rows}

    before, now = summaries_of(replaced_close_id), summaries_of(period_close_id)
    reps = [rep_id for rep_id in before.keys() | now.keys() if before.get(rep_id) != now.get(rep_id)]
    if not reps:
        return
    summaries = (
        RepPeriodSummary.objects.filter(
            organization_id=period.organization_id,
            rep_id__in=reps,
            period__kind=period.kind,
            period__start__gte=period.start,
            period_close__superseded_at__isnull=True,
        )  # fmt: skip
        .select_related("period")
        .order_by("period__start", "pk")
    )
    last: dict[int, tuple[date, int]] = {}  # per rep: the end of their latest period seen, and its streak
    changed = []
    for summary in summaries:
        if summary.period_id != period.pk:
            previous_end, previous_streak = last.get(summary.rep_id, (None, 0))
            # The rule of close_results.summaries_insert: the previous period ends the day before; met adds one,
            # missed restarts at 0, no target carries the streak over.
            base = previous_streak if previous_end == summary.period.start - timedelta(days=1) else 0
            streak = base if summary.plan_met is None else (base + 1 if summary.plan_met else 0)
            if streak != summary.streak:
                summary.streak = streak
                changed.append(summary)
        last[summary.rep_id] = (summary.period.end, summary.streak)
    RepPeriodSummary.objects.bulk_update(changed, ["streak"], batch_size=1000)
