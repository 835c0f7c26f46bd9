"""Search, for each role: every signed-in user may search, and what it finds is their own scope
(tests/search/test_search.py checks which records each role finds); the URLs name no record, so
the own and the other country's words answer alike. Bad input is refused the same way for all."""

from urllib.parse import urlencode

from django.urls import reverse

from tests.authz import Case
from tests.authz import obj
from tests.authz import same

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")


def every_role(status: int) -> dict:
    return {role: same(status) for role in ROLES}


def page(extra: dict | None = None):
    return lambda w, s: (
        f"{reverse('search:results')}?{urlencode({'q': obj(w, s, 'engagement').title, **(extra or {})})}"
    )


def api(extra: dict | None = None):
    return lambda w, s: f"/api/v1/search/?{urlencode({'q': obj(w, s, 'engagement').title, **(extra or {})})}"


CASES = [
    Case("search page", "search:results", "GET", page(), every_role(200)),
    Case("search page of one kind", "search:results", "GET", page({"kind": "engagement"}), every_role(200)),
    # An unknown kind: the form says so (nothing searched).
    Case("search page, bad kind", "search:results", "GET", page({"kind": "user"}), every_role(200)),
    Case("API search", "search", "GET", api(), every_role(200), api=True),
    Case("API search, bad kind", "search", "GET", api({"kind": "user"}), every_role(400), api=True),
]
