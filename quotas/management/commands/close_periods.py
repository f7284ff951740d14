"""`python manage.py close_periods [--org SLUG] [--as-of DATE]`: the beat job's close, synchronously."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from quotas.services.close import organization_close_due


class Command(BaseCommand):
    help = "Close every period whose end plus grace has passed (as the nightly job does), without a worker."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organization.")
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            type=date.fromisoformat,
            help="Close what is due at the end of this day in each organization's zone (backfill); default: now.",
        )

    def handle(self, *args, org=None, as_of=None, verbosity=1, **options):
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization with the address {org!r}.")
        total = 0
        for organization in organizations:
            now = datetime.combine(as_of, time(23, 59, 59), tzinfo=organization.zone) if as_of else None
            closed = organization_close_due(organization=organization, now=now)
            for period_close in closed if verbosity >= 1 else ():  # -v 0: only the total
                self.stdout.write(f"{organization.slug}: closed {period_close.period}")
            total += len(closed)
        self.stdout.write(self.style.SUCCESS(f"Closed {total} period(s)."))
