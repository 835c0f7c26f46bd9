"""The history pages: who reaches them, what an import's page shows in each state, and the queries
a list costs. Uploads, confirmations and downloads through the real service are in test_flow.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from history import progress
from history.models import HistoryImport
from tests.factories import make_user
from tests.history.factories import make_import

pytestmark = pytest.mark.django_db

ERRORS = [
    {"sheet": "measures", "row": 14, "column": "due_date", "message": "“2016-13-01” is not a date."},
    {"sheet": "measures", "row": 15, "column": "status", "message": "“done” is not a measure status."},
    {"sheet": "engagements", "row": None, "column": "", "message": "The sheet has no “country” column."},
]


def _signed_in(client, role, *countries):
    user = make_user(role, *countries)
    client.force_login(user)
    return user


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_find_the_history_in_the_navigation(client, role):
    _signed_in(client, role, "PE")
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("history:import_list")}"' in html


@pytest.mark.parametrize("role", ["trainer", "counterpart", "viewer"])
def test_other_roles_neither_see_the_entry_nor_open_the_page(client, role):
    _signed_in(client, role, "PE")
    assert f'href="{reverse("history:import_list")}"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("history:import_list")).status_code == 403


def test_the_imports_page_offers_the_upload_with_a_dry_run_first_the_template_and_the_exports(client):
    _signed_in(client, "manager", "PE", "CO")
    html = client.get(reverse("history:import_list")).content.decode()
    assert 'type="file"' in html and 'accept=".xlsx"' in html and 'enctype="multipart/form-data"' in html
    checkbox = re.search(r'<input[^>]*name="dry_run"[^>]*>', html).group(0)
    assert "checked" in checkbox
    assert "A dry run saves nothing and lists every error in the workbook" in html
    assert f'href="{reverse("history:template")}"' in html
    # the countries the manager manages, and only those, to export
    country_select = re.search(r'<select[^>]*name="country".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w+)"', country_select) == ["CO", "PE"]


def test_a_manager_lists_their_own_imports_only_and_an_admin_everyones(client):
    manager = make_user("manager", "PE")
    make_import(manager, file_name="mine.xlsx")
    make_import(make_user("manager", "PE"), file_name="a-colleagues.xlsx")
    client.force_login(manager)
    html = client.get(reverse("history:import_list")).content.decode()
    assert "mine.xlsx" in html and "a-colleagues.xlsx" not in html

    client.force_login(make_user("admin"))
    html = client.get(reverse("history:import_list")).content.decode()
    assert "mine.xlsx" in html and "a-colleagues.xlsx" in html


def test_another_users_import_is_not_found_even_in_the_same_country(client):
    history_import = make_import(make_user("manager", "PE"))
    _signed_in(client, "manager", "PE")
    for name in ("history:import_detail", "history:import_progress"):
        assert client.get(reverse(name, args=[history_import.pk])).status_code == 404
    assert client.post(reverse("history:import_confirm", args=[history_import.pk])).status_code == 404
    assert HistoryImport.objects.count() == 1


def test_a_finished_dry_run_shows_who_when_the_checksum_the_summary_per_sheet_and_every_error(client):
    manager = _signed_in(client, "manager", "PE")
    history_import = make_import(
        manager,
        summary={
            "measures": {"created": 0, "updated": 0, "unchanged": 0},
            "assessments": {"created": 3, "updated": 1, "unchanged": 2},
            "engagements": {"created": 1, "updated": 0, "unchanged": 0},
        },
        errors=ERRORS,
        file_name="peru 2011–2016.xlsx",
    )
    response = client.get(history_import.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "peru 2011–2016.xlsx" in html
    assert manager.username in html
    assert history_import.sha256 in html
    assert "Done" in html
    # sheet by sheet in the workbook's order
    assert _table_rows(html, "import-summary") == [
        ["engagements", "1", "0", "0"],
        ["assessments", "3", "1", "2"],
        ["measures", "0", "0", "0"],
    ]
    assert _table_rows(html, "import-errors") == [
        ["measures", "14", "due_date", "“2016-13-01” is not a date."],
        ["measures", "15", "status", "“done” is not a measure status."],
        ["engagements", "—", "—", "The sheet has no “country” column."],
    ]
    assert "3 errors" in html
    # with errors there is nothing to confirm, and nothing is running
    assert reverse("history:import_confirm", args=[history_import.pk]) not in html
    assert "<progress" not in html and "import-progress.js" not in html


def test_only_a_finished_dry_run_without_errors_offers_the_real_import(client):
    manager = _signed_in(client, "manager", "PE")
    clean = make_import(manager)
    html = client.get(clean.get_absolute_url()).content.decode()
    assert f'action="{reverse("history:import_confirm", args=[clean.pk])}"' in html
    assert "Import for real" in html
    for other in (
        make_import(manager, errors=ERRORS[:1]),
        make_import(manager, dry_run=False),
        make_import(manager, status=HistoryImport.Status.FAILED),
    ):
        html = client.get(other.get_absolute_url()).content.decode()
        assert "Import for real" not in html, other


def test_a_real_import_that_failed_says_nothing_was_saved_and_lists_its_errors(client):
    manager = _signed_in(client, "manager", "PE")
    failed = make_import(manager, dry_run=False, status=HistoryImport.Status.FAILED, summary={}, errors=ERRORS[:1])
    html = client.get(failed.get_absolute_url()).content.decode()
    assert "Failed" in html
    assert "Nothing was saved" in html
    assert _table_rows(html, "import-errors") == [["measures", "14", "due_date", "“2016-13-01” is not a date."]]


def test_the_progress_of_a_finished_import_is_complete(client):
    manager = _signed_in(client, "manager", "PE")
    history_import = make_import(manager, rows_done=40, rows_total=40)
    response = client.get(reverse("history:import_progress", args=[history_import.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "status": "done",
        "status_label": "Done",
        "finished": True,
        "done": 40,
        "total": 40,
        "percent": 100,
    }


def test_an_export_without_a_country_or_a_programme_says_what_to_choose(client):
    _signed_in(client, "manager", "PE")
    response = client.get(reverse("history:export"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("history:import_list")
    assert "Choose either a country or a programme to export." in response.content.decode()


@pytest.mark.parametrize("query", ["?country=XX", "?country=CO", "?programme=999999", "?programme=abc", "?country=%00"])
def test_an_export_of_anything_outside_the_scope_is_not_found(client, query):
    _signed_in(client, "manager", "PE")
    assert client.get(reverse("history:export") + query).status_code == 404


def test_the_imports_page_costs_the_same_queries_with_many_imports(client):
    admin = _signed_in(client, "admin")
    for n in range(2):
        make_import(make_user("manager", "PE"), errors=ERRORS, file_name=f"small-{n}.xlsx")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("history:import_list")).status_code == 200
    for n in range(20):
        make_import(make_user("manager", "PE"), errors=ERRORS, file_name=f"more-{n}.xlsx")
    make_import(admin)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("history:import_list")).content.decode()
    assert len(many) == len(few)
    # the errors are counted by the database, not loaded
    selected = [query["sql"].split(" FROM ")[0] for query in many.captured_queries]
    assert not any(re.search(r'"errors"(?!\))', columns) for columns in selected)
    assert any("ARRAY_LENGTH" in columns for columns in selected)
    assert ">3<" in html


def test_a_pending_import_shows_a_waiting_progress_bar_that_refreshes_itself_even_without_scripts(client):
    manager = _signed_in(client, "manager", "PE")
    pending = make_import(manager, status=HistoryImport.Status.PENDING, summary={})
    html = client.get(pending.get_absolute_url()).content.decode()
    assert '<label class="form-label" for="import-progress">Rows of the workbook read</label>' in html
    bar = re.search(r'<progress[^>]*id="import-progress"[^>]*>', html).group(0)
    assert "value=" not in bar  # indeterminate until the workbook is opened
    assert "Waiting for the workbook to be read…" in html
    # the script follows it; without scripts the page reloads itself, and a link does it by hand
    assert re.search(r'<script src="[^"]*history/import-progress[^"]*\.js"', html)
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', html)
    assert f'href="{pending.get_absolute_url()}">Refresh the page</a>' in html
    assert f'data-progress-url="{reverse("history:import_progress", args=[pending.pk])}"' in html
    assert "import-summary" not in html and "Import for real" not in html


def test_a_running_import_shows_the_rows_read_so_far(client):
    manager = _signed_in(client, "manager", "PE")
    running = make_import(manager, status=HistoryImport.Status.RUNNING, summary={})
    progress.report(running.pk, done=150, total=600)
    html = client.get(running.get_absolute_url()).content.decode()
    assert re.search(r'<progress[^>]*max="600" value="150"', html)
    assert "150 of 600 rows read (25 %)." in html
    response = client.get(reverse("history:import_progress", args=[running.pk]))
    assert response.json() == {
        "status": "running",
        "status_label": "Running",
        "finished": False,
        "done": 150,
        "total": 600,
        "percent": 25,
    }
