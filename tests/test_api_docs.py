"""OpenAPI schema and Swagger UI: a clean schema, and docs that load nothing from outside the portal."""

import re
from io import StringIO

import pytest
from django.core.management import call_command


def test_the_schema_validates_with_no_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue().startswith("openapi: 3")


@pytest.mark.django_db
def test_the_schema_is_served_and_describes_the_foundation_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/countries/",
        "/api/v1/agencies/",
        "/api/v1/people/",
        "/api/v1/engagements/",
        "/api/v1/engagements/{id}/",
    ):
        assert path in paths
    assert {"tokenAuth", "cookieAuth"} <= set(response.json()["components"]["securitySchemes"])


@pytest.mark.django_db
def test_swagger_ui_loads_only_local_assets_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(url.startswith("/static/") or url.startswith("/api/docs/") for url in urls), urls
    assert "<script>" not in html  # every script is a file (a strict Content-Security-Policy allows no inline code)
    for url in urls:
        assert client.get(url).status_code == 200, url
    init = client.get("/api/docs/?script=")
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in init.content.decode()
