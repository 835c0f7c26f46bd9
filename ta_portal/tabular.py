"""CSV and XLSX writing for every export of the portal, with formula neutralisation.

Dashboards and lists build ``Table`` objects; the template renders them, and the export views
write the very same rows to CSV or XLSX, so a download always matches the page (and the API,
which reads the same selectors). Plain sheets (a header and rows, e.g. an import template) go
through ``write_csv`` / ``write_xlsx``. Either way, text cells that a spreadsheet would run as a
formula are neutralised on the way out: this module is the only writer of spreadsheets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ta_portal.figures import DIGITS
from ta_portal.figures import scaled

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet treats a cell starting with one of these as a formula (or DDE command); the
# classic CSV-injection vector. Tab and carriage return are in OWASP's list too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's sheet titles: at most 31 characters, none of these.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restored(value: Any) -> Any:
    """A cell value as it was before ``neutralise``: what a portal file wrote comes back as it was
    (text that merely starts with a quote, such as "'til", is left alone)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def plain(value: Any) -> Any:
    """A value as exported: numbers stay numbers, dates ISO, everything else text."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def exported(value: Any, kind: str = "text") -> Any:
    """A cell as an export writes it: ``plain``, with shares (kind "rate") as percentages at full
    precision, so a file never holds a 0–1 fraction beside its 0–100 columns."""
    return plain(scaled(value, kind))


@dataclass(frozen=True)
class Column:
    """One column of a table: its key in the rows, its header, how its values read, and where an
    item holds its value."""

    key: str
    label: str
    # How the page shows it: "text", "date", "status" or a kind of figure of ``ta_portal.figures``
    # ("pct" a 0–100 figure, "rate" a 0–1 share shown as %, ...). Exports carry the exact value,
    # shares as percentages (so a "rate" column's header says "(%)").
    kind: str = "text"
    # Where an item holds the value: a path of keys or attributes ("training.n_paired"; the key when
    # empty), or a function of the item.
    source: str | Callable[[Any], Any] = ""

    @property
    def numeric(self) -> bool:
        return self.kind in DIGITS

    def read(self, item: Any) -> Any:
        if callable(self.source):
            return self.source(item)
        value = item
        for step in (self.source or self.key).split("."):
            if value is None:
                return None
            value = value[step] if isinstance(value, Mapping) else getattr(value, step)
        return value

    def within(self, path: str) -> Column:
        """The same column read from a part of the item (a country's ``training`` figures)."""
        return replace(self, source=f"{path}.{self.source or self.key}")


@dataclass
class Table:
    """Rows (dicts keyed by column key) with their columns, a caption and a name for ?table=."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]] = field(default_factory=list)
    sheet: str = ""  # a short name for the XLSX sheet (Excel allows 31 characters); the title by default

    @classmethod
    def read(
        cls,
        name: str,
        title: str,
        columns: Sequence[Column],
        items: Iterable[Any],
        *,
        sheet: str = "",
        extra: Callable[[Any], dict[str, Any]] | None = None,
    ) -> Table:
        """A table whose rows each column reads from ``items``; ``extra(item)`` adds what a page needs
        beside the columns (``_link_<key>``, ``_status_label``)."""
        rows = []
        for item in items:
            row = {column.key: column.read(item) for column in columns}
            if extra is not None:
                row.update(extra(item))
            rows.append(row)
        return cls(name, title, columns, rows, sheet=sheet)

    def header(self, *, keys: bool = False) -> list[str]:
        return [column.key if keys else str(column.label) for column in self.columns]

    def values(self) -> Iterator[list[Any]]:
        for row in self.rows:
            yield [exported(row.get(column.key), column.kind) for column in self.columns]


class _Echo:
    def write(self, value):
        return value


def _csv_lines(table: Table, *, keys: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents).
    yield "\ufeff" + writer.writerow(table.header(keys=keys))
    for values in table.values():
        yield writer.writerow(["" if value is None else value for value in values])


def filename(stem: str, extension: str) -> str:
    return f"{slugify(stem) or 'export'}-{timezone.localdate().isoformat()}.{extension}"


def csv_response(table: Table, *, stem: str, keys: bool = False) -> StreamingHttpResponse:
    """The table as a CSV download, streamed (lists may be long)."""
    response = StreamingHttpResponse(_csv_lines(table, keys=keys), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_text(table: Table, *, keys: bool = False) -> str:
    return "".join(_csv_lines(table, keys=keys))


def sheet_title(title: str, used: set[str]) -> str:
    base = (str(title).translate(_SHEET_FORBIDDEN).strip() or "Sheet")[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _append_sheet(workbook: Workbook, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(label)))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for values in rows:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            row.append(cell)
        sheet.append(row)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(tables: Sequence[Table], *, keys: bool = False) -> bytes:
    """One sheet per table, header row first; written in openpyxl's streaming mode."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        _append_sheet(workbook, sheet_title(table.sheet or table.title, used), table.header(keys=keys), table.values())
    if not tables:
        workbook.create_sheet("Sheet")
    return _workbook_bytes(workbook)


def file_download(content: bytes, name: str, content_type: str) -> HttpResponse:
    """A file made for the one who asked, as a download under ``name`` that no cache keeps."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(tables: Sequence[Table], *, stem: str, keys: bool = False) -> HttpResponse:
    return file_download(xlsx_bytes(tables, keys=keys), filename(stem, "xlsx"), XLSX_CONTENT_TYPE)


# Plain sheets: a header and rows of values, e.g. a template to fill in and import back. ---------


def _sheet_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "Sheet") -> bytes:
    """A one-sheet workbook."""
    workbook = Workbook(write_only=True)
    rows = ([_sheet_value(v) for v in row] for row in rows)
    _append_sheet(workbook, sheet_title(title, set()), header, rows)
    return _workbook_bytes(workbook)


@dataclass
class Sheet:
    """One sheet of a workbook to fill in: a header (none for a sheet of notes), rows, and the
    values some columns accept, offered as drop-down lists."""

    title: str
    header: Sequence[Any] = ()
    rows: Iterable[Sequence[Any]] = ()
    # Column position (0 = first) → the values it accepts; Excel refuses others as they are typed.
    choices: Mapping[int, Sequence[Any]] = field(default_factory=dict)
    # How far down the lists apply (the rows a person may add below the ones written).
    choice_rows: int = 50_000
    width: int = 0  # the columns' width in characters (0: the program's default)


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of several sheets, written in openpyxl's streaming mode: each header in bold,
    text never a formula, dates as dates, and a drop-down list on the columns that have choices."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for spec in sheets:
        sheet = workbook.create_sheet(sheet_title(spec.title, used))
        if spec.width:
            for position in range(max(len(spec.header), 1)):
                sheet.column_dimensions[get_column_letter(position + 1)].width = spec.width
        first_row = 2 if spec.header else 1
        for position, values in spec.choices.items():
            # An Excel list is one quoted, comma-separated string of at most 255 characters.
            listed = ",".join(str(value) for value in values)
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=True)
            letter = get_column_letter(position + 1)
            validation.add(f"{letter}{first_row}:{letter}{first_row + spec.choice_rows - 1}")
            sheet.data_validations.append(validation)
        if spec.header:
            bold = Font(bold=True)
            cells = []
            for label in spec.header:
                cell = WriteOnlyCell(sheet, value=neutralise(str(label)))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        for values in spec.rows:
            row = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=_sheet_value(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                row.append(cell)
            sheet.append(row)
    if not sheets:
        workbook.create_sheet("Sheet")
    return _workbook_bytes(workbook)
