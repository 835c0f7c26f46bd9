"""External recommendations: recorded per country, scoped like engagements, with their review cycle."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from network.models import ExternalRecommendation
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.network.factories import ExternalRecommendationFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "country": "PE",
        "source": "cicad_mem",
        "round": "Eighth evaluation round (2019–2023)",
        "date": "2024-06-20",
        "reference": "Rec. 17",
        "text": "Update the list of controlled substances.",
        "theme": "Control measures",
        "review_cycle_months": 24,
    }
    data.update(overrides)
    return data


def test_a_manager_records_a_recommendation_for_their_country(client):
    manager = make_user(Role.MANAGER, "PE")
    engagement = EngagementFactory(country_id="PE")
    client.force_login(manager)
    response = client.post(reverse("network:external_recommendation_create"), _form(engagement=engagement.pk))
    assert response.status_code == 302
    recommendation = ExternalRecommendation.objects.get()
    assert recommendation.created_by == manager and recommendation.engagement == engagement


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "CO"}, "country"),
        ({"date": "20-06-2024"}, "date"),
        ({"text": ""}, "text"),
        ({"source": "oracle"}, "source"),
        ({"review_cycle_months": 0}, "review_cycle_months"),
        ({"review_cycle_months": 500}, "review_cycle_months"),
    ],
)
def test_bad_input_gives_a_clear_error_and_saves_nothing(client, overrides, field):
    client.force_login(make_user(Role.MANAGER, "PE"))
    response = client.post(reverse("network:external_recommendation_create"), _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    api = client.post("/api/v1/external-recommendations/", _form(**overrides), content_type="application/json")
    assert api.status_code == 400 and field in api.json()
    assert not ExternalRecommendation.objects.exists()


def test_the_engagement_must_be_of_the_same_country(client):
    client.force_login(make_user(Role.MANAGER, "PE", "CO"))
    other = EngagementFactory(country_id="CO")
    response = client.post(reverse("network:external_recommendation_create"), _form(engagement=other.pk))
    assert "engagement" in response.context["form"].errors
    api = client.post("/api/v1/external-recommendations/", _form(engagement=other.pk), content_type="application/json")
    assert api.status_code == 400 and "engagement" in api.json()
    assert not ExternalRecommendation.objects.exists()


def test_counterparts_see_their_country_s_recommendations_only(client):
    own = ExternalRecommendationFactory(country_id="PE", text="Peru must do this.")
    other = ExternalRecommendationFactory(country_id="CO", text="Colombia must do that.")
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    listed = [r.pk for r in client.get(reverse("network:external_recommendation_list")).context["page"]]
    assert listed == [own.pk]
    assert client.get(reverse("network:external_recommendation_detail", args=[other.pk])).status_code == 404
    assert [r["id"] for r in client.get("/api/v1/external-recommendations/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/external-recommendations/{other.pk}/").status_code == 404
    # a counterpart reads but does not change them
    response = client.patch(
        f"/api/v1/external-recommendations/{own.pk}/", {"theme": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_the_api_filters_by_country_source_and_year(client):
    ExternalRecommendationFactory(country_id="PE", source="cicad_mem", date=date(2024, 6, 20))
    ExternalRecommendationFactory(country_id="PE", source="honlea", date=date(2025, 10, 9))
    ExternalRecommendationFactory(country_id="CO", source="honlea", date=date(2025, 10, 9))
    client.force_login(make_user(Role.MANAGER))

    def count(query):
        return client.get("/api/v1/external-recommendations/", query).json()["count"]

    assert count({"country": "pe"}) == 2
    assert count({"source": "honlea"}) == 2
    assert count({"year": 2024}) == 1
    assert count({"country": "PE", "source": "honlea", "year": 2025}) == 1


def test_the_next_review_follows_the_cycle():
    recommendation = ExternalRecommendationFactory(date=date(2024, 6, 20), review_cycle_months=24)
    assert recommendation.next_review(today=date(2025, 1, 1)) == date(2026, 6, 20)
    assert recommendation.next_review(today=date(2026, 6, 20)) == date(2026, 6, 20)
    assert recommendation.next_review(today=date(2026, 6, 21)) == date(2028, 6, 20)


def test_a_recommendation_adopted_at_a_meeting_shows_on_the_event(client):
    event = EventFactory(countries=["PE"])
    recommendation = ExternalRecommendationFactory(country_id="PE", event=event, reference="Rec. 1")
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    page = client.get(event.get_absolute_url())
    assert recommendation in page.context["recommendations"]


def test_the_engagement_page_links_to_its_country_s_recommendations(client):
    engagement = EngagementFactory(country_id="PE")
    ExternalRecommendationFactory(country_id="PE")
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    links = client.get(engagement.get_absolute_url()).context["activity_links"]
    assert any("external-recommendations" in link.url and "country=PE" in link.url for link in links)
