"""Build the demo organization "Nordic Advisors" with its people, 90 days of activity and its quotas, and close its
past periods as the nightly job would have, the managers having followed up the flags of all but the last two
weeks.

Idempotent; `--reset` rebuilds it from scratch. The command lives in `quotas`, the top of the dependency
graph (quotas → activities → accounts), so that it can call every app's demo builder in order.
"""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from activities import demo as activities_demo
from quotas import demo as quotas_demo


class Command(BaseCommand):
    help = (
        "Create the demo organization Nordic Advisors with its people, 90 days of activity, quota plans, "
        "holidays and leave, and close its past periods (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo organization and its users first.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Only seed when the database has no organization at all."
        )

    def handle(self, *args, reset=False, if_empty=False, **options):
        if reset:
            self._delete_demo()
        if if_empty and accounts_demo.other_organizations_exist():
            self.stdout.write("The database already has organizations; not adding the demo.")
            return
        if accounts_demo.demo_organization_get() is not None:
            self.stdout.write("The demo organization already exists (use --reset to rebuild it).")
        else:
            started = time.perf_counter()
            entry_count, quotas = self._create_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo organization {accounts_demo.DEMO_NAME} with {entry_count:,} activity entries, "
                    f"{quotas['plans']} quota plans, {quotas['holidays']} public holidays, {quotas['leave']} "
                    f"approved leaves and {quotas['closed']} closed periods (flags older than two weeks followed "
                    f"up) in {time.perf_counter() - started:.1f} s."
                )
            )
        for line in accounts_demo.demo_logins():
            self.stdout.write(line)

    @transaction.atomic
    def _delete_demo(self):
        organization = accounts_demo.demo_organization_get()
        if organization is not None:
            quotas_demo.demo_quotas_delete(organization=organization)
            activities_demo.demo_activity_delete(organization=organization)
        accounts_demo.demo_organization_delete()

    @transaction.atomic
    def _create_demo(self) -> tuple[int, dict[str, int]]:
        organization = accounts_demo.demo_organization_create()
        entry_count = activities_demo.demo_activity_create(organization=organization)
        quotas = quotas_demo.demo_quotas_create(organization=organization)
        quotas["closed"] = quotas_demo.demo_history_close(organization=organization)
        return entry_count, quotas
