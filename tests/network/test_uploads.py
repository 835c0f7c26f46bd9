"""Uploaded library files: accepted by their content, refused with a clear message (and nothing
saved) when too large, empty, of another type than their name says, with path tricks in the name,
or an office archive that would expand into a bomb. Replacing a file keeps the earlier versions."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY
from django.test.client import MULTIPART_CONTENT
from django.test.client import encode_multipart
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from accounts.roles import Role
from network import services
from network.models import Document
from network.models import DocumentVersion
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import check_name
from ta_portal.uploads import check_upload
from tests.factories import make_user
from tests.network.factories import docx_bytes
from tests.network.factories import make_document
from tests.network.factories import pdf_bytes
from tests.network.factories import upload

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "Seizures"
    workbook.save(buffer)
    return buffer.getvalue()


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _bomb(size: int) -> bytes:
    """A .docx whose one member inflates from a few kilobytes to ``size`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/padding.bin", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("paper.pdf", pdf_bytes(), "application/pdf"),
        ("Paper.PDF", pdf_bytes(), "application/pdf"),
        ("photo.png", _png(), "image/png"),
        ("report.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("minutes.odt", _odt(), "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Precursores químicos\n".encode(), "text/plain"),
        ("seizures.csv", b"country,kg\nPE,12\n", "text/csv"),
    ],
)
def test_accepted_files_are_typed_by_their_content(name, content, content_type):
    checked = check_upload(SimpleUploadedFile(name, content, content_type="application/octet-stream"), policy=LIBRARY)
    assert checked.content_type == content_type
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF, an image or an office document"),  # a program
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "is a text file but its name ends in “.pdf”"),
        ("report.docx", pdf_bytes(), "is a PDF file but its name ends in “.docx”"),
        ("photo.jpg", _png(), "is a PNG file"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 100, "is not a PDF, an image or an office document"),
        ("plain.zip", docx_bytes(), "not accepted"),
        ("macro.exe", pdf_bytes(), "not accepted"),
        ("noextension", pdf_bytes(), "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_files_whose_content_does_not_match_are_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content), policy=LIBRARY)
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "reports/q1.pdf", ".hidden.pdf", "a\x00b.pdf", "tab\there.pdf", ""],
)
def test_names_with_path_tricks_are_refused(name):
    with pytest.raises(ValidationError):
        check_name(name, extensions=LIBRARY.extensions)


def test_too_large_files_are_refused_with_the_limit_named(settings):
    settings.NETWORK_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("big.pdf", pdf_bytes() + b"\0" * 2048), policy=LIBRARY)
    assert "files may be at most" in error.value.messages[0]
    assert "1.0\xa0KB" in error.value.messages[0]


def test_office_archive_bombs_are_refused(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED = 4 * 1024 * 1024
    bomb = _bomb(8 * 1024 * 1024)
    assert len(bomb) < 64 * 1024
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("innocent.docx", bomb), policy=LIBRARY)
    assert "archive bomb" in error.value.messages[0]


def test_office_archives_that_inflate_far_beyond_their_size_are_refused_under_the_total_limit():
    # 3 MB of zeros is under the total limit, but a 1000:1 ratio is no real document
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("innocent.docx", _bomb(3 * 1024 * 1024)), policy=LIBRARY)
    assert "archive bomb" in error.value.messages[0]


def test_office_archives_with_unsafe_member_names_are_refused():
    content = docx_bytes(extra={"../../outside.txt": b"x"})
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("report.docx", content), policy=LIBRARY)
    assert "unsafe" in error.value.messages[0]


def test_the_upload_page_shows_the_error_and_saves_nothing(client, private_media):
    manager = make_user(Role.MANAGER, "PE")
    client.force_login(manager)
    response = client.post(
        reverse("network:document_create"),
        {
            "title": "Renamed program",
            "kind": "other",
            "language": "en",
            "audience": "everyone",
            "file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\0" * 100),
        },
    )
    assert response.status_code == 200
    assert "is not a PDF, an image or an office document" in response.content.decode()
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert not any(Path(private_media).rglob("*.*"))


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(client, private_media):
    manager = make_user(Role.MANAGER, "PE")
    client.force_login(manager)
    response = client.post(
        reverse("network:document_create"),
        {
            "title": "Travelling name",
            "kind": "other",
            "language": "en",
            "audience": "everyone",
            "file": SimpleUploadedFile("../../../../tmp/evil.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    # Django strips the directories; what remains is kept as a label only
    assert version.original_name == "evil.pdf"
    stored = Path(version.file.path).resolve()
    assert stored.is_relative_to(Path(private_media).resolve() / "network" / "documents")
    assert stored.name != "evil.pdf" and stored.suffix == ".pdf"


def test_the_api_refuses_a_mismatched_file_with_a_field_error_and_saves_nothing(client):
    client.force_login(make_user(Role.MANAGER, "PE"))
    response = client.post(
        "/api/v1/documents/",
        {
            "title": "Spreadsheet",
            "kind": "other",
            "language": "en",
            "audience": "everyone",
            "file": SimpleUploadedFile("figures.xlsx", pdf_bytes()),
        },
    )
    assert response.status_code == 400
    assert "is a PDF file but its name ends in" in response.json()["file"][0]
    assert not Document.objects.exists()


def test_the_api_needs_a_file_to_create_a_document(client):
    client.force_login(make_user(Role.MANAGER, "PE"))
    response = client.post("/api/v1/documents/", {"title": "No file", "audience": "everyone"})
    assert response.status_code == 400
    assert "file" in response.json()


def test_replacing_a_document_keeps_every_version_downloadable(client):
    manager = make_user(Role.MANAGER, "PE")
    document = make_document(by=manager, title="Guide", content=pdf_bytes("first edition"))
    services.document_replace(
        document=document, uploaded=upload("guide-2.pdf", pdf_bytes("second edition")), by=manager, note="Updated"
    )
    client.force_login(make_user(Role.COUNTERPART, "CO"))

    def download(url):
        response = client.get(url)
        return response["Content-Disposition"], b"".join(response.streaming_content)

    disposition, current = download(reverse("network:document_download", args=[document.pk]))
    assert b"second edition" in current and 'filename="guide-2.pdf"' in disposition
    _disposition, first = download(reverse("network:document_version_download", args=[document.pk, 1]))
    assert b"first edition" in first
    assert [v["number"] for v in client.get(f"/api/v1/documents/{document.pk}/").json()["versions"]] == [2, 1]


def test_replacing_with_a_bad_file_keeps_the_current_version(client):
    manager = make_user(Role.MANAGER, "PE")
    document = make_document(by=manager, title="Guide")
    client.force_login(manager)
    response = client.post(
        reverse("network:document_replace", args=[document.pk]),
        {"file": SimpleUploadedFile("guide.pdf", b"not a pdf at all\0"), "note": "broken"},
    )
    assert response.status_code == 200
    assert "is not a PDF, an image or an office document" in response.content.decode()
    document.refresh_from_db()
    assert document.current_version.number == 1
    assert document.versions.count() == 1


def test_a_replacement_through_the_api_adds_a_version(client):
    manager = make_user(Role.MANAGER, "PE")
    document = make_document(by=manager, title="Guide")
    client.force_login(manager)
    response = client.patch(
        f"/api/v1/documents/{document.pk}/",
        encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("guide-v2.pdf", pdf_bytes("v2")), "title": "Guide"}),
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["file_name"] == "guide-v2.pdf"
