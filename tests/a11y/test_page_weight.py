"""Light pages: a first visit to a page (HTML and every asset it loads, as transferred) stays under
300 KB, with static files compressed and cached for good under a content-hashed name.

Measured in Chromium against a production-like server (tests/a11y/conftest.py: gunicorn, DEBUG off,
`collectstatic` with WhiteNoise's CompressedManifestStaticFilesStorage, on the demo database), on the
browser pass's English visit of each page, made with the browser cache off (tests/a11y/visits.py).
"""

import re
from pathlib import Path

import pytest

from .conftest import ROLES
from .visits import WEIGHED

pytestmark = pytest.mark.e2e

BUDGET = 300 * 1024
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg|png|woff2?)$")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_weighs_under_300_kb_on_a_first_visit(visits, role):
    pages = visits(role, WEIGHED)
    assert pages, f"the crawl found no page for {role}"
    heaviest = (0, "")
    over = []
    for visit in pages.values():
        if visit.status != 200:
            over.append(f"{visit.where()}: HTTP {visit.status} with DEBUG off")
        elif visit.redirected:
            over.append(f"{visit.where()}: ended on {visit.landed}")
        else:
            heaviest = max(heaviest, (visit.weight, visit.address))
            if visit.weight > BUDGET:
                over.append(f"{visit.where()}: {visit.weight / 1024:.0f} KB")
    print(f"heaviest page as {role}: {heaviest[1]} at {heaviest[0] / 1024:.1f} KB")
    assert not over, f"pages over {BUDGET // 1024} KB, or failing, as {role}: {over}"


def test_static_files_are_compressed_and_cached_by_content_hash(visits):
    sign_in = next((visit for visit in visits("anonymous", WEIGHED).values() if visit.address == "/accounts/login/"), None)
    assert sign_in is not None and sign_in.status == 200, sign_in
    assets = [resource for resource in sign_in.resources if "/static/" in resource["url"]]
    assert {Path(resource["url"]).suffix for resource in assets} >= {".css", ".js"}
    for resource in assets:
        headers = resource["headers"]
        assert HASHED.search(resource["url"]), f"not a content-hashed name: {resource['url']}"
        assert "immutable" in headers.get("cache-control", ""), (resource["url"], headers.get("cache-control"))
        assert headers.get("content-encoding") in ("br", "gzip"), (resource["url"], headers.get("content-encoding"))
