"""90 days of realistic activity for the demo organization (see accounts/demo.py and `seed_demo`).

Deterministic: a fixed random seed gives the same data on every run, relative to the organization's today.
Reps work Monday to Friday (a little on some weekends), take sick days and a week off, and differ: some are
strong, some weak. The two reps on probation work to the probation plans (quotas/demo.py): Sofia ramps up and
falls short of the 250 calls in her first two weeks only, Oskar meets them but in two weeks. Most entries come
from the web, some from the dialer's API and the CRM import; managers enter some on their reps' behalf. Raj
Patel, the example of the README, has exactly 150 outbound calls, 200 prospect e-mails, 50 social contacts and
30 opportunities created in his last full calendar month.

Entries are written with `bulk_create_with_history`, so each has its audit row (who, when), in batches.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from accounts.demo import demo_email
from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.selectors import membership_list

from .models import ActivityEntry, EntryLock, Source
from .selectors import activity_type_list

SEED = 20240601
DAYS = 90
BATCH_SIZE = 2000

# Per working day of a rep at 100 % performance and FTE.
DAILY_RATES = {
    "outbound_calls": 7.0,
    "prospect_emails": 9.5,
    "social_contacts": 2.4,
    "tasks_submitted": 2.0,
    "meetings": 1.0,
    "demos": 0.4,
    "opportunities_created": 1.4,
    "deals_won": 0.35,
}
WEEKEND_TYPES = ["prospect_emails", "social_contacts"]

# How each rep performs (1.0 = the rates above); the reps on probation have their own (PROBATION_RATES).
PERFORMANCE = {
    demo_email("Raj"): 1.25,  # the README's example: meets his team's weekly minimums in most weeks
    demo_email("Johan"): 1.35,
    demo_email("Elin"): 1.25,
    demo_email("Ahmed"): 1.1,
    demo_email("Mikael"): 1.0,
    demo_email("Emma"): 0.95,
    demo_email("Sara"): 0.9,
    demo_email("Lars"): 0.85,
    demo_email("Karin"): 0.75,
    demo_email("Fatima"): 0.6,
}
RAMP_UP_DAYS = 30

# The reps on probation, once up to speed, per working day: a little over what the probation plans and their
# team's weekly plan ask (quotas/demo.py PLANS; 250 calls a week is 50 a day).
PROBATION_RATES = DAILY_RATES | {
    "outbound_calls": 54.0,
    "prospect_emails": 9.0,
    "social_contacts": 2.8,  # all of them about retirement planning, the probation plan's topic
    "meetings": 1.1,
    "demos": 0.45,
    "opportunities_created": 1.3,
}
PROBATION_TOPIC = "retirement planning"
# The minimums of those plans (kind, type key, full target), which the probation reps meet in every week and
# month but their short weeks: topped up where the random days fell short, so the history does not depend on
# the date the demo is built. "revenue" is the sum of the deals' revenue.
PROBATION_MINIMUMS = [
    ("week", "outbound_calls", 250),
    ("week", "prospect_emails", 40),
    ("week", "social_contacts", 10),
    ("week", "meetings", 5),
    ("week", "demos", 2),
    ("month", "social_contacts", 50),
    ("month", "opportunities_created", 25),
    ("month", "revenue", 600000),
]
# The weeks in which a probation rep's calls fall short (0 = their first week with a working day) → their share
# of the pace: Sofia ramps up over her first two weeks, Oskar starts slowly and has one bad week.
SHORT_WEEKS = {demo_email("Sofia"): {0: 0.3, 1: 0.5}, demo_email("Oskar"): {0: 0.5, 4: 0.45}}

# Raj's last full calendar month, exactly (the README's example).
EXAMPLE_REP = demo_email("Raj")
EXAMPLE_MONTH = {"outbound_calls": 150, "prospect_emails": 200, "social_contacts": 50, "opportunities_created": 30}

# The Göteborg team's dialer pushes calls through the API; outcomes come from the CRM import.
DIALER_TEAM = "Göteborg"
TOPICS = ["retirement planning", "pension transfer", "insurance review"]
TOPIC_TYPES = {"prospect_emails", "social_contacts", "meetings", "outbound_calls", "opportunities_created"}
CONTACT_TYPES = {"social_contacts", "meetings", "demos", "opportunities_created"}
CONTACTS = [
    "Anna Lindqvist",
    "Per Olsson",
    "karin.ek@example.com",
    "Mats Berglund",
    "lena.sjoberg@example.org",
    "https://social.example/posts/4821#comment-17",
    "https://social.example/posts/5177#comment-3",
    "Björn Håkansson",
    "Eva Nyström",
    "jonas.falk@example.net",
]
NOTES = [
    "Follow up next week",
    "Asked for a pension transfer quote",
    "Wants to compare with current insurer",
    "Interested after the webinar",
    "Call back after the holidays",
    "Referred by an existing customer",
    "Sent the brochure",
]
QUICK_CHUNKS = [1, 1, 1, 1, 2, 3, 5, 5]  # how reps tap: +1 mostly, sometimes +5 or a number


@dataclass
class _RepPlan:
    membership: Membership
    manager_user: User | None  # who leads the rep's team: enters on their behalf, imports their CRM data
    start: date
    multiplier: float
    absent: set = field(default_factory=set)
    quantities: dict = field(default_factory=lambda: defaultdict(int))  # (day, key) -> quantity
    deal_amounts: dict = field(default_factory=dict)  # day -> each deal's revenue (probation reps; else random)
    topics: dict = field(default_factory=dict)  # type key -> the topic of all its entries (probation reps)


def last_full_month(today: date) -> tuple[date, date]:
    """The calendar month before `today`'s month."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@transaction.atomic
