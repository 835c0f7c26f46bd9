"""Exam results to and from files: the import (CSV, XLSX), the template, exports, the ICS invitation.

Files are written by ``ta_portal.tabular`` (which neutralises text a spreadsheet would run as a
formula) and invitations by ``ta_portal.ics``; this module only knows the results' columns.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ta_portal.ics import CalendarEvent
from ta_portal.ics import calendar_file
from ta_portal.tabular import exported
from ta_portal.tabular import write_csv
from ta_portal.uploads import open_xlsx
from ta_portal.uploads import unreadable_workbook_error
from ta_portal.uploads import xlsx_rows

from .columns import FIGURE_COLUMNS
from .models import Enrolment
from .models import TrainingSession
from .results import MAX_ROWS
from .results import ResultInput

IMPORT_MAX_BYTES = 2 * 1024 * 1024
COLUMNS = (
    "person_id",
    "full_name",
    "email",
    "sex",
    "agency",
    "country",
    "pre_form",
    "post_form",
    "pre_score",
    "post_score",
)
IDENTITY_COLUMNS = {"person_id", "full_name", "email"}
RESULT_COLUMNS = {"pre_score", "post_score", "pre_form", "post_form"}


class ImportFileError(Exception):
    """The file cannot be read as a results sheet at all (size, type, columns, empty)."""


# Reading --------------------------------------------------------------------------------------


def _normalise_header(cell) -> str:
    return "_".join(str(cell or "").strip().lower().replace("-", " ").split())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page, cp1252 for Latin American Spanish.
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:  # e.g. a cell longer than the csv module's field limit (128 KiB)
        raise ImportFileError(
            _("This file cannot be read as CSV (line %(line)s).") % {"line": reader.line_num}
        ) from None


# Columns beyond these are not read (the widest results sheet has ten).
XLSX_MAX_COLUMNS = 100


def _xlsx_rows(data: bytes):
    try:
        workbook = open_xlsx(data)
        try:
            if not workbook.worksheets:
                raise unreadable_workbook_error()
            expected = 1
            for number, values in xlsx_rows(workbook.worksheets[0], max_columns=XLSX_MAX_COLUMNS, values_only=True):
                # Rows left out of the sheet are blank lines of the file (line numbers name rows).
                for _line in range(expected, number):
                    yield []
                expected = number + 1
                yield [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
        finally:
            workbook.close()
    except ValidationError as exc:
        raise ImportFileError(" ".join(exc.messages)) from None


def read_results_file(upload) -> list[ResultInput]:
    """Parse an uploaded CSV or XLSX file into rows keyed by their line number in the file."""
    return rows_from_lines(table_lines(upload))


def table_lines(upload):
    """The lines (lists of cells) of an uploaded CSV or XLSX file of at most ``IMPORT_MAX_BYTES``:
    what every results import reads. Raises ``ImportFileError`` for a file too large, empty, of
    another type or unreadable (an XLSX is checked for archive bombs before it is opened)."""
    if upload.size > IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; files of at most %(limit)s MB are accepted.")
            % {"size": upload.size / 1024 / 1024, "limit": IMPORT_MAX_BYTES // 1024 // 1024}
        )
    data = upload.read()
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    name = (upload.name or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _csv_rows(data)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def rows_from_lines(lines) -> list[ResultInput]:
    lines = iter(lines)
    header = None
    line_number = 0
    for line_number, cells in enumerate(lines, start=1):  # noqa: B007 (the header's line number is used below)
        if any(str(c or "").strip() for c in cells):
            header = [_normalise_header(c) for c in cells]
            break
    if header is None:
        raise ImportFileError(_("The file is empty."))
    while header and not header[-1]:
        header.pop()
    _check_header(header)
    rows = []
    for number, cells in enumerate(lines, start=line_number + 1):
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS})
        values = dict(zip(header, cells, strict=False))
        row = ResultInput(key=str(number))
        for column in COLUMNS:
            if column not in header:
                continue
            value = values.get(column)
            if column in RESULT_COLUMNS:
                setattr(row, column, value if value is not None else "")
            elif value is not None:
                setattr(row, column, value if column == "person_id" else str(value).strip())
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return rows


def _check_header(header: list[str]) -> None:
    expected = ", ".join(COLUMNS)
    unknown = [c or _("(empty)") for c in header if c not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(unknown)s. The columns are: %(expected)s.")
            % {"unknown": ", ".join(unknown), "expected": expected}
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ImportFileError(_("Columns appear twice: %(columns)s.") % {"columns": ", ".join(repeated)})
    if not IDENTITY_COLUMNS & set(header):
        raise ImportFileError(_("The file needs a full_name, email or person_id column."))
    if not RESULT_COLUMNS & set(header):
        raise ImportFileError(_("The file needs a pre_score or post_score column."))


# Writing --------------------------------------------------------------------------------------


def template_columns(*, has_forms: bool, n_countries: int) -> list[str]:
    columns = ["person_id", "full_name", "email", "sex", "agency"]
    if n_countries > 1:
        columns.append("country")
    if has_forms:
        columns += ["pre_form", "post_form"]
    return [*columns, "pre_score", "post_score"]


def results_sheet(session: TrainingSession) -> tuple[list[str], list[list]]:
    """The session's participants and scores in the import's columns (the template, and the export)."""
    has_forms = session.exam_forms.exists()
    n_countries = session.countries.count()
    columns = template_columns(has_forms=has_forms, n_countries=n_countries)
    enrolments = (
        Enrolment.objects.filter(session=session)
        .select_related("person", "agency", "pre_form", "post_form")
        .order_by("person__full_name", "pk")
    )
    rows = []
    for e in enrolments:
        values = {
            "person_id": e.person_id,
            "full_name": e.person.full_name,
            "email": e.person.email,
            "sex": e.person.sex,
            "agency": (e.agency.acronym or e.agency.name) if e.agency else "",
            "country": e.person.country_id,
            "pre_form": e.pre_form.code if e.pre_form else "",
            "post_form": e.post_form.code if e.post_form else "",
            "pre_score": e.pre_score,
            "post_score": e.post_score,
        }
        rows.append([values[c] for c in columns])
    return columns, rows


def outcome_csv(summary: dict, agency_names: dict[int, str]) -> bytes:
    """The outcome figures as a tidy table: one line for everyone, then one per sex and per agency.
    Headed by the API's keys, each figure as every export writes it (shares as percentages)."""
    groups = [("all", "", summary)]
    groups += [("sex", sex, figures) for sex, figures in summary["by_sex"].items()]
    groups += [
        ("agency", agency_names.get(agency_id, agency_id), figures)
        for agency_id, figures in summary.get("by_agency", {}).items()
    ]
    header = ["group", "value", *(column.key for column in FIGURE_COLUMNS)]
    lines = [
        [group, value, *(exported(figures[c.key], c.kind) for c in FIGURE_COLUMNS)] for group, value, figures in groups
    ]
    return write_csv(header, lines)


# Calendar -------------------------------------------------------------------------------------


def session_ics(session: TrainingSession) -> bytes:
    """An RFC 5545 invitation: an all-day event over the session's dates."""
    description = [session.get_kind_display(), session.get_modality_display()]
    if session.course:
        description.append(session.course.local_title)
    item = CalendarEvent.all_day(
        "training-session",
        session,
        sequence=int(session.updated_at.timestamp()) % 2_000_000_000,
        location=session.venue,
        description=" · ".join(str(d) for d in description),
        extra={"last-modified": session.updated_at},
    )
    return calendar_file(item, product="Training sessions")
