"""CSV import of entries: an upload is checked and stored as an ImportBatch, its preview shows every row's
fate, and committing it creates all its entries in one transaction — or none.

Each row is checked by the same rules as an entry logged on the Today page (services.entries), in memory:
reps, types, the external ids already used and the locked dates are loaded once, so 50,000 rows need a
fixed number of queries (plus one per 5,000 external ids).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization
from accounts.roles import Role

from ..models import ActivityType, ImportBatch, Source
from ..selectors import activity_type_list, entry_external_ids_existing, reps_loggable_by
from .entries import EntryData, check_date, clean_quantity, clean_texts, entries_log_many
from .locks import LockedDates, locked_dates

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000

COLUMNS = ("email", "date", "type", "quantity", "note", "topic", "contact", "external_id")
REQUIRED_COLUMNS = ("email", "date", "type", "quantity")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Fate:
    """What committing the batch would do with a row."""

    NEW = "new"
    SKIPPED = "skipped"  # its external_id is already used by an entry of the organization
    ERROR = "error"


@dataclass
class ImportRow:
    line: int  # in the file; the header is line 1
    values: dict[str, str]
    fate: str = Fate.NEW
    errors: list[str] = field(default_factory=list)
    rep: Membership | None = None
    data: EntryData | None = None
    external_id: str | None = None


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    columns: list[str]

    def _count(self, fate: str) -> int:
        return sum(1 for row in self.rows if row.fate == fate)

    @property
    def new_count(self) -> int:
        return self._count(Fate.NEW)

    @property
    def skipped_count(self) -> int:
        return self._count(Fate.SKIPPED)

    @property
    def error_count(self) -> int:
        return self._count(Fate.ERROR)

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0


# --- Reading the file -------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    """UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one). Nothing else."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file is not UTF-8 text. In Excel choose “Save as” → “CSV UTF-8 (comma delimited)”, "
                "in Google Sheets “Download” → “Comma-separated values”, then upload it again."
            )
        ) from None
    if "\x00" in text:
        raise ValidationError(_("This is not a CSV file (it contains binary data). Upload a .csv file."))
    return text


def _separator(header_line: str) -> str:
    """`;` (what Excel writes in Swedish) or `,`: whichever the header line uses."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_csv(content: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's cells and the data rows with their line numbers in the file. Blank lines are skipped."""
    header_line = content.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_separator(header_line), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)s cannot be read as CSV (%(error)s). Check its quotes.")
            % {"line": reader.line_num, "error": error}
        ) from None
    if header is None:
        raise ValidationError(_("The file is empty."))
    return header, rows


def check_columns(header: list[str]) -> list[str]:
    """The column names, lower-case, in the file's order: known, each once, the required ones present."""
    names = [cell.strip().lower() for cell in header]
    problems = []
    unknown = [name or _("(empty)") for name in names if name not in COLUMNS]
    if unknown:
        problems.append(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        problems.append(_("Columns appearing more than once: %(names)s.") % {"names": ", ".join(repeated)})
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append(
            _("Missing columns: %(missing)s. The first line must name the columns, for example: %(example)s")
            % {"missing": ", ".join(missing), "example": ",".join(COLUMNS)}
        )
    if problems:
        raise ValidationError(problems)
    return names


def _ensure_may_import(*, organization: Organization, actor: Membership) -> None:
    if actor.organization_id != organization.pk or not actor.is_active or not actor.has_role_at_least(Role.MANAGER):
        raise PermissionDenied(_("Only managers and admins can import entries."))


@transaction.atomic
def import_batch_create(*, organization: Organization, actor: Membership, upload: UploadedFile) -> ImportBatch:
    """Store an uploaded CSV for its preview, once its size, encoding, header and row count are acceptable."""
    _ensure_may_import(organization=organization, actor=actor)
    if upload.size > MAX_UPLOAD_BYTES:
        size, most = filesizeformat(upload.size), filesizeformat(MAX_UPLOAD_BYTES)
        if size == most:  # just over the limit: "5.0 MB; at most 5.0 MB" would read as a contradiction
            raise ValidationError(_("The file is larger than %(max)s.") % {"max": most})
        raise ValidationError(
            _("The file is %(size)s; at most %(max)s can be uploaded. Split it into smaller files.")
            % {"size": size, "max": most}
        )
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:  # a size the client misreported
        raise ValidationError(_("The file is larger than %(max)s.") % {"max": filesizeformat(MAX_UPLOAD_BYTES)})
    content = _decode(raw)
    header, rows = parse_csv(content)
    check_columns(header)
    if not rows:
        raise ValidationError(_("The file has a header but no rows to import."))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at once. Split it into smaller files.")
            % {
                "rows": number_format(len(rows), force_grouping=True),
                "max": number_format(MAX_ROWS, force_grouping=True),
            }
        )
    return ImportBatch.objects.create(
        organization=organization,
        uploaded_by=actor,
        filename=(upload.name or "import.csv")[-255:],
        content=content,
        row_count=len(rows),
    )