def demo_activity_delete(*, organization: Organization) -> None:
    """Remove the demo's entries, their history and locks, so that the organization can be deleted."""
    EntryLock.objects.filter(organization=organization).delete()  # the trigger refuses deleting locked entries
    ActivityEntry.history.filter(organization_id=organization.pk).delete()
    # One statement instead of the ORM's delete, which would load every entry to send its signals (and
    # write a "deleted" history row for each: seconds, for a history that is going anyway).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ActivityEntry._meta.db_table} WHERE organization_id = %s", [organization.pk])


@transaction.atomic
def demo_activity_create(*, organization: Organization) -> int:
    """Write 90 days of activity up to yesterday for every rep; return the number of entries."""
    rng = random.Random(SEED)
    today = organization.local_today()
    first_day, last_day = today - timedelta(days=DAYS), today - timedelta(days=1)
    types = {t.default_key: t for t in activity_type_list(organization=organization) if t.default_key}
    plans = _plans(organization=organization, first_day=first_day)
    for plan in plans:
        if plan.membership.probation_end:
            _plan_probation(rng, plan, last_day=last_day, week_start=organization.week_start)
            continue
        _plan_days(rng, plan, first_day=first_day, last_day=last_day)
        if plan.membership.user.email == EXAMPLE_REP:
            _plan_example_month(rng, plan, today=today)
    entries = _entries(rng, organization=organization, plans=plans, types=types)
    bulk_create_with_history(entries, ActivityEntry, batch_size=BATCH_SIZE)
    return len(entries)


def _plans(*, organization: Organization, first_day: date) -> list[_RepPlan]:
    members = list(membership_list(organization=organization))
    managers = {team.pk: m.user for m in members if m.role == Role.MANAGER for team in m.managed_teams.all()}
    reps = sorted((m for m in members if m.role == Role.REP and m.is_active), key=lambda m: m.user.email)
    return [
        _RepPlan(
            membership=rep,
            manager_user=managers.get(rep.team_id),
            start=max(first_day, rep.employment_start or first_day),
            multiplier=PERFORMANCE.get(rep.user.email, 1.0) * rep.fte_percent / 100,
        )
        for rep in reps
    ]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means used here."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _plan_days(
    rng: random.Random, plan: _RepPlan, *, first_day: date, last_day: date, rates=DAILY_RATES, ramp_up=True
) -> None:
    """Daily quantities per type: working days, a sick day now and then, a week off for some."""
    working_days = [day for day in _days(plan.start, last_day) if day.weekday() < 5]
    week_off = plan.membership.user.email != EXAMPLE_REP and not plan.membership.probation_end  # new reps: none yet
    if len(working_days) > 20 and rng.random() < 0.5 and week_off:
        holiday = rng.randrange(len(working_days) - 5)
        plan.absent.update(working_days[holiday : holiday + 5])
    plan.absent.update(day for day in working_days if rng.random() < 0.04)
    employed_since = plan.membership.employment_start or date.min
    for day in _days(plan.start, last_day):
        ramp = min(1.0, 0.3 + 0.7 * (day - employed_since).days / RAMP_UP_DAYS) if ramp_up else 1.0
        if day.weekday() >= 5:
            if rng.random() < 0.08:
                for key in WEEKEND_TYPES:
                    plan.quantities[day, key] += _poisson(rng, rates[key] * 0.3)
        elif day not in plan.absent:
            form = rng.uniform(0.6, 1.4) * plan.multiplier * ramp  # good days and bad days
            for key, rate in rates.items():
                plan.quantities[day, key] += _poisson(rng, rate * form)


