"""The words of library files: read at upload by a worker (PDF, Word, Excel, PowerPoint,
OpenDocument), bounded, idempotent, and found by search with the match highlighted."""

import io
import time
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from network import services
from network import tasks
from network.models import Document
from search.selectors import search_for_user
from ta_portal import filetext
from ta_portal.filetext import file_text
from ta_portal.uploads import TYPES

from .factories import make_document
from .factories import pdf_bytes
from .factories import upload

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX = TYPES["docx"].content_type


def zipped(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(*paragraphs: str, document_xml: str | None = None) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    return zipped(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
            "word/document.xml": document_xml
            or f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>',
        }
    )


def pptx(*slides: str) -> bytes:
    a = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    p = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    members = {"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": f"<p:presentation {p}/>"}
    for number, text in enumerate(slides, start=1):
        members[f"ppt/slides/slide{number}.xml"] = f"<p:sld {p} {a}><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:sld>"
    return zipped(members)


def odt(text: str) -> bytes:
    return zipped(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            f"<text:h>Title</text:h><text:p>{text}</text:p></office:text></office:body></office:document-content>",
        }
    )


def xlsx(*cells: str) -> bytes:
    book = Workbook()
    for row, value in enumerate(cells, start=1):
        book.active.cell(row=row, column=1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Reading ----------------------------------------------------------------------------------------


def test_a_pdfs_text_is_read(pdftotext):
    assert "Diversion of acetone" in file_text(pdf_bytes("Diversion of acetone"), "application/pdf")


@pytest.mark.parametrize(
    ("data", "kind", "expected"),
    [
        (docx("First paragraph", "Second about permanganate"), "docx", "First paragraph\nSecond about permanganate"),
        (pptx("Slide one", "Slide two on ephedrine"), "pptx", "Slide one\nSlide two on ephedrine"),
        (odt("Controle des précurseurs"), "odt", "Title\nControle des précurseurs"),
        (xlsx("Safrole", "Piperonal"), "xlsx", "Safrole\nPiperonal"),
    ],
)
def test_an_office_documents_text_is_read(data, kind, expected):
    assert file_text(data, TYPES[kind].content_type) == expected


def test_a_part_declaring_entities_gives_no_text():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert file_text(docx(document_xml=laughs), DOCX) == ""


def test_a_damaged_file_gives_no_text():
    assert file_text(b"PK\x03\x04 not really a zip", DOCX) == ""
    assert file_text(docx(document_xml="<w:document><unclosed>"), DOCX) == ""


def test_the_text_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(filetext, "MAX_CHARS", 50)
    text = file_text(docx(*(f"Paragraph number {n}" for n in range(100))), DOCX)
    assert 0 < len(text) <= 50


def test_images_have_no_text():
    assert file_text(b"\x89PNG\r\n\x1a\n", "image/png") == ""


# At upload --------------------------------------------------------------------------------------


def test_a_pdf_uploaded_is_found_by_its_body_text_with_the_words_highlighted(
    world, django_capture_on_commit_callbacks, pdftotext
):
    admin = world.users["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            by=admin, title="Annual report", content=pdf_bytes("Seizures of potassium permanganate")
        )
    document.refresh_from_db()
    assert "potassium permanganate" in document.text
    (hit,) = search_for_user(user=admin, query="permanganate", language="en")
    assert (hit.kind, hit.id) == ("document", document.pk)
    assert "<mark>permanganate</mark>" in hit.snippet


def test_a_word_document_uploaded_is_found_by_its_body_text(world, django_capture_on_commit_callbacks):
    counterpart = world.users["counterpart"]
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            by=world.users["admin"],
            title="Guía",
            language="es",
            name="guia.docx",
            content=docx("Control de sustancias químicas", "Las inspecciones de los operadores"),
        )
    hits = search_for_user(user=counterpart, query="inspección", language="es")
    assert [(hit.kind, hit.id) for hit in hits] == [("document", document.pk)]
    assert "<mark>inspecciones</mark>" in hits[0].snippet


def test_reading_again_changes_nothing_and_a_new_version_is_read(world, django_capture_on_commit_callbacks):
    admin = world.users["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(by=admin, name="a.docx", content=docx("Old words"))
    assert tasks.read_document_text(document.pk) is False  # already read: nothing to do
    with django_capture_on_commit_callbacks(execute=True):
        services.document_replace(document=document, uploaded=upload("b.docx", docx("New words"), DOCX), by=admin)
    document.refresh_from_db()
    assert document.text == "New words"
    assert document.text_sha256 == document.current_version.sha256
    assert tasks.read_document_text(document.pk) is False
    assert tasks.read_document_text(0) is False  # a document deleted meanwhile


def test_a_changed_title_is_found_at_once(world):
    admin = world.users["admin"]
    document = make_document(by=admin, title="Draft")
    document.title = "Handbook on pseudoephedrine"
    services.document_update(document=document, by=admin)
    assert [hit.id for hit in search_for_user(user=admin, query="pseudoephedrine")] == [document.pk]


def test_documents_stored_before_search_are_read_by_the_command(world):
    admin = world.users["admin"]
    document = make_document(by=admin, title="Old", name="old.docx", content=docx("Forgotten ergometrine"))
    Document.objects.filter(pk=document.pk).update(text="", text_sha256="", search_vector=None)
    assert search_for_user(user=admin, query="ergometrine") == []
    call_command("read_document_texts", stdout=io.StringIO())
    assert [hit.id for hit in search_for_user(user=admin, query="ergometrine")] == [document.pk]
    out = io.StringIO()
    call_command("read_document_texts", stdout=out)
    assert out.getvalue().startswith("0 ")


@pytest.mark.services
def test_a_real_worker_reads_the_text_of_an_upload(world, celery_worker):
    admin = world.users["admin"]
    document = make_document(by=admin, title="Paper", name="paper.docx", content=docx("Norephedrine trends"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.text:
            break
        time.sleep(0.1)
    assert document.text == "Norephedrine trends"
    assert [hit.id for hit in search_for_user(user=admin, query="norephedrine")] == [document.pk]
