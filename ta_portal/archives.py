"""Archive-bomb checks for ZIP-based uploads (office documents, XLSX imports), shared by the apps.

The sizes a ZIP declares can lie, so every member is inflated in chunks and the bytes actually
produced are counted; nothing is kept in memory. Used before any library (openpyxl, zipfile.read)
opens a member whole.
"""

import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CHUNK = 64 * 1024


def archive_bomb_error() -> ValidationError:
    return ValidationError(
        _("The office document expands to far more data than it holds (a possible archive bomb); it was refused."),
        code="bomb",
    )


def damaged_error() -> ValidationError:
    return ValidationError(_("The file looks like an office document but is damaged."), code="damaged")


def check_archive(archive: zipfile.ZipFile, *, max_members: int, max_total: int, max_ratio: int) -> None:
    """Raise ``ValidationError`` if the archive has too many members, unsafe or encrypted members,
    or inflates past ``max_total`` bytes or ``max_ratio`` times a member's compressed size."""
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
