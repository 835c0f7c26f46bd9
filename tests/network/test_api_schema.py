"""The network endpoints are described in the OpenAPI schema, without a single generator warning."""

from django.urls import include
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.routers import DefaultRouter

from network import api


def test_the_network_endpoints_are_in_the_schema_without_warnings():
    router = DefaultRouter()
    api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    validate_schema(schema)
    for expected in (
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/download/",
        "/api/v1/events/",
        "/api/v1/events/{id}/participants/",
        "/api/v1/events/{id}/participation/",
        "/api/v1/external-recommendations/",
        "/api/v1/external-recommendations/{id}/",
        "/api/v1/experts/",
        "/api/v1/networks/",
    ):
        assert expected in schema["paths"], expected
    document = schema["components"]["schemas"]["Document"]["properties"]
    assert {"id", "title", "kind", "language", "countries", "audience", "download_url"} <= set(document)
    event = schema["components"]["schemas"]["Event"]["properties"]
    assert {"id", "title", "kind", "start_date", "end_date", "venue", "countries", "participants"} <= set(event)
    recommendation = schema["components"]["schemas"]["ExternalRecommendation"]["properties"]
    assert {"id", "country", "source", "round", "date", "text", "theme"} <= set(recommendation)
