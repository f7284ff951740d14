"""The close's three set-based inserts: results, summaries and flags, each one INSERT … SELECT.

Python computes what each rep is asked for (the pro-rated targets and their explanations, see
selectors.progress.targets_for_period); the database counts what was done. Each statement works on all reps
of the period at once, so a close costs the same number of statements for 5 reps or 5,000, and the rows never
travel to Python and back. The SQL is portable between SQLite and PostgreSQL (derived tables, CASE, VALUES
whose columns are named column1, column2, … on both).

What counts as the actual of a line matches selectors.progress (`_line_actual`, `_points_actual`): the sum of
the quantities of the line's type (only entries with its topic when it has one), or the number of distinct
contacts (trimmed, case-insensitive, empty ones not counted), or for the points target the sum of quantity ×
the type's points. tests/quotas/test_close.py holds the two to the same figures.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from ..models import FlagKind, FlagStatus, ResultStatus
from ..selectors.progress import LineTarget, RepTargets

# Reps per statement: keeps the statement's parameters well inside SQLite's limit (32,766).
CHUNK = 2_000


class TargetKey(NamedTuple):
    """What a line asks of a rep, in the order of the statement's VALUES columns; most reps share it (the same
    line, availability and FTE)."""

    version_id: int
    line_id: int | None
    type_id: int | None  # None: the points target, over every type with points
    topic: str
    distinct_contacts: int
    label: str
    target_full: Decimal
    target: Decimal | None
    explanation: str


def _target_key(line_target: LineTarget) -> TargetKey:
    line = line_target.line
    return TargetKey(
        version_id=line_target.version.pk,
        line_id=line.pk if line else None,
        type_id=line.activity_type_id if line else None,
        topic=line.topic if line else "",
        distinct_contacts=1 if line and line.distinct_contacts else 0,
        label=line_target.label[:200],
        target_full=line_target.target.full,
        target=line_target.target.value,
        explanation=line_target.target.explanation[:300],
    )


def targets_asked(targets: list[RepTargets]) -> dict[int, list[TargetKey]]:
    """What a first close asks of each rep (by id): their targets as computed now, for reps with any."""
    asked = {}
    for rep_targets in targets:
        line_targets = [*rep_targets.lines, *([rep_targets.points] if rep_targets.points else [])]
        if line_targets:
            asked[rep_targets.rep.pk] = [_target_key(line_target) for line_target in line_targets]
    return asked


def results_insert(
    *, organization_id: int, period_close_id: int, period_id: int, start: date, end: date,
    exceeded_tier: Decimal, asked: dict[int, list[TargetKey]],
) -> None:  # fmt: skip
    """Freeze every rep × line result of the close: what each rep was `asked` (targets_asked, or for a re-close
    reclose.targets_asked_before) against what they did.

    The statement gets the distinct targets once, the distinct sets of targets once (reps of one team share
    theirs), and each rep as two numbers (rep, set), so that its parameters stay few: building thousands of
    literals costs the driver more than the database's work."""
    keys: dict[TargetKey, int] = {}
    target_sets: dict[tuple[int, ...], int] = {}
    rows = []
    for rep_id, rep_keys in sorted(asked.items()):
        numbers = tuple(keys.setdefault(key, len(keys)) for key in rep_keys)
        rows.append((rep_id, target_sets.setdefault(numbers, len(target_sets))))
    set_members = [(number, key) for numbers, number in target_sets.items() for key in numbers]
    shape = _EntryGrouping(
        counts_contacts=any(key.distinct_contacts for key in keys),
        by_topic=any(key.topic for key in keys),
        has_points=any(key.type_id is None for key in keys),
    )
    for first in range(0, len(rows), CHUNK):
        _results_insert_chunk(
            rows[first : first + CHUNK], set_members, list(keys), organization_id=organization_id,
            period_close_id=period_close_id, period_id=period_id, start=start, end=end, exceeded_tier=exceeded_tier,
            shape=shape,
        )  # fmt: skip


