"""A fixed "now" for the quotas tests: Wednesday 2026-11-25, 09:00 in Stockholm (week Mon 23 – Sun 29)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Membership
from activities.models import ActivityEntry
from quotas.services.plans import LineData, quota_plan_create

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
WEEK_START = date(2026, 11, 23)


@pytest.fixture
def frozen_now():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield NOW


@pytest.fixture
def make_plan(frozen_now):
    """quota_plan_create with short line syntax: lines={"outbound_calls": 250, ("social_contacts", "topic"): 50}."""

    def make(org, *, lines, actor=None, scope="organization", kind="week", name=None, points_target=None, **kwargs):
        line_data = []
        for key, target in lines.items():
            type_key, topic = key if isinstance(key, tuple) else (key, "")
            line_data.append(LineData(activity_type=org.types[type_key], target=Decimal(target), topic=topic))
        return quota_plan_create(
            organization=org.organization,
            actor=actor or org.admin,
            name=name or f"{scope} {kind} {len(line_data)} {id(lines)}",
            period_kind=kind,
            scope=scope,
            lines=line_data,
            points_target=points_target,
            **kwargs,
        )

    return make


@pytest.fixture
def employed(org_a):
    """org_a's rep, employed long ago, full time, with nothing logged yet."""
    ActivityEntry.objects.filter(rep=org_a.rep).delete()
    Membership.objects.filter(pk=org_a.rep.pk).update(employment_start=date(2020, 1, 1))
    org_a.rep.refresh_from_db()
    return org_a.rep
