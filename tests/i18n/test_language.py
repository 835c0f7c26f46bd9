"""Which language a person gets (their preference, then the browser), the switcher, dates and
numbers per locale, reference data and error messages in the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context
from django.template import Template
from django.utils import translation
from rest_framework.test import APIClient

from engagements.models import Engagement

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_browsers_language(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9,en;q=0.5")
    assert '<html lang="pt">' in page.content.decode()
    assert "Entrar" in page.content.decode()


def test_a_signed_in_users_preference_wins_over_the_browser(client, world):
    user = world.users["manager"]
    user.language = "fr"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(f"/engagements/{world.engagement.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="fr">' in page.content.decode()
    assert "Période" in page.content.decode()


def test_without_a_preference_the_browser_decides(client, world):
    client.force_login(world.users["manager"])
    page = client.get(f"/engagements/{world.engagement.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="es">' in page.content.decode()


def test_the_switcher_keeps_the_choice_as_the_users_preference(client, world):
    user = world.users["viewer"]
    client.force_login(user)
    response = client.post("/accounts/language/", {"language": "pt", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "pt"
    assert '<html lang="pt">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_in_the_switcher_changes_nothing(client, world):
    user = world.users["viewer"]
    client.force_login(user)
    client.post("/accounts/language/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "May 4, 2026"),
        ("es", "4 de mayo de 2026"),
        ("pt", "4 de Maio de 2026"),
        ("fr", "4 mai 2026"),
    ],
)
def test_pages_write_dates_the_way_each_language_does(client, world, language, expected):
    Engagement.objects.filter(pk=world.engagement.pk).update(start_date=date(2026, 5, 4))
    client.force_login(world.users["manager"])
    page = client.get(f"/engagements/{world.engagement.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()


@pytest.mark.parametrize(("language", "expected"), [("en", "1,234.5"), ("es", "1\u202f234,5"), ("pt", "1.234,5"), ("fr", "1\u202f234,5")])
def test_numbers_use_each_languages_separators(language, expected):
    with translation.override(language):
        rendered = Template("{% load humanize %}{{ n|floatformat:'1g' }}").render(Context({"n": Decimal("1234.5")}))
    assert rendered.replace("\xa0", "\u202f") == expected


@pytest.mark.parametrize(("language", "name"), [("es", "Perú"), ("pt", "Peru"), ("fr", "Pérou"), ("en", "Peru")])
def test_the_api_names_reference_data_in_the_requests_language(world, language, name):
    api = APIClient()
    api.force_authenticate(world.users["viewer"])
    assert api.get("/api/v1/countries/PE/", HTTP_ACCEPT_LANGUAGE=language).json()["name"] == name


@pytest.mark.parametrize(
    ("language", "message"),
    [("es", "Este campo es obligatorio."), ("pt", "Este campo é obrigatório."), ("fr", "Ce champ est obligatoire.")],
)
def test_api_errors_come_in_the_requests_language(world, language, message):
    api = APIClient()
    api.force_authenticate(world.users["manager"])
    response = api.post("/api/v1/engagements/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert message in response.json()["title"]