@dataclass(frozen=True)
class _EntryGrouping:
    """What the entries must be grouped by for this close's targets. Each extra key multiplies the groups and
    keeps PostgreSQL from answering from the covering index alone, so it is added only when a line needs it."""

    counts_contacts: bool  # a line counts distinct contacts
    by_topic: bool  # a line counts only the entries of one topic
    has_points: bool  # a points target weighs every type's total by the type's points


def _results_insert_chunk(
    rows, set_members, target_keys, *, organization_id, period_close_id, period_id, start, end, exceeded_tier,
    shape: _EntryGrouping,
) -> None:  # fmt: skip
    rep_ids = [rep_id for rep_id, _set in rows]
    assignments = ", ".join(["(%s, %s)"] * len(rows))
    set_member_values = ", ".join(["(%s, %s)"] * len(set_members))
    target_values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(target_keys))
    contact_key = "LOWER(TRIM(e.contact))" if shape.counts_contacts else "''"
    topic = "e.topic" if shape.by_topic else "''"
    group_by = "e.rep_id, e.activity_type_id"
    if shape.by_topic:
        group_by += f", {topic}"
    if shape.counts_contacts:
        group_by += f", {contact_key}"
    if shape.has_points:  # the points target (no type) weighs each type's total; types without points add NULL
        total = "SUM(CASE WHEN t.type_id IS NULL THEN a.total * w.points ELSE a.total END)"
        points_join = "LEFT JOIN activities_activitytype w ON w.id = a.activity_type_id"
    else:
        total, points_join = "SUM(a.total)", ""
    sql = f"""
        INSERT INTO quotas_periodresult (organization_id, period_close_id, period_id, rep_id, version_id, line_id,
                                         label, target_full, target, explanation, actual, attainment, status)
        SELECT %s, %s, %s, r.rep_id, r.version_id, r.line_id, r.label, r.target_full, r.target, r.explanation,
               r.actual,
               CASE WHEN r.target > 0 THEN ROUND(r.actual * 100.0 / r.target) END,
               CASE WHEN r.target IS NULL THEN '{ResultStatus.NO_TARGET}'
                    WHEN r.actual >= r.target * CAST(%s AS NUMERIC) THEN '{ResultStatus.EXCEEDED}'
                    WHEN r.actual >= r.target THEN '{ResultStatus.MET}'
                    ELSE '{ResultStatus.BELOW_MINIMUM}' END
        FROM (
            -- grouped by rep and target; the other columns are the target's own (MAX of one value)
            SELECT x.rep_id, MAX(t.version_id) AS version_id, MAX(t.line_id) AS line_id,
                   MAX(t.label) AS label, MAX(t.target_full) AS target_full, MAX(t.target) AS target,
                   MAX(t.explanation) AS explanation,
                   CASE WHEN MAX(t.distinct_contacts) = 1
                        THEN COUNT(DISTINCT CASE WHEN a.contact_key <> '' THEN a.contact_key END)
                        ELSE COALESCE({total}, 0)
                   END AS actual
            FROM (
                SELECT CAST(column1 AS BIGINT) AS rep_id, CAST(column2 AS INTEGER) AS target_set
                FROM (VALUES {assignments}) AS v
            ) AS x
            JOIN (
                SELECT CAST(column1 AS INTEGER) AS target_set, CAST(column2 AS INTEGER) AS target_key
                FROM (VALUES {set_member_values}) AS v
            ) AS s ON s.target_set = x.target_set
            JOIN (
                SELECT CAST(column1 AS INTEGER) AS target_key, CAST(column2 AS BIGINT) AS version_id,
                       CAST(column3 AS BIGINT) AS line_id, CAST(column4 AS BIGINT) AS type_id, column5 AS topic,
                       CAST(column6 AS INTEGER) AS distinct_contacts, column7 AS label,
                       CAST(column8 AS NUMERIC) AS target_full, CAST(column9 AS NUMERIC) AS target,
                       column10 AS explanation
                FROM (VALUES {target_values}) AS v
            ) AS t ON t.target_key = s.target_key
            LEFT JOIN (
                SELECT e.rep_id, e.activity_type_id, {topic} AS topic, {contact_key} AS contact_key,
                       SUM(e.quantity) AS total
                FROM activities_activityentry e
                WHERE e.organization_id = %s AND e.date BETWEEN %s AND %s AND e.rep_id BETWEEN %s AND %s
                GROUP BY {group_by}
            ) AS a ON a.rep_id = x.rep_id
                      AND (a.activity_type_id = t.type_id OR t.type_id IS NULL)
                      AND (t.topic = '' OR a.topic = t.topic)
            {points_join}
            GROUP BY x.rep_id, s.target_key
        ) AS r
    """
    params = [organization_id, period_close_id, period_id, exceeded_tier]
    params += [value for row in rows for value in row]
    params += [value for member in set_members for value in member]
    params += [value for number, key in enumerate(target_keys) for value in (number, *key)]
    params += [organization_id, start, end, min(rep_ids), max(rep_ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def summaries_insert(*, organization_id: int, period_close_id: int, kind: str, start: date) -> None:
    """Per rep with results: whether every target was met (NULL when the rep had none: no working day for them
    in the period), and the streak of consecutive periods met (the previous period of the kind ends the day
    before this one starts; a period without a target carries it over). reclose.later_streaks_update applies the
    same rule to the later periods after a re-close."""
    sql = f"""
        INSERT INTO quotas_repperiodsummary (organization_id, period_close_id, period_id, rep_id, plan_met, streak)
        SELECT r.organization_id, r.period_close_id, r.period_id, r.rep_id, r.plan_met,
               CASE WHEN r.plan_met IS NULL THEN COALESCE(previous.streak, 0)
                    WHEN r.plan_met THEN COALESCE(previous.streak, 0) + 1
                    ELSE 0 END
        FROM (
            SELECT organization_id, period_close_id, period_id, rep_id,
                   CASE WHEN SUM(CASE WHEN status <> '{ResultStatus.NO_TARGET}' THEN 1 ELSE 0 END) = 0 THEN NULL
                        WHEN SUM(CASE WHEN status = '{ResultStatus.BELOW_MINIMUM}' THEN 1 ELSE 0 END) = 0 THEN TRUE
                        ELSE FALSE END AS plan_met
            FROM quotas_periodresult
            WHERE period_close_id = %s
            GROUP BY organization_id, period_close_id, period_id, rep_id
        ) AS r
        LEFT JOIN (
            SELECT s.rep_id, s.streak
            FROM quotas_repperiodsummary s
            JOIN quotas_periodclose c ON c.id = s.period_close_id AND c.superseded_at IS NULL
            JOIN quotas_period p ON p.id = s.period_id
            WHERE s.organization_id = %s AND p.kind = %s AND p."end" = %s
        ) AS previous ON previous.rep_id = r.rep_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [period_close_id, organization_id, kind, start - timedelta(days=1)])


def flags_insert(*, period_close_id: int, now: datetime) -> None:
    """Flag each result below its minimum or exceeding its target, and each rep with a target who did not meet
    the plan."""
    sql = f"""
        INSERT INTO quotas_flag (organization_id, period_close_id, period_id, rep_id, result_id, kind, status,
                                 created_at)
        SELECT organization_id, period_close_id, period_id, rep_id, id,
               CASE WHEN status = '{ResultStatus.BELOW_MINIMUM}' THEN '{FlagKind.BELOW_MINIMUM}'
                    ELSE '{FlagKind.EXCEEDED}' END,
               '{FlagStatus.OPEN}', %s
        FROM quotas_periodresult
        WHERE period_close_id = %s AND status IN ('{ResultStatus.BELOW_MINIMUM}', '{ResultStatus.EXCEEDED}')
        UNION ALL
        SELECT s.organization_id, s.period_close_id, s.period_id, s.rep_id, NULL, '{FlagKind.PLAN_NOT_MET}',
               '{FlagStatus.OPEN}', %s
        FROM quotas_repperiodsummary s
        WHERE s.period_close_id = %s AND s.plan_met = FALSE
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, period_close_id, now, period_close_id])
