"""Checks on every uploaded file: size, name, and type read from the content (magic bytes), never the name.

A file is accepted only when its bytes are one of the policy's types and its name's extension
belongs to that same type, so a program renamed ``report.pdf`` or a PDF renamed ``.docx`` are
refused with a message that says how to fix it. Office files are ZIP archives: their members are
inflated (counting the bytes actually produced, since the sizes a ZIP declares can lie) to refuse
archive bombs and unsafe member names before any library opens them. Images must decode whole.

Each kind of upload is an ``UploadPolicy`` (follow-up evidence, library documents); forms, API
serializers and services call ``check_upload`` / ``check_uploads`` with it; a stored file goes back
to whoever may read it through ``stored_file_response``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from PIL import Image
from PIL import UnidentifiedImageError

_CHUNK = 64 * 1024
NAME_MAX_LENGTH = 180
# What a multipart request carries besides its files: each part's headers and the form's other
# fields (a report's narrative, a document's description). Added to the files' sizes to get the
# largest request a view that takes them accepts (``ta_portal.bodylimit``).
MULTIPART_ALLOWANCE = 1024 * 1024


# Types --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]  # without the dot, the first one is the usual one


TYPES = {
    t.key: t
    for t in (
        FileType("pdf", "PDF", "application/pdf", ("pdf",)),
        FileType("png", "PNG", "image/png", ("png",)),
        FileType("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg")),
        FileType("gif", "GIF", "image/gif", ("gif",)),
        FileType("webp", "WebP", "image/webp", ("webp",)),
        FileType("docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
        FileType("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        FileType(
            "pptx",
            "PowerPoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",),
        ),
        FileType("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", ("odt",)),
        FileType("ods", "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        FileType("odp", "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", ("odp",)),
        # Office 97–2003 files share one container format; the extension tells which program.
        FileType("ole", "Office 97–2003", "application/x-ole-storage", ("doc", "xls", "ppt")),
        FileType("txt", "text", "text/plain", ("txt",)),
        FileType("csv", "CSV", "text/csv", ("csv",)),
    )
}
_LEGACY_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
_IMAGES = {"png", "jpeg", "gif", "webp"}
# The part that identifies each Office Open XML type.
_OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF_MIMETYPES = {TYPES[key].content_type: key for key in ("odt", "ods", "odp")}


# Archive bombs ------------------------------------------------------------------------------------


def archive_bomb_error() -> ValidationError:
    return ValidationError(
        _("The office document expands to far more data than it holds (a possible archive bomb); it was refused."),
        code="bomb",
    )


def damaged_error() -> ValidationError:
    return ValidationError(_("The file looks like an office document but is damaged."), code="damaged")


def check_archive(archive: zipfile.ZipFile, *, max_members: int, max_total: int, max_ratio: int) -> None:
    """Raise ``ValidationError`` if the archive has too many members, unsafe or encrypted members,
    or inflates past ``max_total`` bytes or ``max_ratio`` times a member's compressed size.
    Nothing is kept in memory: members are inflated in chunks and only counted."""
    members = archive.infolist()
    if len(members) > max_members:
        raise archive_bomb_error()
    for member in members:
        path = PurePosixPath(member.filename)
        if member.filename.startswith(("/", "\\")) or ".." in path.parts or "\\" in member.filename:
            raise ValidationError(_("The office document contains unsafe file names."), code="unsafe")
        if member.flag_bits & 0x1:
            raise ValidationError(_("Encrypted office documents are not accepted."), code="encrypted")
    if sum(member.file_size for member in members) > max_total:
        raise archive_bomb_error()
    total = 0
    try:
        for member in members:
            produced = 0
            with archive.open(member) as stream:
                for chunk in iter(lambda stream=stream: stream.read(_CHUNK), b""):
                    produced += len(chunk)
                    total += len(chunk)
                    if total > max_total:
                        raise archive_bomb_error()
                    if produced > 1024 * 1024 and produced > max_ratio * max(member.compress_size, 1):
                        raise archive_bomb_error()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise damaged_error() from None


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def office_archive_limits() -> dict[str, int]:
    """Limits for uploaded office documents, each overridable by a Django setting."""
    return {
        "max_members": _setting("UPLOAD_MAX_ZIP_MEMBERS", 5000),
        "max_total": _setting("UPLOAD_MAX_UNCOMPRESSED", 200 * 1024 * 1024),
        "max_ratio": _setting("UPLOAD_MAX_RATIO", 200),
    }


# Workbooks read by imports ----------------------------------------------------------------------

# An XLSX is a ZIP archive: openpyxl reads some parts whole (shared strings), so the archive is
# inflated and counted first; a small file that expands to gigabytes is refused.
XLSX_LIMITS = {"max_members": 1000, "max_total": 100 * 1024 * 1024, "max_ratio": 200}
# What openpyxl may raise on a damaged workbook, when it opens it or while it reads a sheet.
_XLSX_DAMAGE = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, ParseError)


def unreadable_workbook_error() -> ValidationError:
    return ValidationError(_("This file cannot be read as an XLSX workbook."), code="unreadable")


def open_xlsx(data: bytes, *, formulas: bool = False):
    """``data`` as a read-only openpyxl workbook, once its archive passed the bomb checks; raise
    ``ValidationError`` otherwise. Close it after use (it keeps the archive open).

    With ``formulas`` a cell holding a formula reads as that formula (data type ``"f"``), so an
    import can refuse it; otherwise it reads as the value the spreadsheet last computed.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive, **XLSX_LIMITS)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise unreadable_workbook_error() from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas, keep_links=False)
    except _XLSX_DAMAGE:
        raise unreadable_workbook_error() from None


