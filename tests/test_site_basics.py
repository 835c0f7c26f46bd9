"""Small things a visitor or an operator meets first: the favicon, `make run PORT=…` with the links of
e-mails following it, and API docs grouped by part of the portal."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import make_user

BASE = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_every_page_names_the_portal_s_icon(client):
    pages = [client.get(reverse("accounts:login"))]
    client.force_login(make_user("viewer", "PE"))
    pages.append(client.get(reverse("engagements:list")))
    for page in pages:
        html = page.content.decode()
        assert '<link rel="icon" href="/static/favicon' in html and 'type="image/svg+xml"' in html
    icon = Path(finders.find("favicon.svg")).read_text()
    assert icon.startswith("<svg") and "<title>TA Portal</title>" in icon


def _make_run(tmp_path, **env) -> str:
    # `make run` with a stand-in Python that prints what it would be started with, instead of serving.
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL"\n')
    python.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "HOST", "MAKEFLAGS")}
    make = shutil.which("make")
    assert make, "make is needed to run the portal"
    result = subprocess.run(  # noqa: S603
        [make, "--no-print-directory", "run", f"PY={python}", *(f"{k}={v}" for k, v in env.items())],
        cwd=BASE,
        env={**clean, **{k: v for k, v in env.items() if k == "SITE_URL"}},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr


def test_make_run_on_another_port_gives_the_links_that_port(tmp_path):
    out = _make_run(tmp_path, PORT="8123")
    assert "SITE_URL=http://127.0.0.1:8123" in out
    assert "Serving on http://127.0.0.1:8123/" in out


def test_a_site_url_given_is_kept(tmp_path):
    out = _make_run(tmp_path, PORT="8123", SITE_URL="https://portal.example.org")
    assert "SITE_URL=https://portal.example.org" in out and "SITE_URL=http://127.0.0.1:8123" not in out


def test_the_readme_documents_make_run_on_another_port():
    readme = (BASE / "README.md").read_text()
    assert "make run PORT=" in readme and "/api/docs/" in readme
    assert (BASE / "docs" / "API.md").exists()


@pytest.mark.django_db
def test_the_api_docs_group_every_operation_under_one_described_tag(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    described = [tag["name"] for tag in schema["tags"]]
    used = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert len(operation["tags"]) == 1 and operation["tags"][0] in described, (method, path, operation["tags"])
            used.setdefault(operation["tags"][0], set()).add(path)
    assert set(used) == set(described)
    assert "/api/v1/substances/" in used["Engagements"] and "/api/v1/measures/" in used["Follow-up"]
    assert "/api/v1/assessments/" in used["Assessments"]
