"""Build the demo organization "Nordic Advisors". Idempotent; `--reset` rebuilds it from scratch."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import Organization, User
from accounts.roles import Role

DEMO_SLUG = "nordic-advisors"
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


class Command(BaseCommand):
    help = "Create the demo organization Nordic Advisors with its people (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo organization and its users first.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Only seed when the database has no organization at all."
        )

    def handle(self, *args, reset=False, if_empty=False, **options):
        if reset:
            self._delete_demo()
        if if_empty and Organization.objects.exclude(slug=DEMO_SLUG).exists():
            self.stdout.write("The database already has organizations; not adding the demo.")
            return
        if Organization.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo organization already exists (use --reset to rebuild it).")
        else:
            self._create_demo()
            self.stdout.write(self.style.SUCCESS("Created the demo organization Nordic Advisors."))
        self._print_logins()

    @transaction.atomic
    def _delete_demo(self):
        Organization.objects.filter(slug=DEMO_SLUG).delete()
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()

    @transaction.atomic
    def _create_demo(self):
        users = [self._user(first, last) for first, last, *_rest in PEOPLE]
        owner = users[0]
        organization = services.organization_create(
            user=owner,
            name="Nordic Advisors",
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

    def _user(self, first_name: str, last_name: str) -> User:
        email = demo_email(first_name)
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for first, last, role, *_rest in PEOPLE:
            if role != Role.REP or first in {"Raj", "Sofia"}:
                self.stdout.write(f"  {role.label:<12} {first + ' ' + last:<16} {demo_email(first)}")
        self.stdout.write(f"  …and {sum(p[2] == Role.REP for p in PEOPLE) - 2} more reps, e.g. oskar@{DEMO_DOMAIN} (probation)")
