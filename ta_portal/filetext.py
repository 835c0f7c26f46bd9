"""The words of an uploaded file, for full-text search: PDF, and office documents (Word, Excel,
PowerPoint, OpenDocument).

PDFs go through ``pdftotext`` (poppler-utils, a system package the portal already relies on to read
its own PDFs back in tests): a separate process, so a hostile PDF can at worst exhaust its own time
limit, never the worker, and no PDF parser joins the Python dependencies. Office documents are ZIP
archives of XML: the standard library reads the parts that hold text, after the same archive-bomb
checks as at upload, with a streaming parser that refuses any document type declaration (entities
are never expanded). Whatever the file, the text kept is bounded (``MAX_CHARS``).

Anything unreadable gives an empty text: search then finds the document by its title and
description only, which is what it did before the text was extracted.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess  # noqa: S404 (pdftotext, with a fixed argument list)
import tempfile
import zipfile
from pyexpat import ExpatError
from pyexpat import ParserCreate

from django.core.exceptions import ValidationError

from .uploads import TYPES
from .uploads import check_archive
from .uploads import office_archive_limits

logger = logging.getLogger(__name__)

# About thirty pages of dense prose: enough for search to know what a document is about, and a
# vector well inside PostgreSQL's limits however many languages index it.
MAX_CHARS = 100_000
PDF_TIMEOUT_SECONDS = 60
PDF_MAX_PAGES = 200

_CONTENT_TYPES = {file_type.content_type: key for key, file_type in TYPES.items()}
# The archive members that hold an office document's text, by type (in reading order).
_OFFICE_PARTS = {
    "docx": (re.compile(r"word/(document|footnotes|endnotes)\.xml"),),
    "pptx": (re.compile(r"ppt/slides/slide\d+\.xml"),),
    "xlsx": (re.compile(r"xl/sharedStrings\.xml"), re.compile(r"xl/worksheets/sheet\d+\.xml")),
    "odt": (re.compile(r"content\.xml"),),
    "ods": (re.compile(r"content\.xml"),),
    "odp": (re.compile(r"content\.xml"),),
}
# Elements whose character data is text (Office Open XML: w:t, a:t, t); OpenDocument keeps its text
# in the body's elements, every one of them.
_OOXML_TEXT = {"t"}
# Elements that end a paragraph, a cell or a line: a space between their words.
_BREAKS = {"p", "h", "br", "tab", "c", "tc", "si", "row", "tr", "table-row", "table-cell", "line-break", "s"}


class _EnoughTextError(Exception):
    """Enough text was read."""


class _DoctypeError(Exception):
    """An office part declared a document type (entities): not something an office program writes."""


def file_text(data: bytes, content_type: str) -> str:
    """The text of a file's bytes, of the given (checked) content type; "" when it has none."""
    kind = _CONTENT_TYPES.get(content_type)
    try:
        if kind == "pdf":
            text = _pdf_text(data)
        elif kind in _OFFICE_PARTS:
            text = _office_text(data, kind)
        elif kind in ("txt", "csv"):
            text = data[: MAX_CHARS * 4].decode("utf-8-sig", errors="replace")
        else:
            return ""
    except (OSError, subprocess.SubprocessError, zipfile.BadZipFile, ExpatError, _DoctypeError, ValidationError):
        logger.warning("no text read from a %s file", content_type, exc_info=True)
        return ""
    return _tidy(text)[:MAX_CHARS]


def _tidy(text: str) -> str:
    text = text.replace("\x00", "")
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def _pdf_text(data: bytes) -> str:
    program = shutil.which("pdftotext")
    if program is None:
        logger.warning("pdftotext (poppler-utils) is not installed: PDF text is not searchable")
        return ""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(data)
        source.flush()
        result = subprocess.run(  # noqa: S603 (a fixed program and arguments; the file is ours)
            [program, "-q", "-enc", "UTF-8", "-l", str(PDF_MAX_PAGES), source.name, "-"],
            capture_output=True,
            timeout=PDF_TIMEOUT_SECONDS,
            check=False,
        )
    if result.returncode != 0:
        logger.warning("pdftotext could not read a PDF (exit %s)", result.returncode)
        return ""
    return result.stdout[: MAX_CHARS * 4].decode("utf-8", errors="replace")


def _office_text(data: bytes, kind: str) -> str:
    pieces: list[str] = []
    size = 0

    def add(text: str) -> None:
        nonlocal size
        pieces.append(text)
        size += len(text)
        if size > MAX_CHARS:
            raise _EnoughTextError

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_archive(archive, **office_archive_limits())
        names = archive.namelist()
        try:
            for pattern in _OFFICE_PARTS[kind]:
                for name in sorted((n for n in names if pattern.fullmatch(n)), key=_natural):
                    with archive.open(name) as member:
                        _read_part(member, add, every_element=kind.startswith("od"))
                    add("\n")
        except _EnoughTextError:
            pass
    return "".join(pieces)


def _natural(name: str) -> tuple:
    """slide2.xml before slide10.xml."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _read_part(member, add, *, every_element: bool) -> None:
    parser = ParserCreate(namespace_separator="}")
    depth_in_text = 0

    def refuse(*_args):
        raise _DoctypeError

    def start(name, _attributes):
        nonlocal depth_in_text
        if every_element or name.rsplit("}", 1)[-1] in _OOXML_TEXT:
            depth_in_text += 1

    def end(name):
        nonlocal depth_in_text
        local = name.rsplit("}", 1)[-1]
        if every_element or local in _OOXML_TEXT:
            depth_in_text -= 1
        if local in _BREAKS:
            add(" " if local in ("tab", "s", "c", "tc", "table-cell") else "\n")

    def characters(text):
        if depth_in_text > 0:
            add(text)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    while chunk := member.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