# --- Checking every row -------------------------------------------------------------------------------------


def _type_lookup(types: list[ActivityType]) -> dict[str, ActivityType]:
    """Types by lower-case name and by default key ("outbound_calls"); active types win over archived ones."""
    lookup: dict[str, ActivityType] = {}
    for activity_type in sorted(types, key=lambda t: not t.is_archived):
        if activity_type.default_key:
            lookup[activity_type.default_key.lower()] = activity_type
    for activity_type in sorted(types, key=lambda t: not t.is_archived):
        lookup[activity_type.name.strip().lower()] = activity_type
    return lookup


def _parse_date(value: str) -> date | None:
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _messages(error: ValidationError) -> list[str]:
    """A service's refusal as sentences naming the column: "quantity: Enter a whole number from 1 to 10,000." """
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    return error.messages


@dataclass
class _Context:
    """What every row is checked against, loaded once per check."""

    organization: Organization
    actor: Membership
    reps: dict[str, Membership]
    types: dict[str, ActivityType]
    existing_ids: set[str]
    locked: LockedDates
    today: date


def _check_row(row: ImportRow, *, context: _Context, first_line_of: dict[str, int]) -> None:
    values = row.values
    external_id = values.get("external_id", "").strip()
    if external_id:
        if external_id in first_line_of:
            row.errors.append(
                _("external_id “%(id)s” is also on line %(line)s: each row needs its own.")
                % {"id": external_id, "line": first_line_of[external_id]}
            )
            return
        first_line_of[external_id] = row.line
        row.external_id = external_id
        if external_id in context.existing_ids:
            row.fate = Fate.SKIPPED  # imported before: its content is not used again
            return

    email = values["email"].strip().lower()
    rep = context.reps.get(email)
    if rep is None:
        row.errors.append(
            _("email: unknown sales rep “%(email)s” (not an active rep you may log for).") % {"email": values["email"]}
            if email
            else _("email: missing.")
        )
    type_name = values["type"].strip()
    activity_type = context.types.get(type_name.lower())
    if activity_type is None:
        row.errors.append(
            _("type: unknown activity type “%(type)s”.") % {"type": type_name} if type_name else _("type: missing.")
        )
    elif activity_type.is_archived:
        row.errors.append(_("type: “%(type)s” is archived.") % {"type": activity_type.name})
        activity_type = None
    day = _parse_date(values["date"].strip())
    if day is None:
        row.errors.append(
            _("date: “%(date)s” is not a date written YYYY-MM-DD.") % {"date": values["date"]}
            if values["date"].strip()
            else _("date: missing.")
        )
    if activity_type is not None:
        try:
            clean_quantity(activity_type=activity_type, quantity=values["quantity"])
        except ValidationError as error:
            row.errors.extend(_messages(error))
    if rep is not None and day is not None:
        try:
            check_date(organization=context.organization, rep=rep, day=day, today=context.today, locked=context.locked)
        except ValidationError as error:
            row.errors.extend(_messages(error))
    texts = {"note": values.get("note", ""), "topic": values.get("topic", ""), "contact": values.get("contact", "")}
    try:
        clean_texts(**texts, external_id=row.external_id)
    except ValidationError as error:
        row.errors.extend(_messages(error))
    if not row.errors:
        row.rep = rep
        row.data = EntryData(activity_type=activity_type, date=day, quantity=values["quantity"], **texts)


