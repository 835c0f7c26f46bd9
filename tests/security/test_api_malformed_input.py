"""What schema fuzzing of the API turned up, pinned: malformed ids are 404 (never 500), API 404s
are JSON, dates stay ISO 8601, times match the schema, and demo data is valid."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.validators import validate_email
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from engagements.models import Engagement
from engagements.models import Person
from ta_portal.schema import LOCAL_TIME

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    client = APIClient()
    client.force_login(world.users["admin"])
    return client


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/assessments/null,null/report/"),
        ("post", "/api/v1/assessments/abc/report/"),
        ("post", "/api/v1/events/false/participants/"),
    ],
)
def test_a_malformed_id_in_an_api_action_is_not_found(admin_client, method, path):
    response = getattr(admin_client, method)(path, {}, format="json")
    assert response.status_code == 404


def test_an_api_url_that_matches_no_route_answers_json_404(admin_client):
    response = admin_client.get("/api/v1/agencies/1/no-such-part/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_url_that_matches_no_route_keeps_the_html_404(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_date_before_year_1000_is_answered_in_iso_8601(admin_client, world):
    # The API and the forms accept 1900-2199 only (tests/test_api_dates.py); a row stored otherwise
    # (older data, the admin's raw SQL) is still answered in ISO 8601.
    Engagement.objects.filter(pk=world.engagement.pk).update(start_date=date(126, 4, 28))
    response = admin_client.get(f"/api/v1/engagements/{world.engagement.pk}/")
    assert response.status_code == 200
    assert response.json()["start_date"] == "0126-04-28"


def test_a_refused_report_download_answers_json_even_when_pdf_is_asked_for(admin_client):
    response = admin_client.get("/api/v1/reports/999999/download/?format=pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_times_of_day_are_documented_as_local_times_the_api_answers():
    roundtable = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Roundtable"]
    start = roundtable["properties"]["start_time"]
    assert "format" not in start
    assert re.match(start["pattern"], "09:00:00") and re.match(start["pattern"], "09:00")
    assert start["pattern"] == LOCAL_TIME


def test_every_demo_e_mail_address_is_valid():
    call_command("seed_demo", stdout=StringIO())
    emails = list(Person.objects.exclude(email="").values_list("email", flat=True))
    assert len(emails) > 100
    for email in emails:
        validate_email(email)


@pytest.mark.parametrize("path", ["/api/v1/events/", "/api/v1/external-recommendations/"])
@pytest.mark.parametrize("year, status", [("0", 400), ("1.5", 400), ("10000", 400), ("2025", 200)])
def test_a_year_filter_takes_only_a_year_a_date_can_have(admin_client, path, year, status):
    assert admin_client.get(path, {"year": year}).status_code == status


def test_the_training_statistics_page_ignores_year_zero(admin_client):
    assert admin_client.get("/trainings/statistics/", {"year": "0"}).status_code == 200
