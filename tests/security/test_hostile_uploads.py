"""Uploads with hostile names and contents, sent as raw multipart bodies (the test client would
strip folders from a name itself, so the server's own handling is what is tested): path tricks,
absolute paths, NUL and right-to-left characters, very long names, programs and web pages named
.pdf, archive bombs named .docx or .xlsx. Each is refused with nothing saved, or stored under a
generated name inside the media directory; never a 5xx."""

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from followups.models import Evidence
from followups.models import StatusUpdate
from network.models import Document
from network.models import DocumentVersion
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.network.factories import pdf_bytes

pytestmark = pytest.mark.clock_sensitive

BOUNDARY = "hostile-upload-boundary"

HOSTILE_NAMES = [
    "../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "..\\..\\windows\\system32\\evil.pdf",
    "C:\\Users\\x\\report.pdf",
    "evil\x00.pdf",
    "\u202efdp.exe.pdf",
    "a" * 400 + ".pdf",
    "résumé مراجعة.pdf",
    "....pdf",
]


def _bomb(name: str) -> bytes:
    """An office-looking archive whose main part inflates to 300 MB."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[name]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(main, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    return out.getvalue()


HOSTILE_CONTENTS = [
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows program
    ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("minutes.docx", _bomb("docx")),
    ("figures.xlsx", _bomb("xlsx")),
]


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body written byte for byte: file names exactly as given."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, content in files:
        header = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(header.encode() + content + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def post_raw(client, url, fields, files):
    return client.generic(
        "POST", url, multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT).resolve()


def _stored_safely(path: Path, media: Path, folder: str, original: str) -> None:
    path = path.resolve()
    assert path.is_relative_to(media / folder)
    assert len(path.stem) == 32 and all(c in "0123456789abcdef" for c in path.stem)  # a generated name
    assert "/" not in original and "\\" not in original and "\x00" not in original and ".." not in original


# Follow-up evidence ----------------------------------------------------------------------------


@pytest.fixture
def report_url(db, client):
    engagement = other_engagement("PE")
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    client.force_login(make_user(Role.COUNTERPART, "PE", username="rosa"))
    return reverse("followups:update_save", args=[round_.pk, measure.pk])


REPORT = {"action": "draft", "status": "in_progress", "progress_pct": "30", "narrative": "Done a part."}


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_evidence_with_a_hostile_name_is_stored_under_a_generated_name(client, report_url, media, filename):
    response = post_raw(client, report_url, REPORT, [("files", filename, pdf_bytes())])
    assert response.status_code in (200, 302)
    for evidence in Evidence.objects.all():
        _stored_safely(Path(evidence.file.path), media, "followups/evidence", evidence.original_name)
        assert len(evidence.original_name) <= 160
    if response.status_code == 200:
        assert not Evidence.objects.exists() and not StatusUpdate.objects.exists()


@pytest.mark.parametrize(("filename", "content"), HOSTILE_CONTENTS, ids=["exe", "html", "docx-bomb", "xlsx-bomb"])
def test_evidence_whose_content_is_hostile_is_refused_and_nothing_saved(client, report_url, media, filename, content):
    response = post_raw(client, report_url, REPORT, [("files", filename, content)])
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert not Evidence.objects.exists() and not StatusUpdate.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


# Library documents -----------------------------------------------------------------------------


@pytest.fixture
def document_url(db, client):
    client.force_login(make_user(Role.MANAGER, "PE"))
    return reverse("network:document_create")


DOCUMENT = {"title": "Hostile", "kind": "other", "language": "en", "audience": "everyone"}


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_a_library_file_with_a_hostile_name_is_refused_or_stored_under_a_generated_name(
    client, document_url, media, filename
):
    response = post_raw(client, document_url, DOCUMENT, [("file", filename, pdf_bytes())])
    assert response.status_code in (200, 302)
    for version in DocumentVersion.objects.all():
        path = Path(version.file.path).resolve()
        assert path.is_relative_to(media / "network" / "documents")
        assert path.name != Path(version.original_name).name
        assert "/" not in version.original_name and "\x00" not in version.original_name
    if response.status_code == 200:
        assert not Document.objects.exists() and not DocumentVersion.objects.exists()


@pytest.mark.parametrize(("filename", "content"), HOSTILE_CONTENTS, ids=["exe", "html", "docx-bomb", "xlsx-bomb"])
def test_a_library_file_whose_content_is_hostile_is_refused(client, document_url, media, filename, content):
    response = post_raw(client, document_url, DOCUMENT, [("file", filename, content)])
    assert response.status_code == 200
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
