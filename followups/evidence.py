"""Checks on uploaded evidence files: size, and type by content (magic bytes), never by name.

Accepted: PDF, PNG/JPEG/GIF/WebP images, Office Open XML (docx, xlsx, pptx), OpenDocument
(odt, ods, odp) and legacy Office (doc, xls, ppt). The file name's extension must be one of the
detected type's, so a file renamed to look like something else is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ta_portal.archives import check_archive


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileKind("application/pdf", ("pdf",), "PDF")
PNG = FileKind("image/png", ("png",), "PNG")
JPEG = FileKind("image/jpeg", ("jpg", "jpeg"), "JPEG")
GIF = FileKind("image/gif", ("gif",), "GIF")
WEBP = FileKind("image/webp", ("webp",), "WebP")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "Word")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "Excel")
PPTX = FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",), "PowerPoint")
ODT = FileKind("application/vnd.oasis.opendocument.text", ("odt",), "OpenDocument text")
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", ("ods",), "OpenDocument spreadsheet")
ODP = FileKind("application/vnd.oasis.opendocument.presentation", ("odp",), "OpenDocument presentation")
LEGACY_OFFICE = FileKind("application/x-ole-storage", ("doc", "xls", "ppt"), "Office 97–2003")
LEGACY_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}

OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
ACCEPTED_EXTENSIONS = sorted(
    {
        ext
        for kind in (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, LEGACY_OFFICE)
        for ext in kind.extensions
    }
)
MAX_FILES_PER_UPDATE = 10


def max_bytes() -> int:
    return settings.FOLLOWUP_EVIDENCE_MAX_BYTES


# A zip-based document is inflated (counting what really comes out) before any member is read:
# an archive bomb renamed .docx is refused instead of filling memory.
ARCHIVE_LIMITS = {"max_members": 5000, "max_total": 200 * 1024 * 1024, "max_ratio": 200}


def _zip_kind(upload) -> FileKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            check_archive(archive, **ARCHIVE_LIMITS)
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100).decode("ascii", "replace").strip()
                return ODF_TYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def _image_is_whole(upload) -> bool:
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def detect_kind(upload) -> FileKind | None:
    """The file's type from its first bytes (and, for zip-based documents, its parts)."""
    upload.seek(0)
    head = upload.read(16)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = LEGACY_OFFICE
    if kind in (PNG, JPEG, GIF, WEBP) and not _image_is_whole(upload):
        kind = None
    upload.seek(0)
    return kind


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


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


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    kind: FileKind
    extension: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload) -> CheckedFile:
    """Validate one uploaded file; raise ValidationError with a message the uploader understands."""
    name = display_name(getattr(upload, "name", ""))
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    kind = detect_kind(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, an image or an office document (its content was checked, not its name).")
            % {"name": name},
            code="bad_type",
        )
    if extension not in kind.extensions:
        raise ValidationError(
            _("“%(name)s” is a %(kind)s file but its name ends in “.%(ext)s”; rename it to .%(expected)s.")
            % {"name": name, "kind": kind.label, "ext": extension, "expected": kind.extensions[0]},
            code="name_mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    content_type = LEGACY_TYPES[extension] if kind is LEGACY_OFFICE else kind.content_type
    return CheckedFile(
        upload=upload,
        name=name,
        kind=kind,
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def check_uploads(uploads, *, already: int = 0) -> list[CheckedFile]:
    """Validate several files; every problem is reported, not only the first."""
    if already + len(uploads) > MAX_FILES_PER_UPDATE:
        raise ValidationError(
            _("An update may have at most %(n)d files.") % {"n": MAX_FILES_PER_UPDATE}, code="too_many"
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return checked
