"""Uploads run in the background: through the API, a real Celery worker (Redis as the broker) reads
the workbook while the client polls the import, until it is done with its summary."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.apitokens import api_token_create
from engagements.models import Engagement
from history.samples import sample_rows
from history.samples import sample_workbook
from ta_portal.tabular import XLSX_CONTENT_TYPE
from tests.factories import make_user

pytestmark = pytest.mark.services


def _poll(client, url: str, seconds: float = 120) -> tuple[dict, list[dict]]:
    """The import once finished, and every state seen on the way."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(url).json()
        seen.append(body)
        if body["status"] in ("done", "failed"):
            return body, seen
        time.sleep(0.1)
    raise AssertionError(f"{url} not finished after {seconds} s: {seen[-1]}")


def test_an_upload_through_the_api_is_read_by_a_real_worker_while_the_client_polls(celery_worker):
    # given a manager of Peru with an API token, and a workbook of a programme's past in Peru
    manager = make_user("manager", "PE")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=manager, name='script')[1]}")
    expected = {sheet: len(rows) for sheet, rows in sample_rows(rows=400, country="PE").items()}

    # when they upload it for real (multipart), the answer comes at once, before the worker has read it
    response = client.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("peru.xlsx", sample_workbook(rows=400, country="PE"), XLSX_CONTENT_TYPE),
            "dry_run": "false",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["dry_run"] is False
    assert created["status"] == "pending" and created["summary"] == {} and created["errors"] == []
    assert response["Location"].endswith(f"/api/v1/imports/{created['id']}/")

    # then polling shows it through to done, its progress never going back, and its summary
    final, seen = _poll(client, f"/api/v1/imports/{created['id']}/")
    assert final["status"] == "done", final["errors"]
    assert final["errors"] == [] and final["error_count"] == 0
    assert {sheet: counts["created"] for sheet, counts in final["summary"].items() if counts["created"]} == expected
    total = sum(expected.values())
    assert final["progress"] == {"done": total, "total": total, "percent": 100}
    done = [body["progress"]["done"] for body in seen]
    assert done == sorted(done)
    assert all(body["progress"]["done"] <= body["progress"]["total"] for body in seen)
    assert Engagement.objects.filter(country_id="PE").count() == expected["engagements"]
