"""Hostile result files: huge cells, NUL bytes, damaged workbooks, archive bombs, Unicode and
right-to-left names. Each gets a clear error with nothing saved, or is imported intact; never a 500."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engagements.models import Person
from tests.trainings.factories import SessionFactory
from tests.trainings.test_import import as_xlsx
from tests.trainings.test_import import post_file
from tests.trainings.test_import import snapshot
from tests.trainings.test_import import upload

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def session(world):
    return SessionFactory(engagement=world.engagement, trainers=[world.users["trainer"]])


@pytest.fixture
def trainer_client(client, world):
    client.force_login(world.users["trainer"])
    return client


def _refused_with(response, before, text: str) -> None:
    assert response.status_code == 200
    assert text in response.content.decode()
    assert snapshot() == before


def _xlsx_bomb() -> bytes:
    """A real workbook whose shared strings part inflates to about 300 MB from a few hundred KB."""
    source = zipfile.ZipFile(io.BytesIO(as_xlsx([["full_name", "pre_score"], ["Ana", 10]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item.filename, source.read(item.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"A" * (1 << 20)
            for _ in range(300):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_csv_cell_longer_than_the_csv_reader_accepts_is_refused_naming_the_line(trainer_client, session):
    before = snapshot()
    content = b"full_name,pre_score\nAna,10\n" + b"x" * 300_000 + b",10\n"
    response = post_file(trainer_client, session, SimpleUploadedFile("r.csv", content, content_type="text/csv"))
    _refused_with(response, before, "cannot be read as CSV (line 3)")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_huge_name_is_reported_on_its_row_and_nothing_is_saved(fmt, trainer_client, session):
    before = snapshot()
    response = post_file(trainer_client, session, upload(fmt, [["full_name", "pre_score"], ["Ж" * 100_000, 10]]))
    assert response.status_code == 200
    assert snapshot() == before
    assert "full_name" in response.content.decode()


def test_a_nul_byte_in_a_csv_cell_is_refused_on_its_row_not_sent_to_the_database(trainer_client, session):
    before = snapshot()
    content = b"full_name,email,pre_score\nAna\x00Paz,ana@example.org,10\n"
    response = post_file(trainer_client, session, SimpleUploadedFile("r.csv", content, content_type="text/csv"))
    assert response.status_code == 200
    assert snapshot() == before
    assert "full_name" in response.content.decode()


def test_a_workbook_with_a_damaged_sheet_is_refused(trainer_client, session):
    source = zipfile.ZipFile(io.BytesIO(as_xlsx([["full_name", "pre_score"], ["Ana", 10]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the XML
            archive.writestr(item.filename, data)
    before = snapshot()
    response = post_file(trainer_client, session, SimpleUploadedFile("r.xlsx", out.getvalue(), content_type=XLSX_TYPE))
    _refused_with(response, before, "cannot be read as an XLSX workbook")


def test_a_zip_without_a_workbook_is_refused(trainer_client, session):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    before = snapshot()
    response = post_file(trainer_client, session, SimpleUploadedFile("r.xlsx", out.getvalue(), content_type=XLSX_TYPE))
    _refused_with(response, before, "cannot be read as an XLSX workbook")


def test_an_xlsx_archive_bomb_is_refused_without_inflating_it_in_memory(trainer_client, session):
    bomb = _xlsx_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # under the upload limit: only the inflation check stops it
    before = snapshot()
    tracemalloc.start()
    try:
        response = post_file(trainer_client, session, SimpleUploadedFile("r.xlsx", bomb, content_type=XLSX_TYPE))
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _refused_with(response, before, "archive bomb")
    assert peak < 64 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unicode_and_right_to_left_names_are_imported_exactly(fmt, trainer_client, session):
    names = ["محمد الأحمد", "דנה לוי", "\u202eAna Paz", "Łukasz Żółć 漢字"]
    rows = [["full_name", "email", "pre_score"]] + [[n, f"rtl{i}@example.net", 10] for i, n in enumerate(names)]
    response = post_file(trainer_client, session, upload(fmt, rows))
    assert response.status_code == 302
    assert sorted(Person.objects.filter(email__endswith="@example.net").values_list("full_name", flat=True)) == sorted(
        names
    )