def _plan_probation(rng: random.Random, plan: _RepPlan, *, last_day: date, week_start: int) -> None:
    """A probation rep's days: on pace but in their short weeks (SHORT_WEEKS), every minimum met otherwise."""
    _plan_days(rng, plan, first_day=plan.start, last_day=last_day, rates=PROBATION_RATES, ramp_up=False)
    plan.topics = {"social_contacts": PROBATION_TOPIC}
    worked = [day for day in _days(plan.start, last_day) if day.weekday() < 5 and day not in plan.absent]
    weeks = _group(worked, lambda day: day - timedelta(days=(day.weekday() - week_start) % 7))
    short = SHORT_WEEKS.get(plan.membership.user.email, {})
    for number, days in enumerate(weeks.values()):
        if number in short:
            for day in days:
                calls = _poisson(rng, PROBATION_RATES["outbound_calls"] * short[number])
                plan.quantities[day, "outbound_calls"] = calls
    for day in worked:
        plan.deal_amounts[day] = [rng.randrange(150, 1800) * 100 for _deal in range(plan.quantities[day, "deals_won"])]
    months = _group(worked, lambda day: day.replace(day=1))
    for kind, key, full in PROBATION_MINIMUMS:
        for number, (first, days) in enumerate((weeks if kind == "week" else months).items()):
            if kind == "week" and key == "outbound_calls" and number in short:
                continue
            # The pro-rated target is at most this: holidays and leave only lower it (quotas/targets.py).
            scheduled = 5 if kind == "week" else sum(day.weekday() < 5 for day in _days(first, _month_end(first)))
            needed = math.ceil(full * len(days) / scheduled)
            if key == "revenue":
                missing = needed - sum(sum(plan.deal_amounts[day]) for day in days)
                if missing > 0:  # one more deal closes the gap
                    day = rng.choice(days)
                    plan.deal_amounts[day].append(max(math.ceil(missing / 100), rng.randrange(150, 600)) * 100)
                    plan.quantities[day, "deals_won"] += 1
                continue
            for _unit in range(needed - sum(plan.quantities[day, key] for day in days)):
                plan.quantities[rng.choice(days), key] += 1


def _group(days: list[date], key) -> dict[date, list[date]]:
    groups = defaultdict(list)
    for day in days:
        groups[key(day)].append(day)
    return groups


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _days(start: date, end: date):
    """Every date from start to end, both included."""
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def _plan_example_month(rng: random.Random, plan: _RepPlan, *, today: date) -> None:
    """Replace the example rep's figures in his last full month by the exact ones, spread over his working days."""
    start, end = last_full_month(today)
    for day, key in list(plan.quantities):
        if start <= day <= end and key in EXAMPLE_MONTH:
            del plan.quantities[day, key]
    days = [day for day in _days(start, end) if day.weekday() < 5 and day not in plan.absent]
    for key, total in EXAMPLE_MONTH.items():
        weights = [rng.uniform(0.6, 1.4) for _ in days]
        shares = [total * w / sum(weights) for w in weights]
        counts = [math.floor(share) for share in shares]
        # Largest remainders get the units the rounding down left over, so the month adds up exactly.
        by_remainder = sorted(range(len(days)), key=lambda i: shares[i] - counts[i], reverse=True)
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        for day, count in zip(days, counts):
            if count:
                plan.quantities[day, key] = count


