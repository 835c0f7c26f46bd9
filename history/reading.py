"""Reading a history workbook: its sheets, their header and rows, each cell read as its column says.

What cannot be read (a formula, a date that is no date, a choice not offered, a required cell left
blank) is an error on its cell; every one is reported, not only the first. What the cells mean
(countries, refs, dates in order) is checked by ``engine.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from ta_portal.tabular import restored
from ta_portal.uploads import open_xlsx
from ta_portal.uploads import xlsx_rows

from . import spec


def workbook_error(message) -> dict:
    """An error of the whole file (no sheet, row or column)."""
    return {"sheet": "", "row": None, "column": "", "message": str(message)}


def cell_error(sheet: str, row: int | None, column: str, message) -> dict:
    return {"sheet": sheet, "row": row, "column": column, "message": str(message)}


@dataclass
class Row:
    sheet: str
    number: int  # as the spreadsheet numbers it (the header is usually 1)
    values: dict[str, Any]  # by column name; None when blank or unreadable
    unreadable: set[str] = field(default_factory=set)  # columns whose cell had an error


@dataclass
class Book:
    """What was read: the rows of each known sheet present, and every error found on the way."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    # The file, or a sheet's header, cannot be read as a history workbook: its rows are not checked.
    fatal: bool = False

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class _TooManyRowsError(Exception):
    pass


def _normalised_name(value) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def read_workbook(data: bytes) -> Book:
    """Read every known sheet of the workbook ``data`` (other sheets, and unknown columns, are
    ignored). File-level problems come back as a single error with no sheet."""
    book = Book()
    try:
        workbook = open_xlsx(data, formulas=True)
    except ValidationError as exc:
        book.errors.append(workbook_error(" ".join(exc.messages)))
        return book
    try:
        sheets = {_normalised_name(sheet.title): sheet for sheet in workbook.worksheets}
        known = [sheet for sheet in spec.SHEETS if sheet.name in sheets]
        if not known:
            book.errors.append(
                workbook_error(
                    _("The workbook has none of the sheets of a history workbook (%(sheets)s).")
                    % {"sheets": ", ".join(spec.SHEET_NAMES)}
                )
            )
            return book
        for sheet in known:
            _read_sheet(book, sheet, sheets[sheet.name])
    except ValidationError as exc:
        book.rows.clear()
        book.errors[:] = [workbook_error(" ".join(exc.messages))]
    except _TooManyRowsError:
        book.rows.clear()
        book.errors[:] = [workbook_error(_("The file has more than %(n)s rows; split it.") % {"n": spec.MAX_ROWS})]
    finally:
        workbook.close()
    if not book.errors and not book.total:
        book.errors.append(workbook_error(_("The workbook has no rows to import.")))
    book.fatal = book.fatal or any(error["row"] is None for error in book.errors)
    return book


def _blank(cell) -> bool:
    value = cell.value
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheet(book: Book, sheet: spec.Sheet, source) -> None:
    rows = xlsx_rows(source, max_columns=spec.MAX_COLUMNS)
    positions: dict[str, int] = {}
    header_number = 0
    for number, cells in rows:
        if all(_blank(cell) for cell in cells):
            continue
        header_number = number
        for position, cell in enumerate(cells):
            name = _normalised_name(cell.value) if cell.data_type == "s" else ""
            if name in sheet.column_names:
                if name in positions:
                    book.fatal = True
                    book.errors.append(
                        cell_error(
                            sheet.name, number, name, _("The “%(column)s” column appears twice.") % {"column": name}
                        )
                    )
                positions.setdefault(name, position)
        break
    if not header_number:
        return  # an empty sheet: nothing to import from it
    missing = [name for name in sheet.required if name not in positions]
    for name in missing:
        book.errors.append(
            cell_error(
                sheet.name,
                header_number,
                name,
                _("The “%(column)s” column is missing; it is required.") % {"column": name},
            )
        )
    if missing or book.fatal:
        book.fatal = True
        return  # the rows cannot be read as the sheet's; the header's errors say why
    read = book.rows.setdefault(sheet.name, [])
    # A row is read when one of the sheet's own columns holds something (notes in other columns
    # are ignored like those columns); the check costs a few cells a row, so blank rows cost little.
    wanted = sorted(positions.values())
    for number, cells in rows:
        if all(_blank(cells[position]) for position in wanted):
            continue
        if book.total >= spec.MAX_ROWS:
            raise _TooManyRowsError
        row = Row(sheet.name, number, {})
        for column in sheet.columns:
            position = positions.get(column.name)
            cell = cells[position] if position is not None else None
            try:
                row.values[column.name] = _value(column, cell)
            except ValidationError as exc:
                row.values[column.name] = None
                row.unreadable.add(column.name)
                for message in exc.messages:
                    book.errors.append(cell_error(sheet.name, number, column.name, message))
        read.append(row)


_WHOLE = re.compile(r"^[+-]?[0-9]{1,15}$")
_PORTAL_ID = re.compile(r"^#[0-9]{1,30}$")


def _value(column: spec.Column, cell) -> Any:
    """The cell's value as its column holds it (None when blank); ValidationError when it cannot be."""
    if cell is None or _blank(cell):
        if column.required:
            raise ValidationError(_("This cell is required."))
        return None
    if cell.data_type == "f":
        raise ValidationError(_("This cell holds a formula: paste its value instead (copy, then paste values only)."))
    if cell.data_type == "e":
        raise ValidationError(_("This cell shows a spreadsheet error (%(value)s).") % {"value": cell.value})
    value = cell.value
    if isinstance(value, str):
        value = restored(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if "\x00" in value:
            raise ValidationError(_("This cell holds a character that cannot be stored (NUL)."))
    kind = column.kind
    if kind == spec.DATE:
        return _date(value)
    if kind == spec.NUMBER:
        return _number(value)
    text = _text(value)
    if kind in (spec.REF, spec.LINK):
        if text.startswith(spec.PORTAL_ID_PREFIX) and not _PORTAL_ID.match(text):
            raise ValidationError(_("A portal id is “#” followed by a number, such as #12."))
    elif kind == spec.CHOICE:
        allowed = _allowed(column)
        if text.lower() not in allowed:
            raise ValidationError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": ", ".join(allowed)}
            )
        text = text.lower()
    elif kind == spec.CODE:
        text = text.upper() if column.name == "country" else text
    if column.max_length:
        _max_length(column.max_length)(text)
    return text


@cache
def _allowed(column: spec.Column) -> list[str]:
    return column.allowed()


@cache
def _max_length(limit: int) -> MaxLengthValidator:
    return MaxLengthValidator(limit)


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date() if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(_("Not a date: give a date, or text such as 2014-03-31."))


def _number(value) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("Not a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.match(value):
        return int(value)
    raise ValidationError(_("Not a whole number."))


def _text(value) -> str:
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
