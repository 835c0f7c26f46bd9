"""API error messages come in the caller's language: their stored preference, else Accept-Language,
with a token as with a session."""

import pytest
from rest_framework.test import APIClient

from accounts.apitokens import api_token_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BAD_DATES = {"country": "PE", "title": "T", "phase": "planning", "start_date": "2026-05-01", "end_date": "2026-01-01"}
SPANISH = "La fecha de fin no puede ser anterior a la fecha de inicio."
FRENCH = "La date de fin ne peut pas être antérieure à la date de début."
PORTUGUESE = "A data de término não pode ser anterior à data de início."


def _token_client(user) -> APIClient:
    _token, key = api_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _errors(response) -> str:
    assert response.status_code == 400, response.content
    return str(response.json())


def test_a_token_caller_gets_errors_in_their_preferred_language():
    client = _token_client(make_user("manager", "PE", language="es"))
    response = client.post("/api/v1/engagements/", BAD_DATES, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert SPANISH in _errors(response)
    assert response["Content-Language"] == "es"


def test_a_token_caller_without_a_preference_gets_the_accept_language():
    client = _token_client(make_user("manager", "PE"))
    response = client.post("/api/v1/engagements/", BAD_DATES, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert FRENCH in _errors(response)


def test_a_session_caller_gets_errors_in_their_preferred_language():
    client = APIClient()
    client.force_login(make_user("manager", "PE", language="pt"))
    assert PORTUGUESE in _errors(client.post("/api/v1/engagements/", BAD_DATES, format="json"))


def test_the_next_caller_is_not_answered_in_the_previous_one_s_language():
    _token_client(make_user("manager", "PE", language="es")).post("/api/v1/engagements/", BAD_DATES, format="json")
    client = _token_client(make_user("manager", "PE", username="english"))
    response = client.post("/api/v1/engagements/", BAD_DATES, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "The end date must not be before the start date." in _errors(response)