def xlsx_rows(sheet, *, max_columns: int, values_only: bool = False) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of each row of a sheet of ``open_xlsx``, from row 1, each row
    ``max_columns`` cells wide (cells further right are not read); ``ValidationError`` when the
    sheet turns out damaged.

    The size a sheet declares is ignored (a file may claim a million rows of 16 384 columns), and
    the rows it leaves out are skipped, not made: a sheet costs what its XML holds, never more.
    """
    sheet.reset_dimensions()
    previous = None
    try:
        for number, cells in enumerate(sheet.iter_rows(max_col=max_columns, values_only=values_only), start=1):
            # openpyxl stands one shared empty row in for each row a sheet leaves out.
            if cells is not previous:
                yield number, cells
            previous = cells
    except (*_XLSX_DAMAGE, AttributeError):
        raise unreadable_workbook_error() from None


# Detection ----------------------------------------------------------------------------------------


def _office_type(upload) -> FileType | None:
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        check_archive(archive, **office_archive_limits())
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                mimetype = member.read(100).decode("ascii", "replace").strip()
            key = _ODF_MIMETYPES.get(mimetype)
            return TYPES[key] if key else None
        if "[Content_Types].xml" in names:
            for part, key in _OOXML_PARTS.items():
                if part in names:
                    return TYPES[key]
    return None


def _image_is_whole(upload) -> bool:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def _is_text(upload, head: bytes) -> bool:
    if b"\x00" in head:
        return False
    upload.seek(0)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(char in "\t\r\n" or not unicodedata.category(char).startswith("C") for char in text)


def detect_type(upload, *, extension: str = "") -> FileType | None:
    """The file's type from its content. Plain text has no signature: the extension decides
    between text and CSV."""
    upload.seek(0)
    head = upload.read(8192)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = TYPES["pdf"]
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = TYPES["png"]
    elif head.startswith(b"\xff\xd8\xff"):
        kind = TYPES["jpeg"]
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = TYPES["gif"]
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = TYPES["webp"]
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_type(upload)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = TYPES["ole"]
    elif _is_text(upload, head):
        kind = TYPES["csv"] if extension.lower() == "csv" else TYPES["txt"]
    if kind is not None and kind.key in _IMAGES and not _image_is_whole(upload):
        kind = None
    upload.seek(0)
    return kind


# Names --------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def display_name(name: str) -> str:
    """A harmless name to show and to offer on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = _UNSAFE.sub("_", stem).strip(" .")[:140] or "file"
    extension = _UNSAFE.sub("_", extension).strip(" .")[:10]
    return f"{stem}.{extension}" if extension else stem


