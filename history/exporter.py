"""History workbooks out of the portal: the blank template and a country's or programme's records."""

from __future__ import annotations


def template_workbook(*, language: str) -> bytes:
    """The XLSX template: an instructions sheet in ``language``, one sheet per kind with its
    columns, example rows and validation lists."""
    raise NotImplementedError


def history_workbook(*, user, country=None, programme=None) -> bytes:
    """The records of ``country`` (a Country) or ``programme`` (a Programme) that ``user`` may see,
    as a history workbook that imports back unchanged."""
    raise NotImplementedError
