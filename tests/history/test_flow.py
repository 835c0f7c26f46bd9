"""A manager's history import through the pages, with the real service and workbooks: the dry run,
its summary, the real import from its button; bad files refused with a form error and nothing
stored; the template and the exports as downloads."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from engagements.models import Engagement
from engagements.models import Programme
from followups.models import Measure
from history.exporter import write_history_workbook
from history.models import HistoryImport
from history.samples import sample_rows
from history.samples import sample_workbook
from ta_portal.bodylimit import view_body_limit
from ta_portal.tabular import XLSX_CONTENT_TYPE
from ta_portal.uploads import WORKBOOK
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def workbook() -> bytes:
    """A programme's six years in Peru, about sixty rows."""
    return sample_workbook(rows=60, country="PE")


@pytest.fixture
def manager(client):
    user = make_user("manager", "PE", username="maria")
    client.force_login(user)
    return user


def upload(client, content: bytes, *, name="peru-2011-2016.xlsx", dry_run=True, capture):
    data = {"file": SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(reverse("history:import_list"), data)


def stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "history"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_dry_run_then_the_real_import_from_its_button(client, manager, workbook, django_capture_on_commit_callbacks):
    # when the manager uploads the workbook with "dry run first" (the default)
    response = upload(client, workbook, capture=django_capture_on_commit_callbacks)

    # then the dry run's page shows its summary, no errors, and nothing was saved
    dry_run = HistoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == dry_run.get_absolute_url()
    assert dry_run.dry_run and dry_run.status == HistoryImport.Status.DONE and dry_run.errors == []
    expected = {sheet: len(rows) for sheet, rows in sample_rows(rows=60, country="PE").items()}
    assert {sheet: counts["created"] for sheet, counts in dry_run.summary.items() if counts["created"]} == expected
    assert not Engagement.objects.exists()
    html = client.get(dry_run.get_absolute_url()).content.decode()
    assert "Import for real" in html and "import-errors" not in html
    assert f'<th scope="row">measures</th><td class="text-end">{expected["measures"]}</td>' in html

    # when they import it for real from the button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("history:import_confirm", args=[dry_run.pk]))

    # then they land on the real import's page, done, with the records saved
    real = HistoryImport.objects.get(dry_run=False)
    assert response.status_code == 302 and response["Location"] == real.get_absolute_url()
    assert real.confirms == dry_run and real.status == HistoryImport.Status.DONE
    assert Engagement.objects.filter(country_id="PE").count() == expected["engagements"]
    assert Measure.objects.count() == expected["measures"]
    html = client.get(real.get_absolute_url()).content.decode()
    assert "Done" in html and "<progress" not in html and "Import for real" not in html
    assert reverse("history:import_detail", args=[dry_run.pk]) in html
    # the dry run now points at it and offers nothing more; a second confirmation is refused
    html = client.get(dry_run.get_absolute_url()).content.decode()
    assert real.get_absolute_url() in html and "Import for real" not in html
    response = client.post(reverse("history:import_confirm", args=[dry_run.pk]), follow=True)
    assert response.redirect_chain[-1][0] == dry_run.get_absolute_url()
    assert "This dry run was already confirmed." in response.content.decode()
    assert HistoryImport.objects.count() == 2


def test_a_workbook_with_errors_lists_each_with_its_sheet_row_and_column(
    client, manager, django_capture_on_commit_callbacks
):
    rows = sample_rows(rows=60, country="PE")
    rows["measures"][1]["priority"] = "urgent"
    rows["engagements"][0]["start_date"] = "the spring of 2011"

    upload(client, write_history_workbook(rows), capture=django_capture_on_commit_callbacks)

    history_import = HistoryImport.objects.get()
    assert history_import.status == HistoryImport.Status.DONE
    html = client.get(history_import.get_absolute_url()).content.decode()
    table = re.search(r'<table[^>]*id="import-errors".*?</table>', html, re.S).group(0)
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]
    located = {(sheet, row, column) for sheet, row, column, _message in cells}
    assert ("engagements", "2", "start_date") in located
    assert ("measures", "3", "priority") in located
    assert len(cells) == len(history_import.errors)
    assert "Import for real" not in html
    assert not Engagement.objects.exists()