def import_batch_check(*, organization: Organization, actor: Membership, batch: ImportBatch) -> ImportCheck:
    """Every row's fate: will be imported, already imported (skipped), or its errors. Writes nothing."""
    _ensure_may_import(organization=organization, actor=actor)
    if batch.organization_id != organization.pk:
        raise ValidationError(_("That import does not exist."))
    header, raw_rows = parse_csv(batch.content)
    columns = check_columns(header)
    rows: list[ImportRow] = []
    for line, cells in raw_rows:
        if len(cells) != len(columns):
            row = ImportRow(line=line, values=dict(zip(columns, cells, strict=False)))
            row.errors.append(
                _("The line has %(found)s values; the header has %(expected)s columns.")
                % {"found": len(cells), "expected": len(columns)}
            )
        else:
            row = ImportRow(line=line, values=dict(zip(columns, cells, strict=True)))
        rows.append(row)

    days = [day for row in rows if not row.errors and (day := _parse_date(row.values["date"].strip()))]
    external_ids = {row.values.get("external_id", "").strip() for row in rows if not row.errors} - {""}
    context = _Context(
        organization=organization,
        actor=actor,
        reps={rep.user.email.lower(): rep for rep in reps_loggable_by(organization=organization, actor=actor)},
        types=_type_lookup(list(activity_type_list(organization=organization, include_archived=True))),
        existing_ids=entry_external_ids_existing(organization=organization, external_ids=sorted(external_ids)),
        locked=locked_dates(organization=organization, start=min(days), end=max(days)) if days else LockedDates([]),
        today=organization.local_today(),
    )
    first_line_of: dict[str, int] = {}
    for row in rows:
        if not row.errors:
            _check_row(row, context=context, first_line_of=first_line_of)
        if row.errors:
            row.fate = Fate.ERROR
    return ImportCheck(rows=rows, columns=columns)


# --- Importing ----------------------------------------------------------------------------------------------


def import_batch_commit(*, organization: Organization, actor: Membership, batch: ImportBatch) -> int:
    """Check the batch again and create all its new entries in one transaction: all of them, or none.

    A batch commits once: a second attempt (even at the same moment, in another process) changes nothing.
    Returns how many entries were created.
    """
    _ensure_may_import(organization=organization, actor=actor)
    with transaction.atomic():
        # Claiming the batch first makes a concurrent second commit wait here, then find it taken.
        claimed = ImportBatch.objects.filter(
            organization=organization, pk=batch.pk, uploaded_by=actor, committed_at__isnull=True
        ).update(committed_at=timezone.now())
        if not claimed:
            raise ValidationError(_("This file was already imported. Nothing was imported again."))
        check = import_batch_check(organization=organization, actor=actor, batch=batch)
        if not check.is_valid:
            raise ValidationError(
                ngettext(
                    "%(count)s row has errors, so nothing was imported. Fix it and upload the file again.",
                    "%(count)s rows have errors, so nothing was imported. Fix them and upload the file again.",
                    check.error_count,
                )
                % {"count": number_format(check.error_count, force_grouping=True)}
            )
        if not check.new_count:
            raise ValidationError(_("Every row of this file was imported before: there is nothing new to import."))
        entries = entries_log_many(
            organization=organization,
            actor=actor,
            rows=[(row.rep, row.data, row.external_id) for row in check.rows if row.fate == Fate.NEW],
            source=Source.IMPORT,
        )
        # The file is not needed any more: only its outcome is kept.
        ImportBatch.objects.filter(pk=batch.pk).update(entry_count=len(entries), content="")
    batch.refresh_from_db()
    return len(entries)
