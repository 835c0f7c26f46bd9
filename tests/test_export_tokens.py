"""Every CSV/XLSX export answers an API token (``Authorization: Token …``) with the file, as the API
does, instead of sending the client to the sign-in page. The routes are found, not listed: a new
export route without the token rule, or without a case here, fails the first test."""

import re

import pytest
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse

from accounts.apitokens import api_token_create
from accounts.apitokens import api_token_revoke
from engagements.models import Programme
from tests.trainings.factories import SessionFactory

EXPORT_ROUTE = re.compile(r"(\.csv|\.xlsx|\.<str:fmt>)$|export")


def _routes(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from (
                (f"{pattern.pattern}{route}", name, view) for route, name, view in _routes(pattern.url_patterns, inner)
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield str(pattern.pattern), f"{namespace}{pattern.name}", pattern.callback


def export_routes() -> dict:
    """Page routes (not the API's, which authenticate tokens already) that download a CSV or XLSX."""
    return {
        name: view
        for route, name, view in _routes()
        if EXPORT_ROUTE.search(route) and not route.startswith("api/") and not name.startswith("admin:")
    }


def _with_programme(world):
    programme, _created = Programme.objects.get_or_create(code="token-programme", defaults={"name": "Token programme"})
    world.engagement.programme = programme
    world.engagement.save(update_fields=["programme"])
    return programme


def _session(world):
    return SessionFactory(engagement=world.engagement).pk


# Each export route with the URLs a manager of the own country downloads.
URLS = {
    "outcomes:programme_export": lambda w: [
        reverse("outcomes:programme_export", args=[_with_programme(w).code, fmt]) for fmt in ("csv", "xlsx")
    ],
    "outcomes:country_export": lambda w: [
        reverse("outcomes:country_export", args=[w.own, fmt]) for fmt in ("csv", "xlsx")
    ],
    "outcomes:list_export": lambda w: [
        reverse("outcomes:list_export", args=["engagements", fmt]) for fmt in ("csv", "xlsx")
    ],
    "history:template": lambda w: [reverse("history:template")],
    "history:export": lambda w: [reverse("history:export") + f"?country={w.own}"],
    "trainings:results_download": lambda w: [
        reverse("trainings:results_download", args=[_session(w), fmt]) for fmt in ("csv", "xlsx")
    ],
}


def test_every_export_route_takes_the_token_rule_and_has_a_case():
    routes = export_routes()
    assert set(URLS) <= set(routes), "a known export route is no longer found"
    assert set(routes) == set(URLS), f"export routes without a case here: {set(routes) - set(URLS)}"
    assert all(getattr(view, "accepts_api_token", False) for view in routes.values()), [
        name for name, view in routes.items() if not getattr(view, "accepts_api_token", False)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(URLS))
def test_an_export_answers_a_token_with_the_file(client, world, route):
    # given
    _token, key = api_token_create(user=world.users["manager"])
    # when
    responses = [(url, client.get(url, HTTP_AUTHORIZATION=f"Token {key}")) for url in URLS[route](world)]
    # then
    for url, response in responses:
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"].split(";")[0] in (
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ), url


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(URLS))
def test_an_export_refuses_a_revoked_token_and_sends_others_to_sign_in(client, world, route):
    token, key = api_token_create(user=world.users["manager"])
    api_token_revoke(token=token, by=world.users["manager"])
    url = URLS[route](world)[0]
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_a_token_reaches_only_its_users_countries(client, world):
    _token, key = api_token_create(user=world.users["manager"])
    url = reverse("outcomes:country_export", args=[world.other, "csv"])
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 404
