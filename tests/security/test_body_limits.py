"""Request bodies are refused from their Content-Length, before a byte of them is read: each page or
endpoint that takes files accepts its upload policy's limit plus the multipart allowance, the token
endpoint a few KiB of JSON, everything else DATA_UPLOAD_MAX_MEMORY_SIZE. The docker-compose proxy
refuses anything over the largest of them, so the two are checked against each other."""

import re
from functools import partial
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import resolve
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.token_api import TOKEN_BODY_LIMIT
from followups.models import Evidence
from ta_portal.bodylimit import view_body_limit
from ta_portal.uploads import EVIDENCE
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import MULTIPART_ALLOWANCE
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report
from tests.test_i18n import catalogue  # noqa: F401 (fixtures)
from tests.test_i18n import compiled  # noqa: F401 (fixtures)
from trainings.files import IMPORT_MAX_BYTES

pytestmark = pytest.mark.clock_sensitive

MiB = 1024 * 1024
ROOT = Path(settings.BASE_DIR)


class CountedBody:
    """A request body that records every attempt to read it (and yields nothing, like a client
    that is still sending)."""

    def __init__(self):
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return b""

    readline = read


def post_unread(client, path: str, length, content_type="multipart/form-data; boundary=limit-test", **headers):
    """POST announcing ``length`` bytes through the WSGI handler, with a body that only counts reads."""
    body = CountedBody()
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **headers,
    )
    return response, body


def test_an_anonymous_50_mib_multipart_post_to_the_token_endpoint_is_refused_unread(client, db):
    response, body = post_unread(client, "/api/v1/auth/token/", 50 * MiB)
    assert response.status_code == 413
    assert body.reads == 0
    assert "too large" in response.json()["detail"]


@pytest.fixture
def draft(db):
    engagement = other_engagement("PE")
    counterpart = make_user(Role.COUNTERPART, "PE", username="rosa")
    update = report(make_measure(engagement), open_round(engagement), counterpart, submit=False)
    return update


def test_a_60_mib_evidence_upload_is_refused_unread_and_nothing_is_saved(client, draft):
    client.force_login(draft.created_by)
    response, body = post_unread(client, f"/api/v1/status-updates/{draft.pk}/evidence/", 60 * MiB)
    assert response.status_code == 413
    assert body.reads == 0
    assert not Evidence.objects.exists()


def test_a_report_page_post_over_ten_evidence_files_is_refused_unread_with_a_plain_page(client, draft):
    client.force_login(draft.created_by)
    path = f"/followups/rounds/{draft.round_id}/measures/{draft.measure_id}/"
    response, body = post_unread(client, path, EVIDENCE.request_max_bytes() + 1)
    assert response.status_code == 413
    assert body.reads == 0
    assert response["Content-Type"].startswith("text/plain")
    assert not Evidence.objects.exists()


def test_the_refusal_speaks_the_clients_language(client, db, catalogue):  # noqa: F811
    response, _body = post_unread(client, "/accounts/login/", 20 * MiB, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 413
    assert "La solicitud es demasiado grande" in response.content.decode()


def test_a_body_at_the_limit_reaches_the_view(client, draft):
    client.force_login(draft.created_by)
    response, body = post_unread(client, f"/api/v1/status-updates/{draft.pk}/evidence/", EVIDENCE.request_max_bytes(1))
    assert response.status_code == 400  # the (empty) body was read and refused as a malformed upload
    assert body.reads > 0


def test_an_invalid_content_length_is_refused_unread(client, db):
    response, body = post_unread(client, "/accounts/login/", "12abc")
    assert response.status_code == 400
    assert body.reads == 0


def test_the_token_endpoint_takes_json_only(db):
    user = make_user(Role.VIEWER, "PE")
    form = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert form.status_code == 415
    good = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert good.status_code == 200
    assert good.json()["token"]


def test_the_largest_valid_token_request_fits_its_limit(db):
    # Every field at its maximum length, each character escaped by the client as \uXXXX.
    body = {"username": "\u00e9" * 150, "password": "\u00e9" * 4096, "otp": "1" * 12, "name": "\u00e9" * 100}
    encoded = "{" + ",".join(f'"{k}":"' + "".join(f"\\u{ord(c):04x}" for c in v) + '"' for k, v in body.items()) + "}"
    assert len(encoded) < TOKEN_BODY_LIMIT
    response = APIClient().generic("POST", "/api/v1/auth/token/", encoded, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "method", "limit"),
    [
        ("/api/v1/auth/token/", "POST", lambda: TOKEN_BODY_LIMIT),
        ("/api/v1/status-updates/1/evidence/", "POST", partial(EVIDENCE.request_max_bytes, 1)),
        ("/followups/rounds/1/measures/1/", "POST", EVIDENCE.request_max_bytes),
        ("/followups/measures/1/", "POST", EVIDENCE.request_max_bytes),
        ("/api/v1/documents/", "POST", LIBRARY.request_max_bytes),
        ("/api/v1/documents/1/", "PATCH", LIBRARY.request_max_bytes),
        ("/network/documents/new/", "POST", LIBRARY.request_max_bytes),
        ("/network/documents/1/replace/", "POST", LIBRARY.request_max_bytes),
        ("/trainings/sessions/1/import/", "POST", lambda: IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE),
        ("/api/v1/status-updates/", "POST", lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        ("/accounts/login/", "POST", lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
    ],
)
def test_each_page_and_endpoint_that_takes_files_has_its_policys_limit(path, method, limit):
    assert view_body_limit(resolve(path).func, method) == limit()


def test_the_limits_follow_the_settings_of_the_policies(settings):
    settings.FOLLOWUP_EVIDENCE_MAX_BYTES = 1 * MiB
    assert view_body_limit(resolve("/api/v1/status-updates/1/evidence/").func, "POST") == 1 * MiB + MULTIPART_ALLOWANCE


# The proxy in docker-compose ------------------------------------------------------------------


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def largest_portal_limit() -> int:
    return max(
        view_body_limit(view, method)
        for view in _callbacks(get_resolver().url_patterns)
        for method in ("POST", "PUT", "PATCH")
    )


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}[unit.lower()]


def test_nginx_is_in_front_of_gunicorn_in_docker_compose_with_the_portals_largest_limit():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    nginx, web = services["nginx"], services["web"]
    assert nginx["image"].split(":")[0] == "nginx"
    assert "ports" not in web  # only through the proxy
    assert any(str(port).endswith(":80") for port in nginx["ports"])
    assert "web" in nginx["depends_on"]
    # The proxy appends the client's address to X-Forwarded-For: the portal trusts exactly one hop.
    assert str(web["environment"]["TRUSTED_PROXY_COUNT"]) == "1"
    mount = next(volume for volume in nginx["volumes"] if volume.endswith(":/etc/nginx/conf.d/default.conf:ro"))
    config = (ROOT / mount.split(":")[0]).read_text()
    assert re.search(r"proxy_pass\s+http://web:8000\s*;", config)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for\s*;", config)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme\s*;", config)
    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+)\s*;", config, re.MULTILINE)
    assert [nginx_size(size) for size in sizes] == [largest_portal_limit()]
