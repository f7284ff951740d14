"""Two organizations whose every free-text field holds a chosen text, and helpers to read what a response shows.

The canary test (tests/test_canary.py) puts distinctive strings in one organization and looks for them in
everything the other one sees; the XSS test (tests/test_xss.py) puts script and spreadsheet-formula payloads in
them and checks they are escaped or neutralised wherever they show. Both build the same world here, once per
test module (`module_world`): the data comes from the services, as the pages would write it, in a transaction
that is rolled back when the module is done. "Now" is frozen at Wednesday 2026-11-25 09:00 in Stockholm.
"""

import csv
import io
import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Membership, User
from accounts.roles import Role, role_at_least
from accounts.selectors import invitation_token
from accounts.services import invitation_create, organization_update, team_update
from activities.models import ActivityEntry
from activities.services.entries import EntryData, entry_log
from activities.services.imports import import_batch_create
from activities.services.tokens import api_token_create
from activities.services.types import activity_type_create
from quotas.models import Flag, FlagKind, Period
from quotas.services.calendar import holiday_create, leave_create, quota_settings_update
from quotas.services.close import period_close
from quotas.services.corrections import correction_request
from quotas.services.flags import flag_acknowledge, flag_comment_create
from quotas.services.notifications import close_failed_alert_send, reminders_send
from quotas.services.periods import periods_ensure
from quotas.services.plans import LineData, quota_plan_create
from quotas.services.probation import probation_decide

from .conftest import build_organization
from .factories import MembershipFactory
from .tenant_urls import tenant_routes

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday, 09:00 in Stockholm
TODAY = date(2026, 11, 25)
LAST_WEEK = date(2026, 11, 16)  # Mon 16 – Sun 22 Nov: closed
EMPLOYED_FROM = date(2026, 10, 5)  # the rep's first day; in probation until PROBATION_END
PROBATION_END = date(2027, 1, 31)

# Every free text a member can write, by the name the tests use for it.
FIELDS = (
    "organization",  # the organization's name
    "team",  # a team's name
    "first_name",  # the rep's first name
    "last_name",  # the rep's last name
    "activity_type",  # an activity type's name
    "plan",  # a quota plan's name
    "plan_note",  # what changed in a plan version
    "note",  # an entry's note
    "topic",  # an entry's topic (stored lower-case), also the plan line's topic
    "contact",  # an entry's contact
    "flag_comment",  # the manager's comment when acknowledging a flag
    "flag_reply",  # the rep's reply on a flag
    "leave_reason",  # a leave request's reason
    "holiday",  # a company holiday's name
    "correction_reason",  # a correction request's reason
    "probation_notes",  # HR's notes on a probation decision
    "token",  # an API token's name
)


@contextmanager
def frozen_now():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield NOW


@contextmanager
def module_world(django_db_blocker, build):
    """Run `build()` once, inside a transaction that stays open (each test runs in a savepoint within it) and is
    rolled back at the end; "now" stays frozen meanwhile. Yields what `build` returned."""
    with frozen_now(), django_db_blocker.unblock():
        # The test database exists only when a test of the session asks for `db`: never write to another one.
        assert "test" in connection.settings_dict["NAME"], "mark the module's tests with pytest.mark.django_db"
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def build_world(texts_a: dict[str, str], texts_b: dict[str, str], *, older_entries: int = 0) -> SimpleNamespace:
    """Organizations a ("alpha") and b ("beta"), each filled by `fill` with its texts (and `older_entries` more
    entries with them, for a second page of activity), closed last week with notifications e-mailed, reminders
    and a close-failure alert sent. `world.outbox` keeps every e-mail."""
    mail.outbox = []
    world = SimpleNamespace(
        a=fill(build_organization("Alpha Advisors", "alpha"), texts_a, older_entries=older_entries),
        b=fill(build_organization("Beta Brokers", "beta"), texts_b, older_entries=older_entries),
    )
    for org in (world.a, world.b):
        close_last_week(org)
        after_close(org)
    # The 16:00 reminders (the quiet reps logged nothing today) and an alert about a close that failed.
    reminders_send(now=NOW + timedelta(hours=8))
    for org in (world.a, world.b):
        close_failed_alert_send(period_id=org.this_week.pk, attempts=3, stopped_at=1)
    world.outbox = list(mail.outbox)
    return world


