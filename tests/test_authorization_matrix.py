"""Runs every app's authorization cases: each role × own / other country → expected status."""

import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from ta_portal import api
from ta_portal.discovery import portal_modules
from tests.authz import ROLES
from tests.factories import build_world
from tests.factories import reloaded


def _case_modules():
    modules = []
    for app in settings.PORTAL_APPS:
        try:
            modules.append(import_module(f"tests.{app}.authz_cases"))
        except ModuleNotFoundError as exc:
            if not f"tests.{app}.authz_cases".startswith(exc.name or "?"):
                raise
    return modules


CASE_MODULES = _case_modules()
CASES = [case for module in CASE_MODULES for case in module.CASES]
# An app's cases that build data from today are also run on other days (make test-clocks).
CASE_PARAMS = [
    pytest.param(
        case,
        id=case.name,
        marks=[pytest.mark.clock_sensitive] if getattr(module, "CLOCK_SENSITIVE", False) else [],
    )
    for module in CASE_MODULES
    for case in module.CASES
]


@pytest.fixture(autouse=True)
def _throwaway_media():
    """Replaces the per-test media directory of tests/conftest.py, which would hide the files a
    case's setup stored: the module's directory (``_module_media``) serves all its tests."""


@pytest.fixture(scope="module")
def stored_world(django_db_setup, django_db_blocker):
    """The world of every case, built once for the module's thousands of requests and rolled back
    at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def case_world(request, stored_world, django_db_blocker):
    """A case and its world, set up once for all the case's requests (its setup, building a round
    with reports or a session with scores, was most of their time), and rolled back before the next
    case's. Each test's own writes are rolled back after it: its ``db`` transaction nests in this one.
    (Parametrized indirectly over the cases, so pytest runs each case's tests together.)"""
    case = request.param
    with django_db_blocker.unblock(), transaction.atomic():
        world = reloaded(stored_world)
        if case.setup:
            case.setup(world)
        yield case, world
        transaction.set_rollback(True)


def _request(client, case, world, side):
    url = case.url(world, side)
    data = case.data(world, side) if case.data else None
    method = getattr(client, case.method.lower())
    if case.api:
        return method(url, data, format=case.extra.get("format", "json")) if data is not None else method(url)
    return method(url, data) if data is not None else method(url)


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case_world", CASE_PARAMS, indirect=True)
def test_role_gets_expected_status(case_world, role, side):
    # given
    case, world = case_world
    client = APIClient()
    client.force_login(world.users[role])
    # when
    response = _request(client, case, world, side)
    # then
    expected = case.expected[role][0 if side == "own" else 1]
    assert response.status_code == expected, (
        f"{case.name}: {role} on {side} country got {response.status_code}, expected {expected}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case_world", CASE_PARAMS, indirect=True)
def test_no_credentials_are_refused(case_world):
    case, world = case_world
    response = _request(APIClient(), case, world, "own")
    assert response.status_code == case.anonymous_status()


@pytest.mark.django_db
@pytest.mark.parametrize("case_world", CASE_PARAMS, indirect=True)
def test_each_case_requests_the_route_it_names(case_world):
    """The completeness checks below go by ``case.route``: it must be the route actually requested."""
    case, world = case_world
    for side in ("own", "other"):
        assert resolve(urlsplit(case.url(world, side)).path).view_name == case.route, (case.name, side)


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_routes(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_portal_page_and_api_endpoint_has_a_case():
    """A new page or endpoint needs a case, or its app's ``NOT_COUNTRY_DATA`` must name it."""
    routes = set()
    for module in portal_modules("urls"):
        routes |= set(_named_routes(module.urlpatterns, module.app_name))
    routes |= set(_named_routes(api.build_urlpatterns())) - {"api-root"}
    covered = {case.route for case in CASES}
    exempt = set().union(*(getattr(module, "NOT_COUNTRY_DATA", set()) for module in CASE_MODULES))
    assert sorted(routes - covered - exempt) == []


HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def _operation_route(path: str) -> str:
    """The route name of a schema path such as ``/api/v1/agencies/{id}/`` (placeholders filled in)."""
    return resolve(re.sub(r"\{[^}/]+\}", "1", path)).view_name


def test_every_openapi_operation_has_a_case():
    """Each operation (path and method) of the served OpenAPI schema is in the matrix, with its
    method: a new endpoint or a new method on an old one needs its role x country statuses."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        (method.upper(), path) for path, item in schema["paths"].items() for method in item if method in HTTP_METHODS
    ]
    assert len(operations) > 50  # the schema was generated in full
    covered = {(case.route, case.method.upper()) for case in CASES if case.api}
    missing = [f"{method} {path}" for method, path in operations if (_operation_route(path), method) not in covered]
    assert missing == []
