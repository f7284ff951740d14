"""Reads of the organization overview (admins, owners): the dashboard's rows summed up by team, and where the
close of the latest periods stands (closed, close failed, due, waiting for the grace time)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Team

from ..models import Period, PeriodStatus
from ..services.close import close_cutoff, periods_due  # the close's own definition of "due"
from .calendar import quota_settings_get
from .dashboard import DashboardRow, PlanStatus, mean_attainment


@dataclass(frozen=True)
class TeamSummary:
    """One team's reps in the period (team None: reps without a team)."""

    team: Team | None
    reps: int
    all_met: int
    needs_attention: int  # reps with a line behind (live) or below the minimum (closed)
    exceeded: int
    flagged: int
    open_flags: int
    attainment: Decimal | None


def team_summaries(rows: list[DashboardRow]) -> list[TeamSummary]:
    """The dashboard rows grouped by team, teams by name, reps without a team last."""
    by_team: dict[int | None, list[DashboardRow]] = defaultdict(list)
    teams: dict[int | None, Team | None] = {}
    for row in rows:
        by_team[row.rep.team_id].append(row)
        teams[row.rep.team_id] = row.rep.team
    ordered = sorted(by_team, key=lambda pk: (pk is None, teams[pk].name.lower() if pk is not None else ""))
    return [
        TeamSummary(
            team=teams[pk],
            reps=len(by_team[pk]),
            all_met=sum(1 for row in by_team[pk] if row.plan_status == PlanStatus.ALL_MET),
            needs_attention=sum(1 for row in by_team[pk] if row.needs_attention),
            exceeded=sum(1 for row in by_team[pk] if row.exceeded),
            flagged=sum(1 for row in by_team[pk] if row.flagged),
            open_flags=sum(row.open_flags for row in by_team[pk]),
            attainment=mean_attainment(by_team[pk]),
        )
        for pk in ordered
    ]


class CloseState:
    CLOSED = "closed"
    CLOSE_FAILED = "close_failed"
    CLOSING = "closing"
    DUE = "due"
    WAITING = "waiting"  # ended, within the grace: the next sweep after the grace closes it


CLOSE_STATE_LABELS = {
    CloseState.CLOSED: _("Closed"),
    CloseState.CLOSE_FAILED: _("Close failed"),
    CloseState.CLOSING: _("Closing"),
    CloseState.DUE: _("Due"),
    CloseState.WAITING: _("Closes after the grace time"),
}


@dataclass(frozen=True)
class PeriodCloseStatus:
    period: Period
    state: str

    @property
    def state_label(self) -> str:
        return str(CLOSE_STATE_LABELS[self.state])


def latest_period_closes(
    *, organization: Organization, kinds: list[str], now, count: int = 8
) -> list[PeriodCloseStatus]:
    """The latest ended periods of `kinds`, newest first, each closed, failed, closing, due (open and past
    its end plus the grace: see services.close.periods_due) or waiting for the grace. Two queries."""
    today = organization.local_today()
    grace = quota_settings_get(organization=organization).close_grace_minutes
    cutoff = close_cutoff(organization=organization, now=now, grace_minutes=grace)
    periods = Period.objects.filter(organization=organization, kind__in=kinds, end__lt=today).order_by("-end", "kind")
    statuses = []
    for period in periods[:count]:
        if period.status == PeriodStatus.OPEN:
            state = CloseState.DUE if period.end < cutoff else CloseState.WAITING
        else:
            state = period.status
        statuses.append(PeriodCloseStatus(period=period, state=state))
    return statuses


def close_problems(*, organization: Organization, now) -> dict[str, int]:
    """How many periods of any kind are due and not closed yet, and how many stopped as close failed."""
    failed = Period.objects.filter(organization=organization, status=PeriodStatus.CLOSE_FAILED)
    return {"due": periods_due(organization=organization, now=now).count(), "failed": failed.count()}
