"""The pages and endpoints of the benchmark make the same number of SQL queries whatever the amount
of data, counted as served, on the benchmark's own generated data at two sizes.

Served (the outcome figures from the cache, as every request but the first after a change): at
most 12 queries for a page, 6 for an API endpoint. Computed (the first request after the data
changed, or with the cache off): the same number at both sizes too; the dashboards and outcome
endpoints then read their facts, one query per kind, and go over those limits by up to four
queries (the ceilings below), which a regression must not raise.

Transaction control (BEGIN/COMMIT around the session's save, SAVEPOINT/RELEASE inside a test's
transaction) is not counted: only statements that read or write data.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.apitokens import api_token_create
from accounts.models import User
from bench.scale_data import SCALE_PROGRAMME
from followups.models import StatusUpdate
from ta_portal import datacache
from trainings.models import Enrolment

pytestmark = pytest.mark.clock_sensitive

PAGE_LIMIT, API_LIMIT = 12, 6
# Computed anew (the first request after a change): one query per kind of fact on top of the page's own;
# the reaction and application surveys add three grouped queries (invited, answered, headline answers);
# the dashboards one for the programmes' indicators, the programme's two for its money; every page one
# for the unread notifications.
COMPUTED_CEILINGS = {
    "country dashboard": 16,
    "programme dashboard": 23,
    "API outcomes/countries": 11,
    "API outcomes/engagements/{id}": 10,
}


def bench_urls() -> dict[str, str]:
    """The objects the benchmark shows: the busiest country and engagement, a session of median size."""
    country = (
        Enrolment.objects.values("person__country_id").annotate(n=Count("pk")).order_by("-n", "person__country_id")
    )[0]["person__country_id"]
    engagement = (
        StatusUpdate.objects.values("measure__engagement_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "measure__engagement_id")
    )[0]["measure__engagement_id"]
    sizes = list(Enrolment.objects.values("session_id").annotate(n=Count("pk")).order_by("n", "session_id"))
    session = sizes[len(sizes) // 2]["session_id"]
    return {
        "engagement list (100 rows)": "/engagements/?page_size=100",
        "country dashboard": f"/outcomes/countries/{country}/",
        "programme dashboard": f"/outcomes/programmes/{SCALE_PROGRAMME}/",
        "session results": f"/trainings/sessions/{session}/results/",
        "API engagements": "/api/v1/engagements/?page_size=100",
        "API outcomes/countries": "/api/v1/outcomes/countries/",
        "API outcomes/engagements/{id}": f"/api/v1/outcomes/engagements/{engagement}/",
    }


def _statements(captured) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
    )


def count_queries(settings) -> dict[str, dict[str, int]]:
    """Per page: the queries when the figures are computed, and when they come from the cache."""
    user = User.objects.get(username="scale_manager")
    _token, key = api_token_create(user=user, name="query counts", ttl=timedelta(hours=1))
    pages = Client()
    pages.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    counts = {}
    for name, url in bench_urls().items():
        client = api if url.startswith("/api/") else pages
        found = {}
        for mode, seconds in (("computed", 0), ("served", 60)):
            settings.DATA_CACHE_SECONDS = seconds
            client.get(url)  # computes (and stores, when the cache is on); notes the token's last use
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            found[mode] = _statements(captured)
        counts[name] = found
    return counts


def test_pages_make_the_same_queries_at_both_sizes_within_the_limits(at_both_sizes, settings, redis_url):
    # given: the same pages over a small and a five times larger programme
    datacache.bump()
    small, large = at_both_sizes(lambda: count_queries(settings))
    print(f"\nqueries at the small size: {small}\nqueries at the large size: {large}")

    # then: not one query more with more data, computed or served
    assert small == large
    for name, counts in large.items():
        limit = API_LIMIT if name.startswith("API") else PAGE_LIMIT
        # served: within the limits
        assert counts["served"] <= limit, f"{name} served: {counts['served']} queries (limit {limit})"
        # computed: within the limits, or the ceiling of a page that reads its facts
        ceiling = COMPUTED_CEILINGS.get(name, limit)
        assert counts["computed"] <= ceiling, f"{name} computed: {counts['computed']} queries (ceiling {ceiling})"
