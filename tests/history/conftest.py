"""Workbooks built for the tests, and the import run as the command line runs it (at once)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from history import services
from history.exporter import write_history_workbook
from history.models import HistoryImport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "history.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def workbook(**sheets) -> bytes:
    """A history workbook with these rows (lists of dicts by column name; missing columns blank)."""
    return write_history_workbook(sheets)


def run(user, data: bytes, *, dry_run: bool = False) -> HistoryImport:
    return services.import_create(user=user, upload=upload(data), dry_run=dry_run, run_now=True)


def errors_of(result: HistoryImport) -> set[tuple]:
    return {(e["sheet"], e["row"], e["column"], e["message"]) for e in result.errors}


def cells(data: bytes) -> dict[str, list[list]]:
    """Every sheet of a workbook as lists of values (the header first)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


# A small programme of Peru, one row (at least) of every sheet.
ENGAGEMENT = {
    "ref": "E1",
    "country": "PE",
    "title": "Precursor control 2011–2016",
    "start_date": date(2011, 3, 1),
    "end_date": date(2016, 12, 15),
    "phase": "follow_up",
    "phase_changed_on": date(2012, 2, 1),
}
ASSESSMENT = {
    "ref": "A1",
    "engagement": "E1",
    "title": "National assessment 2011",
    "start_date": date(2011, 4, 4),
    "end_date": date(2011, 6, 30),
    "status": "in_review",
}
MEASURE = {
    "ref": "M1",
    "engagement": "E1",
    "title": "Adopt an inspection plan",
    "priority": "high",
    "agreed_on": date(2011, 9, 15),
    "due_date": date(2012, 9, 15),
}
ROUND = {"ref": "R1", "engagement": "E1", "opened_on": date(2012, 3, 1), "due_date": date(2012, 3, 31)}
UPDATE = {
    "round": "R1",
    "measure": "M1",
    "status": "in_progress",
    "progress_pct": 40,
    "narrative": "Drafted.",
    "submitted_on": date(2012, 3, 20),
    "verified_status": "in_progress",
    "verified_on": date(2012, 4, 2),
}


def small(**changes) -> dict[str, list[dict]]:
    """The small programme, a sheet replaced where ``changes`` says."""
    sheets = {
        "engagements": [ENGAGEMENT],
        "assessments": [ASSESSMENT],
        "scores": [{"assessment": "A1", "dimension": "legal", "level": 2, "rationale": "Old law."}],
        "measures": [MEASURE],
        "rounds": [ROUND],
        "updates": [UPDATE],
    }
    sheets.update(changes)
    return sheets


@pytest.fixture
def manager(world):
    """The manager of Peru (``world.own``); Colombia (``world.other``) is outside their scope."""
    return world.users["manager"]
