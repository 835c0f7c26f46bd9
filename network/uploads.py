"""Checks on uploaded library files: size, name, and type read from the content, never the name.

A file is accepted only when its bytes are one of the accepted types and its name's extension
belongs to that same type, so a program renamed ``report.pdf`` or a PDF renamed ``.docx`` are
refused. Office files are ZIP archives: their members are inflated (counting the bytes actually
produced, since the sizes a ZIP declares can lie) to refuse archive bombs and unsafe member names.
"""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ta_portal.archives import check_archive, damaged_error

# Defaults, each overridable by a Django setting of the same name.
NETWORK_UPLOAD_MAX_BYTES = 25 * 1024 * 1024
NETWORK_UPLOAD_MAX_UNCOMPRESSED = 200 * 1024 * 1024
NETWORK_UPLOAD_MAX_ZIP_MEMBERS = 5000
NETWORK_UPLOAD_MAX_RATIO = 200
NAME_MAX_LENGTH = 180
_CHUNK = 64 * 1024


def _setting(name: str) -> int:
    return getattr(settings, name, globals()[name])


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


TYPES = {
    t.key: t
    for t in (
        FileType("pdf", "PDF", "application/pdf", (".pdf",)),
        FileType("png", "PNG", "image/png", (".png",)),
        FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg")),
        FileType(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileType(
            "xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
        ),
        FileType(
            "pptx",
            "PowerPoint (PPTX)",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        FileType("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",)),
        FileType("ods", "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
        FileType("odp", "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", (".odp",)),
        FileType("txt", "text", "text/plain", (".txt",)),
        FileType("csv", "CSV", "text/csv", (".csv",)),
    )
}
ACCEPTED_EXTENSIONS = sorted({ext for t in TYPES.values() for ext in t.extensions})
# The main part that identifies each Office Open XML type.
_OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF_MIMETYPES = {TYPES[key].content_type: key for key in ("odt", "ods", "odp")}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    file_type: FileType
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return self.file_type.content_type

    @property
    def extension(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


def check_name(name: str) -> str:
    """The uploaded file's name, refused if it tries to say anything about paths."""
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
    if PurePosixPath(name).suffix.lower() not in ACCEPTED_EXTENSIONS:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted: %(types)s.") % {"types": ", ".join(ACCEPTED_EXTENSIONS)},
            code="type",
        )
    return name


def check_upload(uploaded) -> CheckedFile:
    """Validate an uploaded file (Django ``UploadedFile``); raise ``ValidationError`` with a clear message."""
    name = check_name(getattr(uploaded, "name", ""))
    limit = _setting("NETWORK_UPLOAD_MAX_BYTES")
    size = uploaded.size
    if size is None or size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size or 0), "limit": filesizeformat(limit)},
            code="size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    detected = _detect(uploaded, head, PurePosixPath(name).suffix.lower())
    if detected is None:
        raise ValidationError(
            _("The file's content is not one of the accepted types (PDF, images, office documents, text)."),
            code="type",
        )
    extension = PurePosixPath(name).suffix.lower()
    if extension not in detected.extensions:
        raise ValidationError(
            _("The file's content is %(content)s but its name ends in %(extension)s; upload the right file.")
            % {"content": detected.label, "extension": extension},
            code="mismatch",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(_CHUNK), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedFile(name=name, file_type=detected, size=size, sha256=digest.hexdigest())


def _detect(uploaded, head: bytes, extension: str) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith(b"PK\x03\x04"):
        return _detect_office(uploaded)
    if _looks_like_text(uploaded, head):
        # Plain text has no signature; the extension decides between text and CSV.
        return TYPES["csv"] if extension == ".csv" else TYPES["txt"]
    return None


def _looks_like_text(uploaded, head: bytes) -> bool:
    if b"\x00" in head:
        return False
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(char in "\t\r\n" or not unicodedata.category(char).startswith("C") for char in text)


def _detect_office(uploaded) -> FileType | None:
    """An Office Open XML or OpenDocument file, after the archive passed the bomb checks."""
    try:
        archive = zipfile.ZipFile(uploaded)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged_error() from None
    with archive:
        members = archive.infolist()
        _check_archive(archive, members)
        names = {member.filename for member in members}
        if "mimetype" in names:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
            key = _ODF_MIMETYPES.get(mimetype)
            return TYPES[key] if key else None
        if "[Content_Types].xml" in names:
            for part, key in _OOXML_PARTS.items():
                if part in names:
                    return TYPES[key]
    return None


def _check_archive(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    check_archive(
        archive,
        max_members=_setting("NETWORK_UPLOAD_MAX_ZIP_MEMBERS"),
        max_total=_setting("NETWORK_UPLOAD_MAX_UNCOMPRESSED"),
        max_ratio=_setting("NETWORK_UPLOAD_MAX_RATIO"),
    )