def fill(org: SimpleNamespace, texts: dict[str, str], *, older_entries: int = 0) -> SimpleNamespace:
    """Everything before the close: names, a plan, entries, leave, a holiday, an import, tokens, settings."""
    organization = org.organization
    org.texts = texts
    organization_update(organization=organization, actor=org.owner, name=texts["organization"])
    User.objects.filter(pk=org.rep.user_id).update(first_name=texts["first_name"], last_name=texts["last_name"])
    Membership.objects.filter(pk=org.rep.pk).update(employment_start=EMPLOYED_FROM, probation_end=PROBATION_END)
    org.rep.refresh_from_db()
    org.rep.user.refresh_from_db()
    ActivityEntry.objects.filter(rep=org.rep).delete()  # the shared world's entry: dated today, without texts
    # A second rep who logs nothing: reminded at 16:00, and a second row on the dashboards.
    org.quiet = MembershipFactory(
        organization=organization, role=Role.REP, team=org.team, employment_start=date(2020, 1, 1),
        user__email=f"quiet@{org.slug}.example", user__first_name="Quinn", user__last_name="Quiet",
    )  # fmt: skip
    team_update(organization=organization, team=org.team, name=texts["team"], managers=[org.manager],
                reps=[org.rep, org.quiet])  # fmt: skip
    org.type = activity_type_create(organization=organization, name=texts["activity_type"], unit_label="visits",
                                    points=Decimal(2))  # fmt: skip
    quota_settings_update(organization=organization, actor=org.admin, working_weekdays=range(5),
                          exceeded_tier_percent=120, reminder_enabled=True, leaderboard_enabled=True)  # fmt: skip

    org.plan = quota_plan_create(
        organization=organization, actor=org.admin, name=texts["plan"], period_kind="week", scope="organization",
        lines=[LineData(activity_type=org.type, target=Decimal(5), topic=texts["topic"]),
               LineData(activity_type=org.types["outbound_calls"], target=Decimal(50))],
        note=texts["plan_note"],
    )  # fmt: skip
    org.plan.versions.update(effective_from=date(2026, 11, 2))  # applied to closed weeks (a service never back-dates)
    periods_ensure(organization=organization, start=date(2026, 11, 2), end=date(2026, 11, 29), kinds=["week"])
    periods = {p.start: p for p in Period.objects.filter(organization=organization, kind="week")}
    org.last_week, org.this_week = periods[LAST_WEEK], periods[date(2026, 11, 23)]

    # Entries with every text: last week (closed below), today, and older ones (two a day from the first).
    def log(day, activity_type, quantity, **text):
        return entry_log(organization=organization, actor=org.rep, rep=org.rep,
                         data=EntryData(activity_type=activity_type, date=day, quantity=quantity, **text))  # fmt: skip

    all_texts = {"note": texts["note"], "topic": texts["topic"], "contact": texts["contact"]}
    org.entry = log(LAST_WEEK + timedelta(days=1), org.type, 2, **all_texts)
    log(LAST_WEEK + timedelta(days=2), org.types["outbound_calls"], 10, note=texts["note"])
    org.today_entry = log(TODAY, org.type, 1, **all_texts)
    ActivityEntry.objects.bulk_create(
        ActivityEntry(organization=organization, rep=org.rep, activity_type=org.types["outbound_calls"], quantity=1,
                      date=EMPLOYED_FROM + timedelta(days=index // 2), entered_by=org.rep.user, **all_texts)
        for index in range(older_entries)
    )  # fmt: skip

    # Leave taken last week (entered by the manager: approved) and a request for December; a company holiday.
    leave_create(organization=organization, actor=org.manager, rep=org.rep, start=LAST_WEEK + timedelta(days=3),
                 end=LAST_WEEK + timedelta(days=3), reason=texts["leave_reason"])  # fmt: skip
    org.leave = leave_create(organization=organization, actor=org.rep, rep=org.rep, start=date(2026, 12, 7),
                             end=date(2026, 12, 8), reason=texts["leave_reason"])  # fmt: skip
    org.holiday = holiday_create(organization=organization, actor=org.admin, day=date(2026, 12, 9),
                                 name=texts["holiday"])  # fmt: skip

    # An uploaded CSV waiting for its preview, tokens, an invitation e-mailed to someone of the team.
    csv_text = (
        "email,date,type,quantity,note,topic,contact\n"
        + ",".join(_csv_cell(v) for v in [org.rep.user.email, "2026-11-24", "outbound_calls", "1", texts["note"],
                                          texts["topic"], texts["contact"]])  # fmt: skip
        + "\n"
    )
    org.import_batch = import_batch_create(
        organization=organization, actor=org.manager, upload=SimpleUploadedFile("week.csv", csv_text.encode())
    )
    org.token, org.rep_secret = api_token_create(organization=organization, membership=org.rep, name=texts["token"])
    org.owner_token, org.owner_secret = api_token_create(organization=organization, membership=org.owner, name="Read")
    with TestCase.captureOnCommitCallbacks(execute=True):
        org.invitation = invitation_create(
            organization=organization, invited_by=org.admin.user, email=f"newcomer@{org.slug}.example",
            role=Role.REP, team=org.team,
        )  # fmt: skip
    return org


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def close_last_week(org: SimpleNamespace) -> None:
    """The close (its notifications e-mailed after commit, as the task does)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        period_close(organization=org.organization, period=org.last_week)


def after_close(org: SimpleNamespace) -> None:
    """Flag comments, a correction request and a probation decision: texts written about the closed week."""
    organization = org.organization
    flags = list(Flag.objects.filter(rep=org.rep, kind=FlagKind.BELOW_MINIMUM).order_by("pk"))
    assert len(flags) >= 2, "the rep is below the minimum of both lines"
    org.flag = flags[0]
    flag_acknowledge(organization=organization, actor=org.manager, flag=flags[0], comment=org.texts["flag_comment"])
    flag_comment_create(organization=organization, actor=org.rep, flag=flags[1], body=org.texts["flag_reply"])
    org.open_flag = flags[1]
    org.correction = correction_request(organization=organization, actor=org.rep, entry=org.entry, quantity=3,
                                        reason=org.texts["correction_reason"])  # fmt: skip
    org.decision = probation_decide(organization=organization, actor=org.hr, rep=org.rep, decision="extend",
                                    new_end=date(2027, 2, 26), notes=org.texts["probation_notes"])  # fmt: skip


# URLs of an organization --------------------------------------------------------------------------------------

# An object of the organization for each URL kwarg (the same kwargs as tests/accounts/test_isolation.py).
OBJECT_FOR_KWARG = {
    "member_pk": lambda org: org.rep.pk,
    "team_pk": lambda org: org.team.pk,
    "invitation_pk": lambda org: org.invitation.pk,
    "entry_pk": lambda org: org.entry.pk,
    "type_pk": lambda org: org.type.pk,
    "batch_pk": lambda org: org.import_batch.pk,
    "token_pk": lambda org: org.token.pk,
    "holiday_pk": lambda org: org.holiday.pk,
    "leave_pk": lambda org: org.leave.pk,
    "plan_pk": lambda org: org.plan.pk,
    "flag_pk": lambda org: org.flag.pk,
    "correction_pk": lambda org: org.correction.pk,
    "period_pk": lambda org: org.last_week.pk,
    "rep_pk": lambda org: org.rep.pk,
}


def readable_routes():
    """Every tenant URL that answers GET (pages, forms, downloads)."""
    return [
        route
        for route in tenant_routes()
        if route.view_class is not None
        and "get" in route.view_class.http_method_names
        and hasattr(route.view_class, "get")
    ]


# Besides the navigation's pages: the landing page and the pages of one object that the main pages link to.
MAIN_OBJECT_PAGES = {
    "accounts:organization-home", "accounts:team-detail", "activities:entry-detail", "activities:import-detail",
    "quotas:rep-detail", "quotas:plan-detail", "quotas:flag-detail", "quotas:probation-report",
}  # fmt: skip


def main_routes(role: str):
    """The pages a member of `role` works with: the navigation's entries and the object pages they lead to,
    those the role may open."""
    names = {entry[1] for setting in settings.ORGANIZATION_NAVIGATION for entry in import_string(setting)}
    return [
        route
        for route in readable_routes()
        if route.name in names | MAIN_OBJECT_PAGES and role_at_least(role, route.view_class.required_role)
    ]


def account_urls(org) -> list[str]:
    """The signed-in pages outside the organizations: the organization chooser, the account's pages, and the
    organization's invitation link."""
    names = ["home", "account_email", "account_change_password", "mfa_index", "accounts:language-update",
             "accounts:organization-create"]  # fmt: skip
    invitation = reverse("invitation-accept", kwargs={"token": invitation_token(invitation=org.invitation)})
    return [reverse(name) for name in names] + [invitation]


def route_url(route, org) -> str:
    kwargs = {"org_slug": org.slug, **{name: OBJECT_FOR_KWARG[name](org) for name in route.kwargs}}
    return reverse(route.name, kwargs=kwargs)


# What a response shows ------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_cells(content: bytes) -> list:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def response_text(response) -> str:
    """Everything a response shows as text: a page, JSON, a CSV, every cell of an XLSX, a PDF's text, and where
    a redirect points."""
    content = body_bytes(response)
    kind = response.get("Content-Type", "")
    if kind.startswith(XLSX):
        text = "\n".join(str(cell.value) for cell in xlsx_cells(content) if cell.value is not None)
    elif kind.startswith("application/pdf"):
        text = pdf_text(content)
    else:
        text = content.decode("utf-8-sig", errors="replace")
    return text + "\n" + response.get("Location", "")


def is_download(response) -> bool:
    return response.get("Content-Type", "").split(";")[0] in (XLSX, "text/csv", "application/pdf")


# Variants of a page: the links it offers and what its filters can ask ------------------------------------------

HREF = re.compile(r"""href=["']([^"']*)["']""")
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
SELECT = re.compile(r"""<select\b[^>]*\bname=["']([^"']+)["'][^>]*>(.*?)</select>""", re.S | re.I)
OPTION_VALUE = re.compile(r"""<option\b[^>]*\bvalue=["']([^"']*)["']""", re.I)
TEXT_INPUT = re.compile(r"""<input\b(?=[^>]*\btype=["'](?:text|search)["'])[^>]*\bname=["']([^"']+)["']""", re.I)
METHOD_POST = re.compile(r"""\bmethod=["']post["']""", re.I)


def same_page_links(html: str, path: str) -> list[str]:
    """The links of a page back to itself with a query: sorting, pages, tabs, exports, filter shortcuts."""
    urls = []
    for href in HREF.findall(html):
        href = unescape(href)
        parts = urlsplit(href)
        if parts.query and (parts.path in ("", path)) and not parts.netloc:
            urls.append(f"{path}?{parts.query}")
    return urls


def get_form_fields(html: str) -> tuple[dict[str, list[str]], list[str]]:
    """The GET forms' selects (name → option values) and text inputs (names)."""
    selects: dict[str, list[str]] = {}
    texts: list[str] = []
    for attrs, body in FORM.findall(html):
        if METHOD_POST.search(attrs):
            continue
        for name, options in SELECT.findall(body):
            selects.setdefault(name, []).extend(unescape(v) for v in OPTION_VALUE.findall(options) if v)
        texts += TEXT_INPUT.findall(body)
    return selects, texts


def with_query(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}"


def query_names(urls: list[str]) -> set[str]:
    return {name for url in urls for name, _value in parse_qsl(urlsplit(url).query)}
