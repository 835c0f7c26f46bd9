"""Reading a workbook safely: what is not a workbook is refused at the door; formulas, bombs, empty
and damaged files, huge blank sheets, too many rows, missing and unknown columns and sheets each
get a clear answer, and nothing is saved."""

import io
import re
import time
import tracemalloc
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from engagements.models import Engagement
from followups.demo import tiny_pdf
from history import services
from history import spec
from history.models import HistoryImport
from tests.followups.factories import docx_bytes
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import errors_of
from tests.history.conftest import run
from tests.history.conftest import upload
from tests.history.conftest import workbook


def created(title: str = ENGAGEMENT["title"]) -> bool:
    return Engagement.objects.filter(title=title).exists()


def refused(user, data: bytes, name: str = "history.xlsx") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        services.import_create(user=user, upload=upload(data, name), dry_run=True, run_now=True)
    assert set(caught.value.message_dict) == {"file"}
    assert not HistoryImport.objects.exists()
    return caught.value.message_dict["file"]


def plain_workbook(sheets: dict[str, list[list]]) -> bytes:
    """A workbook written cell by cell, as a spreadsheet program would (formulas stay formulas)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ENGAGEMENT_HEADER = spec.ENGAGEMENTS.column_names
ENGAGEMENT_ROW = [ENGAGEMENT.get(name) for name in ENGAGEMENT_HEADER]


def test_the_workbook_is_stored_privately_with_its_checksum(manager):
    data = workbook(engagements=[ENGAGEMENT])
    result = run(manager, data, dry_run=True)
    assert result.file_name == "history.xlsx" and result.size == len(data)
    assert re.fullmatch(r"history/imports/[0-9a-f]{32}\.xlsx", result.file.name)
    with result.file.open("rb") as stored:
        assert stored.read() == data
    assert len(result.sha256) == 64


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "history.xlsx", "“history.xlsx” is empty."),
        (tiny_pdf("minutes"), "history.xlsx", "is not an Excel workbook (.xlsx)"),
        (docx_bytes(), "history.xlsx", "is not an Excel workbook (.xlsx)"),
        (b"ref,country\nE1,PE\n", "history.xlsx", "is not an Excel workbook (.xlsx)"),
        (None, "history.csv", "rename it to .xlsx"),
    ],
)
def test_what_is_not_a_workbook_is_refused_by_its_content(manager, content, name, expected):
    data = workbook(engagements=[ENGAGEMENT]) if content is None else content
    messages = refused(manager, data, name)
    assert expected in " ".join(messages)


def test_a_file_over_the_size_limit_is_refused(manager, settings):
    settings.HISTORY_IMPORT_MAX_BYTES = 1000
    messages = refused(manager, workbook(engagements=[ENGAGEMENT]))
    assert "files may be at most" in messages[0]


def _bomb() -> bytes:
    """A workbook whose shared strings inflate to about 300 MB from a few hundred KB."""
    source = zipfile.ZipFile(io.BytesIO(plain_workbook({"engagements": [ENGAGEMENT_HEADER]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                archive.writestr(item.filename, source.read(item.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(300):
                member.write(b"A" * (1 << 20))
            member.write(b"</t></si></sst>")
    return out.getvalue()


def test_an_archive_bomb_is_refused_without_inflating_it(manager):
    bomb = _bomb()
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        messages = refused(manager, bomb)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "archive bomb" in messages[0]
    assert peak < 64 * 1024 * 1024


def test_a_formula_is_an_error_on_its_cell(manager):
    data = plain_workbook(
        {
            "engagements": [
                ENGAGEMENT_HEADER,
                [*ENGAGEMENT_ROW[:2], '=CONCAT("Precursor ", "control")', *ENGAGEMENT_ROW[3:]],
            ]
        }
    )
    result = run(manager, data)
    assert errors_of(result) == {
        (
            "engagements",
            2,
            "title",
            "This cell holds a formula: paste its value instead (copy, then paste values only).",
        )
    }
    assert not Engagement.objects.filter(country_id="PE", start_date=date(2011, 3, 1)).exists()


def test_a_workbook_without_rows_or_without_history_sheets_is_an_error(manager):
    empty = run(manager, plain_workbook({"engagements": [ENGAGEMENT_HEADER], "rounds": []}))
    assert errors_of(empty) == {("", None, "", "The workbook has no rows to import.")}
    other = run(manager, plain_workbook({"Sheet1": [["name"], ["Ana"]]}))
    assert [e["message"] for e in other.errors] == [
        "The workbook has none of the sheets of a history workbook "
        "(engagements, assessments, scores, measures, rounds, updates)."
    ]


def test_a_damaged_workbook_is_an_error_not_a_failure(manager):
    source = zipfile.ZipFile(io.BytesIO(workbook(engagements=[ENGAGEMENT])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            archive.writestr(item.filename, data)
    result = run(manager, out.getvalue())
    assert result.status == "done"
    assert errors_of(result) == {("", None, "", "This file cannot be read as an XLSX workbook.")}


def _with_blank_rows(data: bytes, sheet_file: str, blank_rows: int) -> bytes:
    """The workbook with ``blank_rows`` rows of empty formatted cells after the data, a blank cell in
    the last row Excel has, and a declared size of a whole sheet (A1:XFD1048576)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == sheet_file:
                text = content.decode()
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', text)
                # Formatted cells without values, a cell of spaces now and then, the last column.
                blank = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/><c r="H{n}" s="0"/>'
                    + (f'<c r="B{n}" t="inlineStr"><is><t>  </t></is></c>' if n % 10 == 0 else "")
                    + f'<c r="XFD{n}"/></row>'
                    for n in range(10, 10 + blank_rows)
                )
                text = text.replace("</sheetData>", f'{blank}<row r="1048576"><c r="A1048576"/></row></sheetData>')
                content = text.encode()
            archive.writestr(item.filename, content)
    return out.getvalue()