def test_a_real_import_straight_away_when_the_box_is_unticked(
    client, manager, workbook, django_capture_on_commit_callbacks
):
    upload(client, workbook, dry_run=False, capture=django_capture_on_commit_callbacks)
    history_import = HistoryImport.objects.get()
    assert not history_import.dry_run and history_import.status == HistoryImport.Status.DONE
    assert Engagement.objects.filter(country_id="PE").exists()


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.xlsx", b"Engagements of Peru, 2011 to 2016\n", "is not an Excel workbook (.xlsx)"),
        ("report.xlsx", _pdf(), "is not an Excel workbook (.xlsx)"),
        ("letter.xlsx", _docx(), "is not an Excel workbook (.xlsx)"),
        ("empty.xlsx", b"", "The submitted file is empty."),
        ("damaged.xlsx", b"PK\x03\x04" + b"\x00" * 200, "is not an Excel workbook (.xlsx)"),
    ],
)
def test_a_file_that_is_no_workbook_gets_a_form_error_and_nothing_is_stored(
    client, manager, name, content, message, django_capture_on_commit_callbacks
):
    response = upload(client, content, name=name, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "invalid-feedback" in html  # under the file field
    assert HistoryImport.objects.count() == 0
    assert stored_files() == []


def test_a_workbook_over_the_size_limit_is_refused_with_the_limit(
    client, manager, workbook, settings, django_capture_on_commit_callbacks
):
    settings.HISTORY_IMPORT_MAX_BYTES = len(workbook) - 1
    response = upload(client, workbook, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "files may be at most" in response.content.decode()
    assert HistoryImport.objects.count() == 0 and stored_files() == []


def test_a_request_larger_than_the_upload_allows_is_refused_unread(client, manager, settings):
    settings.HISTORY_IMPORT_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.xlsx", b"x" * (2 * 1024 * 1024), content_type=XLSX_CONTENT_TYPE)
    response = client.post(reverse("history:import_list"), {"file": big})
    assert response.status_code == 413
    assert HistoryImport.objects.count() == 0


def test_the_upload_page_accepts_a_workbook_larger_than_a_form_may_be(client, manager, settings):
    """The page takes bodies up to the workbook limit, above the ordinary form limit."""
    limit = view_body_limit(resolve(reverse("history:import_list")).func, "POST")
    assert limit == WORKBOOK.request_max_bytes() > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert view_body_limit(resolve("/api/v1/imports/").func, "POST") == limit


@pytest.mark.parametrize(("language", "instructions"), [("en", "Instructions"), ("es", "Instrucciones")])
def test_the_template_comes_in_the_users_language(client, language, instructions):
    client.force_login(make_user("manager", "PE", language=language))
    response = client.get(reverse("history:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert re.match(r'attachment; filename="history-template-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[0] == instructions
    with translation.override(language):
        first = next(book.worksheets[0].iter_rows(values_only=True))[0]
        assert first == translation.gettext("History workbook of the TA Portal")
    assert {"engagements", "measures"} <= set(book.sheetnames)


def test_an_exported_country_imports_back_unchanged(client, manager, workbook, django_capture_on_commit_callbacks):
    upload(client, workbook, dry_run=False, capture=django_capture_on_commit_callbacks)

    response = client.get(reverse("history:export") + "?country=pe")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="history-pe-' in response["Content-Disposition"]
    upload(client, response.content, name="export.xlsx", capture=django_capture_on_commit_callbacks)

    again = HistoryImport.objects.get(file_name="export.xlsx")
    assert again.errors == []
    assert all(counts["created"] == counts["updated"] == 0 for counts in again.summary.values()), again.summary


def test_a_programme_export_holds_its_engagements(client, manager, django_capture_on_commit_callbacks):

    programme = Programme.objects.create(name="Precursor programme 2011–2016", code="pcp-2011")
    rows = sample_rows(rows=60, country="PE")
    for row in rows["engagements"]:
        row["programme"] = programme.code

    upload(client, write_history_workbook(rows), dry_run=False, capture=django_capture_on_commit_callbacks)
    response = client.get(reverse("history:export") + f"?programme={programme.pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["engagements"]
    exported = list(sheet.iter_rows(values_only=True))
    assert len(exported) == 1 + len(rows["engagements"])
