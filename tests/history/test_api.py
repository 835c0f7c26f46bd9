"""The imports/ endpoints of docs/API.md: the shape of an import, who sees which, and what the upload
refuses before reading a workbook. Uploads through the service are in test_flow.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.apitokens import api_token_create
from history.models import HistoryImport
from history.samples import sample_workbook
from ta_portal.tabular import XLSX_CONTENT_TYPE
from tests.factories import make_user
from tests.history.factories import make_import

pytestmark = pytest.mark.django_db

ERRORS = [
    {"sheet": "measures", "row": 14, "column": "due_date", "message": "“2016-13-01” is not a date."},
    {"sheet": "engagements", "row": None, "column": "", "message": "The sheet has no “country” column."},
]


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='test')[1]}")
    return client


def test_an_import_reads_as_the_contract_says():
    manager = make_user("manager", "PE", username="rosa")
    history_import = make_import(
        manager,
        summary={"assessments": {"created": 2, "updated": 0, "unchanged": 1}},
        errors=ERRORS,
        rows_done=12,
        rows_total=12,
    )
    response = _client(manager).get(f"/api/v1/imports/{history_import.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "status", "dry_run", "summary", "errors")} == {
        "id": history_import.pk,
        "status": "done",
        "dry_run": True,
        "summary": {"assessments": {"created": 2, "updated": 0, "unchanged": 1}},
        "errors": ERRORS,
    }
    assert body["file_name"] == "peru-2011-2016.xlsx"
    assert body["sha256"] == history_import.sha256
    assert body["created_by"] == "rosa"
    assert body["error_count"] == 2
    assert body["progress"] == {"done": 12, "total": 12, "percent": 100}


def test_the_list_holds_the_callers_own_imports_newest_first_with_their_errors_counted():
    manager = make_user("manager", "PE")
    older = make_import(manager, file_name="older.xlsx", errors=ERRORS)
    newer = make_import(manager, file_name="newer.xlsx")
    make_import(make_user("manager", "PE"), file_name="someone-elses.xlsx")
    body = _client(manager).get("/api/v1/imports/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert [row["error_count"] for row in body["results"]] == [0, 2]
    assert "errors" not in body["results"][0]


def test_an_administrator_lists_and_reads_everyones_imports():
    history_import = make_import(make_user("manager", "CO"))
    admin = _client(make_user("admin"))
    assert admin.get("/api/v1/imports/").json()["count"] == 1
    assert admin.get(f"/api/v1/imports/{history_import.pk}/").status_code == 200


@pytest.mark.parametrize("key", ["0", "abc", "99999999999999999999", "1.5"])
def test_a_malformed_or_unknown_id_is_not_found(key):
    assert _client(make_user("admin")).get(f"/api/v1/imports/{key}/").status_code == 404


def test_someone_elses_import_is_not_found():
    history_import = make_import(make_user("manager", "PE"))
    response = _client(make_user("manager", "PE")).get(f"/api/v1/imports/{history_import.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["trainer", "counterpart", "viewer"])
def test_only_managers_and_admins_upload(role):
    response = _client(make_user(role, "PE")).post(
        "/api/v1/imports/", {"file": b"PK\x03\x04", "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 403
    assert HistoryImport.objects.count() == 0


def test_the_upload_takes_multipart_only():
    client = _client(make_user("manager", "PE"))
    response = client.post("/api/v1/imports/", {"file": "UEsDBA==", "dry_run": True}, format="json")
    assert response.status_code == 415
    assert HistoryImport.objects.count() == 0


def test_an_upload_without_a_file_names_the_field():
    response = _client(make_user("manager", "PE")).post("/api/v1/imports/", {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert HistoryImport.objects.count() == 0


def test_the_list_costs_the_same_queries_with_many_imports():
    manager = make_user("manager", "PE")
    client = _client(manager)
    make_import(manager, errors=ERRORS)
    client.get("/api/v1/imports/")  # the token is looked up once, then served from the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/imports/").status_code == 200
    for _n in range(15):
        make_import(manager, errors=ERRORS)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/imports/").json()["count"] == 16
    assert len(many) == len(few)


def _workbook_upload(content=None, name="peru.xlsx"):
    return SimpleUploadedFile(name, sample_workbook(rows=60) if content is None else content, XLSX_CONTENT_TYPE)


def test_an_upload_is_a_dry_run_unless_told_otherwise(django_capture_on_commit_callbacks):
    client = _client(make_user("manager", "PE"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports/", {"file": _workbook_upload()}, format="multipart")
    assert response.status_code == 201
    history_import = HistoryImport.objects.get(pk=response.json()["id"])
    assert history_import.dry_run
    body = client.get(f"/api/v1/imports/{history_import.pk}/").json()
    assert body["status"] == "done" and body["errors"] == [] and body["summary"]["engagements"]["created"] == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"not a workbook at all", "notes.xlsx"), (b"%PDF-1.4\n%%EOF\n", "report.xlsx"), (b"", "empty.xlsx")],
)
def test_a_bad_file_is_refused_on_its_field_and_nothing_is_stored(content, name):
    client = _client(make_user("manager", "PE"))
    response = client.post(
        "/api/v1/imports/", {"file": _workbook_upload(content, name), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"] and response.json()["file"]
    assert HistoryImport.objects.count() == 0