def _entries(rng: random.Random, *, organization, plans: list[_RepPlan], types: dict) -> list[ActivityEntry]:
    entries = []
    import_number = 0
    for plan in plans:
        rep = plan.membership
        uses_dialer = rep.team is not None and rep.team.name == DIALER_TEAM
        for day in sorted({day for day, _key in plan.quantities}):
            clock = datetime.combine(day, time(8, rng.randrange(0, 45)), tzinfo=organization.zone)
            day_entries = []
            for key in DAILY_RATES:
                quantity = plan.quantities.get((day, key), 0)
                if not quantity:
                    continue
                chunks = _chunks(rng, quantity)
                source, entered_by, external_id = Source.WEB, rep.user, None
                if key == "outbound_calls" and uses_dialer and rng.random() < 0.6:
                    source, chunks = Source.API, [quantity]  # the dialer pushes the day's calls at once
                    external_id = f"dialer-{rep.user.email.split('@')[0]}-{day:%Y%m%d}"
                elif key in {"opportunities_created", "deals_won"} and plan.manager_user and rng.random() < 0.25:
                    import_number += 1
                    source, chunks, entered_by = Source.IMPORT, [quantity], plan.manager_user
                    external_id = f"crm-{day:%Y%m%d}-{import_number}"
                for chunk in chunks:
                    on_behalf = source == Source.WEB and plan.manager_user and rng.random() < 0.05
                    day_entries.append(
                        _entry(
                            rng,
                            organization=organization,
                            rep=rep,
                            day=day,
                            activity_type=types[key],
                            quantity=Decimal(chunk),
                            source=source,
                            entered_by=plan.manager_user if on_behalf else entered_by,
                            external_id=external_id,
                            topic=plan.topics.get(key),
                        )
                    )
                if key == "deals_won":
                    day_entries += _deal_outcomes(rng, organization=organization, rep=rep, day=day, deals=quantity,
                                                  types=types, amounts=plan.deal_amounts.get(day))  # fmt: skip
            rng.shuffle(day_entries)  # logged through the day in no fixed order of types
            step = timedelta(minutes=max(3, 540 // max(1, len(day_entries))))
            for entry in day_entries:
                clock += timedelta(seconds=rng.randrange(60, int(step.total_seconds()) + 60))
                entry.created_at = entry.updated_at = clock
                entry._history_date = clock
                entry._history_user = entry.entered_by
            entries += day_entries
    return entries


def _chunks(rng: random.Random, quantity: int) -> list[int]:
    chunks = []
    while quantity > 0:
        chunk = min(quantity, rng.choice(QUICK_CHUNKS) if quantity < 12 or rng.random() < 0.7 else quantity)
        chunks.append(chunk)
        quantity -= chunk
    return chunks


def _entry(rng, *, organization, rep, day, activity_type, quantity, source, entered_by, external_id, topic=None):
    key = activity_type.default_key
    if topic is None:
        topic = rng.choice(TOPICS) if key in TOPIC_TYPES and rng.random() < 0.35 else ""
    return ActivityEntry(
        organization=organization,
        rep=rep,
        date=day,
        activity_type=activity_type,
        quantity=quantity,
        topic=topic,
        contact=rng.choice(CONTACTS) if key in CONTACT_TYPES and rng.random() < 0.4 else "",
        note=rng.choice(NOTES) if rng.random() < 0.08 else "",
        source=source,
        external_id=external_id,
        entered_by=entered_by,
    )


def _deal_outcomes(rng, *, organization, rep, day, deals: int, types: dict, amounts=None) -> list[ActivityEntry]:
    """What a won deal brings, as the rep logs it: revenue (`amounts`, when planned), units, often a new customer."""
    common = {"organization": organization, "rep": rep, "day": day, "source": Source.WEB, "entered_by": rep.user,
              "external_id": None}  # fmt: skip
    outcomes = []
    for deal in range(deals):
        amount = Decimal(amounts[deal] if amounts else rng.randrange(150, 1800) * 100).quantize(Decimal("0.01"))
        outcomes.append(_entry(rng, activity_type=types["revenue"], quantity=amount, **common))
        outcomes.append(_entry(rng, activity_type=types["units_sold"], quantity=Decimal(rng.randint(1, 3)), **common))
        if rng.random() < 0.6:
            outcomes.append(_entry(rng, activity_type=types["new_customers"], quantity=Decimal(1), **common))
    return outcomes
