"""The demo organization "Nordic Advisors": its people, teams and memberships.

Used by `python manage.py seed_demo` (quotas/management/commands/seed_demo.py), which adds each app's demo
data on top (activities/demo.py for the activity). Dates are relative to the organization's today.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import services
from .models import Organization, User
from .roles import Role

DEMO_SLUG = "nordic-advisors"
DEMO_NAME = "Nordic Advisors"
DEMO_PASSWORD = "salesquota-demo"
DEMO_DOMAIN = "nordic-advisors.example"

TEAMS = ["Stockholm", "Göteborg"]
# (first name, last name, role, team index or None, days since start, probation days left or None, FTE %)
PEOPLE = [
    ("Ingrid", "Berg", Role.OWNER, None, 2000, None, 100),
    ("Anders", "Lund", Role.ADMIN, None, 1500, None, 100),
    ("Maria", "Holm", Role.MANAGER, 0, 1200, None, 100),
    ("Erik", "Sandberg", Role.MANAGER, 1, 900, None, 100),
    ("Hanna", "Ek", Role.HR, None, 800, None, 100),
    ("Raj", "Patel", Role.REP, 0, 400, None, 100),
    ("Sofia", "Nilsson", Role.REP, 0, 60, 120, 100),
    ("Johan", "Larsson", Role.REP, 0, 700, None, 100),
    ("Emma", "Karlsson", Role.REP, 0, 500, None, 80),
    ("Lars", "Andersson", Role.REP, 0, 300, None, 100),
    ("Fatima", "Hassan", Role.REP, 0, 250, None, 100),
    ("Oskar", "Lind", Role.REP, 1, 45, 135, 100),
    ("Elin", "Svensson", Role.REP, 1, 650, None, 100),
    ("Mikael", "Persson", Role.REP, 1, 420, None, 100),
    ("Sara", "Johansson", Role.REP, 1, 380, None, 60),
    ("Ahmed", "Ali", Role.REP, 1, 520, None, 100),
    ("Karin", "Gustafsson", Role.REP, 1, 210, None, 100),
]


def demo_email(first_name: str) -> str:
    return f"{first_name.lower()}@{DEMO_DOMAIN}"


def demo_organization_get() -> Organization | None:
    return Organization.objects.filter(slug=DEMO_SLUG).first()


def other_organizations_exist() -> bool:
    """Whether the database holds real organizations (then `--if-empty` adds no demo)."""
    return Organization.objects.exclude(slug=DEMO_SLUG).exists()


@transaction.atomic
def demo_organization_delete() -> None:
    """Delete the demo organization and its users. Other apps delete their demo rows first."""
    Organization.objects.filter(slug=DEMO_SLUG).delete()
    User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()


@transaction.atomic
def demo_organization_create() -> Organization:
    """The organization (with its default activity types), its users, teams and memberships."""
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: a slow hash 17 times is seconds
    users = [_user(first, last, password_hash) for first, last, *_rest in PEOPLE]
    organization = services.organization_create(
        user=users[0],  # the owner
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        time_zone="Europe/Stockholm",
        week_start=0,
        fiscal_year_start_month=1,
        language="en",
        currency="SEK",
    )
    teams = [services.team_create(organization=organization, name=name) for name in TEAMS]
    today = organization.local_today()
    for user, (_first, _last, role, team_index, days_employed, probation_days_left, fte) in zip(users, PEOPLE):
        if role == Role.OWNER:
            continue
        services.membership_add(
            organization=organization,
            user=user,
            role=role,
            team=teams[team_index] if team_index is not None else None,
            employment_start=today - timedelta(days=days_employed),
            probation_end=today + timedelta(days=probation_days_left) if probation_days_left else None,
            fte_percent=fte,
        )
    return organization


def _user(first_name: str, last_name: str, password_hash: str) -> User:
    email = demo_email(first_name)
    user = User.objects.create(email=email, password=password_hash, first_name=first_name, last_name=last_name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def demo_logins() -> list[str]:
    """The lines the command prints: a login per role, and a hint at the other reps."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for first, last, role, *_rest in PEOPLE:
        if role != Role.REP or first in {"Raj", "Sofia"}:
            lines.append(f"  {role.label:<12} {first + ' ' + last:<16} {demo_email(first)}")
    other_reps = sum(person[2] == Role.REP for person in PEOPLE) - 2
    lines.append(f"  …and {other_reps} more reps, e.g. oskar@{DEMO_DOMAIN} (probation)")
    return lines
