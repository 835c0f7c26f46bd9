"""The faster list paths answer exactly what the slower ones did: the API engagement list built from
plain values, the engagement list page with 100 rows and its shorter country filter."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIRequestFactory

from engagements.api import EngagementSerializer
from engagements.models import Engagement
from engagements.models import Programme
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagements(world):
    programme = Programme.objects.create(name="Precursors", code="precursors")
    made = [
        EngagementFactory(country_id="PE", title="Closed with an end", programme=programme, end_date=date(2025, 6, 1)),
        EngagementFactory(country_id="PE", title="Open", phase="follow_up", description="Ongoing, «quoted» text"),
        EngagementFactory(country_id="CO", title="Other country", start_date=date(2024, 2, 29)),
    ]
    return made


def serializer_rows(queryset) -> list[dict]:
    request = APIRequestFactory().get("/")
    return [dict(row) for row in EngagementSerializer(queryset, many=True, context={"request": request}).data]


@pytest.mark.parametrize("query", ["", "?country=pe", "?phase=follow_up", "?page_size=2&page=2"])
def test_the_api_list_answers_what_the_serializer_renders(client, world, engagements, query):
    manager = world.users["global_manager"]
    client.force_login(manager)

    response = client.get(f"/api/v1/engagements/{query}")

    assert response.status_code == 200
    body = response.json()
    expected = Engagement.objects.visible_to(manager)
    if "country" in query:
        expected = expected.filter(country_id="PE")
    if "phase" in query:
        expected = expected.filter(phase="follow_up")
    expected = serializer_rows(expected)
    assert body["count"] == len(expected)
    if "page=2" in query:
        expected = expected[2:4]
        assert body["previous"] is not None
    assert body["results"] == expected


def test_the_api_list_keeps_to_the_callers_countries(client, world, engagements):
    client.force_login(world.users["manager"])  # a manager of PE only

    body = client.get("/api/v1/engagements/").json()

    assert {row["country"] for row in body["results"]} == {"PE"}


def test_the_engagement_list_shows_100_rows_on_request_and_25_otherwise(client, world):
    Engagement.objects.bulk_create(
        Engagement(country_id="PE", title=f"Engagement {i:03d}", start_date=date(2020, 1, 1)) for i in range(120)
    )
    client.force_login(world.users["manager"])

    long_page = client.get(reverse("engagements:list"), {"page_size": "100"})
    odd = client.get(reverse("engagements:list"), {"page_size": "7"})
    default = client.get(reverse("engagements:list"))

    assert len(long_page.context["page"].object_list) == 100
    assert b"page_size=100&amp;page=2" in long_page.content  # the next page keeps the size
    assert len(odd.context["page"].object_list) == 25
    assert len(default.context["page"].object_list) == 25


def test_the_country_filter_offers_only_countries_with_engagements(client, world, engagements):
    client.force_login(world.users["global_manager"])  # every country

    response = client.get(reverse("engagements:list"))

    choices = [code for code, _name in response.context["filters"].fields["country"].choices if code]
    assert sorted(choices) == ["CO", "PE"]


def test_the_list_kept_rendered_is_sent_as_is_and_other_renderers_still_work(
    client, world, engagements, settings, redis_url
):
    settings.DATA_CACHE_SECONDS = 60
    client.force_login(world.users["global_manager"])
    computed = client.get("/api/v1/engagements/")

    served = client.get("/api/v1/engagements/")  # the body kept in the cache

    assert served.status_code == 200 and served["Content-Type"] == "application/json"
    assert served.content == computed.content
    assert {row["title"] for row in served.json()["results"]} >= {"Closed with an end", "Open"}
    # an indent asked for, and the browsable API, render the same data
    indented = client.get("/api/v1/engagements/", HTTP_ACCEPT="application/json; indent=2")
    assert indented.json() == served.json() and b'\n  "count": ' in indented.content
    page = client.get("/api/v1/engagements/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "Ongoing, «quoted» text" in page.content.decode()
