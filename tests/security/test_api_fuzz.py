"""Schema-driven fuzzing of the REST API with Schemathesis, in-process against the WSGI app.

Every operation of ``/api/schema/`` is called with the schema's examples, with its boundary
(coverage) cases and with generated data, by a signed-in user of each role over the demo world,
and once without credentials. Each answer must not be a server error and must match what the
schema says (status code, content type, body); without credentials everything but asking for a
token must be refused (401/403).

``SCHEMATHESIS_MAX_EXAMPLES`` sets how many generated requests each operation gets (small here so
the test stays quick; ``make fuzz-api`` runs it with a much larger budget).
"""

import json
import os
from io import StringIO
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db import transaction
from django.urls import Resolver404
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from accounts.apitokens import api_token_create
from accounts.models import User
from tests.authz import ROLES

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))

# Operations that answer without credentials (method, path).
PUBLIC = {("POST", "/api/v1/auth/token/")}

# The demo users (README, "Demo logins"), one per role, with real data of their countries.
DEMO_USER = {
    "admin": "admin",
    "manager": "manager",
    "trainer": "trainer",
    "counterpart": "counterpart",
    "viewer": "viewer",
}

# Phases: the schema's examples, generated data ("fuzzing") and, in `make fuzz-api`, "coverage" (every
# boundary and invalid value the schema implies, unbounded by SCHEMATHESIS_MAX_EXAMPLES, so slow).
# The stateful phase runs only under the command-line runner, not in pytest.
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing").split(",")

CONFIG = {
    "phases": {name: {"enabled": name in PHASES} for name in ("examples", "coverage", "fuzzing", "stateful")},
    # Repeatable or new draws, as the Hypothesis profile of the run says (tests/conftest.py).
    "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": settings.default.derandomize},
    # What is checked is listed at each call: generated bodies may be refused by rules the schema
    # cannot state (unique names, the caller's countries), which is no error.
    "checks": {"enabled": False},
}


def _served_schema() -> dict:
    """The schema ``/api/schema/`` serves, generated in-process (no request: the public schema)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_served_schema(), config=SchemathesisConfig.from_dict(CONFIG))
schema.app = get_wsgi_application()


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module and rolled back at its end; each test's own
    writes are rolled back after it (the ``db`` fixture nests inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _same_connection_for_requests(demo_world, db):
    """Django closes "old" connections around each request; in a test that would drop the open
    transaction (Django's test client disconnects the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _token(role: str) -> str:
    # A fresh token for every call: the fuzzed DELETE auth/token/ and auth/tokens/{id}/ revoke them.
    return api_token_create(user=User.objects.get(username=DEMO_USER[role]), name="fuzz")[1]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=MAX_EXAMPLES)
def test_every_role_gets_no_server_error_and_answers_that_match_the_schema(case):
    for role in ROLES:
        try:
            case.call_and_validate(headers={"Authorization": f"Token {_token(role)}"}, checks=CHECKS)
        except Exception as exc:
            exc.add_note(f"(sent as the demo {role})")
            raise


def _names_an_endpoint(path: str, query: dict) -> bool:
    """Whether the request reaches a view at all: a malformed id matches no route, and a format the
    API does not have (``?format=x``, ``/1.x/``) is refused by content negotiation, both with a
    404 before authentication, and so before any data."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    formats = {renderer.format for renderer in match.func.cls.renderer_classes}
    return {match.kwargs.get("format") or "json", query.get("format") or "json"} <= formats


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=MAX_EXAMPLES)
def test_no_operation_answers_without_credentials(case):
    response = case.call()
    assert response.status_code < 500
    if (case.method.upper(), case.operation.path) in PUBLIC:
        return
    path = unquote(urlsplit(response.request.url).path)
    expected = (401, 403) if _names_an_endpoint(path, case.query or {}) else (404,)
    assert response.status_code in expected, f"{case.method} {path} {case.query}: {response.status_code}"


def test_the_fuzzed_schema_is_the_one_served(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json() == schema.raw_schema