def check_name(name: str, *, extensions: tuple[str, ...]) -> str:
    """The uploaded file's name, refused if it tries to say anything about paths or has another extension."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ValidationError(_("The file has no name."), code="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("The file name is too long (at most %(n)d characters).") % {"n": NAME_MAX_LENGTH}, code="name"
        )
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise ValidationError(_("The file name must not contain a path (/, \\, ..) or start with a dot."), code="name")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ValidationError(_("The file name contains control characters."), code="name")
    if _extension(name) not in extensions:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(f".{ext}" for ext in extensions)},
            code="type",
        )
    return name


# Policies -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadPolicy:
    types: tuple[str, ...]  # keys of TYPES
    max_bytes: Callable[[], int]
    # Library files keep the name the uploader chose, so a name with a path is refused; evidence
    # files are shown under a cleaned name instead.
    strict_names: bool = False
    max_files: int = 1
    # What a file of another type is told (with its name as %(name)s); by default: not a PDF, an image
    # or an office document.
    bad_type_message: str | None = None

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(sorted({ext for key in self.types for ext in TYPES[key].extensions}))

    @property
    def accept_attribute(self) -> str:
        """For ``<input type="file" accept=…>``."""
        return ",".join(f".{ext}" for ext in self.extensions)

    def request_max_bytes(self, files: int | None = None) -> int:
        """The largest request body carrying ``files`` files of this policy (default: as many as allowed)."""
        return (files or self.max_files) * self.max_bytes() + MULTIPART_ALLOWANCE


EVIDENCE = UploadPolicy(
    types=("pdf", "png", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "odt", "ods", "odp", "ole"),
    max_bytes=lambda: settings.FOLLOWUP_EVIDENCE_MAX_BYTES,
    max_files=10,
)
LIBRARY = UploadPolicy(
    types=("pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv"),
    max_bytes=lambda: _setting("NETWORK_UPLOAD_MAX_BYTES", 25 * 1024 * 1024),
    strict_names=True,
)

# A certificate's logo: an image WeasyPrint embeds in every certificate of a programme.
LOGO = UploadPolicy(
    types=("png", "jpeg"),
    max_bytes=lambda: _setting("CERTIFICATE_LOGO_MAX_BYTES", 1024 * 1024),
    bad_type_message=gettext_lazy("“%(name)s” is not a PNG or JPEG image (its content was checked, not its name)."),
)

# A workbook to import (the programme history).
WORKBOOK = UploadPolicy(
    types=("xlsx",),
    max_bytes=lambda: _setting("HISTORY_IMPORT_MAX_BYTES", 20 * 1024 * 1024),
    bad_type_message=gettext_lazy(
        "“%(name)s” is not an Excel workbook (.xlsx); its content was checked, not its name."
    ),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    file_type: FileType
    extension: str  # without the dot
    content_type: str
    size: int
    sha256: str

    def record_fields(self) -> dict:
        """What a stored file's row records of the upload (its name as given, type, size, checksum)."""
        return {"original_name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


def check_upload(upload, *, policy: UploadPolicy) -> CheckedFile:
    """Validate one uploaded file; raise ``ValidationError`` with a message the uploader understands."""
    raw_name = getattr(upload, "name", "")
    name = check_name(raw_name, extensions=policy.extensions) if policy.strict_names else display_name(raw_name)
    limit = policy.max_bytes()
    size = upload.size
    if size is None or size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size or 0), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = _extension(name)
    kind = detect_type(upload, extension=extension)
    if kind is None or kind.key not in policy.types:
        message = policy.bad_type_message or _(
            "“%(name)s” is not a PDF, an image or an office document (its content was checked, not its name)."
        )
        raise ValidationError(message % {"name": name}, code="bad_type")
    if extension not in kind.extensions:
        raise ValidationError(
            _("“%(name)s” is a %(kind)s file but its name ends in “.%(ext)s”; rename it to .%(expected)s.")
            % {"name": name, "kind": kind.label, "ext": extension, "expected": kind.extensions[0]},
            code="name_mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(_CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        name=name,
        file_type=kind,
        extension=extension,
        content_type=_LEGACY_TYPES[extension] if kind.key == "ole" else kind.content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def check_uploads(uploads, *, policy: UploadPolicy, already: int = 0) -> list[CheckedFile]:
    """Validate several files; every problem is reported, not only the first."""
    if already + len(uploads) > policy.max_files:
        raise ValidationError(_("An update may have at most %(n)d files.") % {"n": policy.max_files}, code="too_many")
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload, policy=policy))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return checked


# Serving -------------------------------------------------------------------------------------------


def stored_file_response(file, *, filename: str, content_type: str = "", inline: bool = False) -> FileResponse:
    """A stored file (evidence, a library document, a rendered report) for a caller already allowed
    to read it, page or API alike: a download under its checked type and safe name, never cached by
    a shared cache, and sandboxed should a browser render it (an HTML or SVG file cannot run script
    on the portal's origin); 404 when the file is missing from storage."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type or "application/octet-stream"
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
