"""Runs every app's authorization cases: each role × own / other country → expected status."""

from importlib import import_module

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from ta_portal import api
from ta_portal.discovery import portal_modules
from tests.authz import ROLES


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


def _request(client, case, world, side):
    url = case.url(world, side)
    data = case.data(world, side) if case.data else None
    method = getattr(client, case.method.lower())
    if case.api:
        return method(url, data, format="json") if data is not None else method(url)
    return method(url, data) if data is not None else method(url)


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_role_gets_expected_status(case, role, side, world):
    # given
    if case.setup:
        case.setup(world)
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
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_credentials_are_refused(case, world):
    if case.setup:
        case.setup(world)
    response = _request(APIClient(), case, world, "own")
    assert response.status_code == case.anonymous_status()


def _named_routes(patterns, namespace=""):
    from django.urls import URLPattern, URLResolver

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