def test_a_hundred_thousand_blank_rows_are_skipped_cheaply(manager):
    # given: a real row, then 100 000 blank rows in a sheet that claims a million rows of 16 384 columns
    data = _with_blank_rows(workbook(engagements=[ENGAGEMENT]), "xl/worksheets/sheet1.xml", 100_000)
    assert len(data) < 20 * 1024 * 1024

    # when
    started = time.perf_counter()
    result = run(manager, data)
    seconds = time.perf_counter() - started

    # then: imported, no error, and neither the blank rows nor the declared size cost much (a
    # reader that made the rows and columns the sheet claims would not finish in hours)
    assert (result.errors, result.summary["engagements"]["created"]) == ([], 1)
    assert result.rows_total == 1
    assert created()
    assert seconds < 60


def test_too_many_rows_are_refused_before_anything_is_checked(manager, monkeypatch):
    monkeypatch.setattr(spec, "MAX_ROWS", 3)
    rows = [{**ENGAGEMENT, "ref": f"E{n}"} for n in range(4)]
    result = run(manager, workbook(engagements=rows))
    assert errors_of(result) == {("", None, "", "The file has more than 3 rows; split it.")}
    assert not created()


def test_columns_in_any_order_unknown_columns_and_sheets_are_ignored(manager):
    header = ["comment", *reversed(ENGAGEMENT_HEADER)]
    row = ["kept in the file only", *reversed(ENGAGEMENT_ROW)]
    data = plain_workbook({"Notes": [["anything"]], "Engagements": [header, row], "budget": [["x"], [1]]})
    result = run(manager, data)
    assert (result.errors, result.summary) == ([], {"engagements": {"created": 1, "updated": 0, "unchanged": 0}})
    assert created()


def test_a_missing_required_column_is_named_and_no_row_is_checked(manager):
    header = [name for name in ENGAGEMENT_HEADER if name not in ("country", "phase")]
    row = [ENGAGEMENT.get(name) for name in header]
    result = run(manager, plain_workbook({"engagements": [header, row, row]}))
    assert errors_of(result) == {
        ("engagements", 1, "country", "The “country” column is missing; it is required."),
        ("engagements", 1, "phase", "The “phase” column is missing; it is required."),
    }


def test_dates_may_be_date_cells_or_iso_text_and_nothing_else(manager):
    row = {**ENGAGEMENT, "start_date": "2011-03-01", "end_date": "15/12/2016"}
    result = run(manager, workbook(engagements=[row]))
    assert errors_of(result) == {
        ("engagements", 2, "end_date", "Not a date: give a date, or text such as 2014-03-31."),
    }
    fixed = run(manager, workbook(engagements=[{**row, "end_date": "2016-12-15"}]))
    assert fixed.errors == []
    assert Engagement.objects.get(title=ENGAGEMENT["title"]).end_date == date(2016, 12, 15)


def test_an_uploaded_name_with_a_path_is_kept_as_a_plain_name(manager):
    data = workbook(engagements=[ENGAGEMENT])
    result = services.import_create(
        user=manager, upload=SimpleUploadedFile("../../etc/old history.xlsx", data), dry_run=True, run_now=True
    )
    assert result.file_name == "old history.xlsx"
