"""Light pages: a first visit to a page (HTML and every asset it loads, as transferred) stays under
300 KB, with static files compressed and cached for good under a content-hashed name.

Measured in Chromium against a production-like server: gunicorn, DEBUG off, `collectstatic` with
WhiteNoise's CompressedManifestStaticFilesStorage, on the demo database.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.conf import settings

from .conftest import ROLES

pytestmark = pytest.mark.e2e

BUDGET = 300 * 1024
ROOT = Path(settings.BASE_DIR)
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg|png|woff2?)$")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(demo_site):
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        pytest.skip("the production-like server shares the demo database, which needs PostgreSQL")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="ta-portal-static-") as static_root:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.a11y.production_settings",
            "PORTAL_STATIC_ROOT": static_root,
            "DEBUG": "0",
            # The same key as the test process: its sessions sign the browser in.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "OTP_REQUIRED_ROLES": "",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database),
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
        environment.pop("PYTEST_CURRENT_TEST", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT, env=environment, check=True,
        )
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "ta_portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--no-control-socket", "--log-level", "warning"],
            cwd=ROOT, env=environment,
        )
        url = f"http://localhost:{port}"
        try:
            for _ in range(100):
                try:
                    urlopen(f"{url}/healthz/", timeout=1)  # noqa: S310 (our own local server)
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _first_visit(browser, url: str, address: str, cookie: dict | None) -> tuple[int, int, list[dict]]:
    """The page's status and the bytes transferred (headers and encoded bodies) to load `address`
    with an empty cache, with the resources loaded."""
    context = browser.new_context(base_url=url)
    if cookie:
        context.add_cookies([{**cookie, "url": url}])
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))  # noqa: PLW0108 (a builtin is refused)
    response = page.goto(address, wait_until="networkidle")
    status = response.status if response is not None else 0
    resources = []
    for request in finished:
        sizes = request.sizes()
        answer = request.response()
        resources.append(
            {
                "url": request.url,
                "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                "headers": answer.all_headers() if answer else {},
            }
        )
    context.close()
    return status, sum(resource["bytes"] for resource in resources), resources


@pytest.mark.parametrize("role", ROLES)
def test_every_page_weighs_under_300_kb_on_a_first_visit(demo_site, production_server, browser, role):
    heaviest = (0, "")
    over = []
    for route, address in sorted(demo_site.crawl(role).pages.items()):
        status, total, _resources = _first_visit(browser, production_server, address, demo_site.session_cookie(role))
        heaviest = max(heaviest, (total, address))
        if status != 200:
            over.append(f"{address} [{route}]: HTTP {status} with DEBUG off")
        elif total > BUDGET:
            over.append(f"{address} [{route}]: {total / 1024:.0f} KB")
    print(f"heaviest page as {role}: {heaviest[1]} at {heaviest[0] / 1024:.1f} KB")
    assert not over, f"pages over {BUDGET // 1024} KB, or failing, as {role}: {over}"


def test_static_files_are_compressed_and_cached_by_content_hash(demo_site, production_server, browser):
    _status, _total, resources = _first_visit(browser, production_server, "/accounts/login/", None)
    assets = [resource for resource in resources if "/static/" in resource["url"]]
    assert {Path(resource["url"]).suffix for resource in assets} >= {".css", ".js"}
    for resource in assets:
        headers = resource["headers"]
        assert HASHED.search(resource["url"]), f"not a content-hashed name: {resource['url']}"
        assert "immutable" in headers.get("cache-control", ""), (resource["url"], headers.get("cache-control"))
        assert headers.get("content-encoding") in ("br", "gzip"), (resource["url"], headers.get("content-encoding"))
