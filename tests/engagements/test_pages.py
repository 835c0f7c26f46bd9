"""The engagement pages as each role sees them: navigation, lists with search, filters and
pagination, detail; and list pages whose query count does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.models import Engagement
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    return [item.label for item in response.context["nav_items"]]


@pytest.mark.parametrize(
    ("role", "labels", "admin_link"),
    [
        ("admin", ["Engagements", "Agencies", "People"], True),
        ("manager", ["Engagements", "Agencies", "People"], False),
        ("counterpart", ["Engagements", "Agencies", "People"], False),
        ("viewer", ["Engagements", "Agencies"], False),
    ],
)
def test_the_navigation_depends_on_the_role(client, role, labels, admin_link):
    client.force_login(make_user(role, *([] if role == "admin" else ["PE"])))
    response = client.get(reverse("home"))
    assert [label for label in nav_labels(response) if label in {"Engagements", "Agencies", "People"}] == labels
    assert (reverse("admin:index") in response.content.decode()) is admin_link


def test_anonymous_visitors_get_no_navigation(client):
    response = client.get(reverse("accounts:login"))
    assert response.context["nav_items"] == []
    assert "Sign out" not in response.content.decode()


def test_create_buttons_show_only_to_those_who_may_create(client):
    EngagementFactory(country_id="PE")
    client.force_login(make_user("manager", "PE"))
    assert "New engagement" in client.get(reverse("engagements:list")).content.decode()
    client.force_login(make_user("counterpart", "PE"))
    assert "New engagement" not in client.get(reverse("engagements:list")).content.decode()


def test_the_list_searches_filters_and_shows_only_the_scope(client):
    client.force_login(make_user("manager", "PE", "CO"))
    EngagementFactory(country_id="PE", title="Peru licensing", phase="assessment")
    EngagementFactory(country_id="PE", title="Peru customs", phase="closed")
    EngagementFactory(country_id="CO", title="Colombia licensing", phase="assessment")
    EngagementFactory(country_id="BO", title="Bolivia licensing", phase="assessment")

    def titles(query):
        return [e.title for e in client.get(reverse("engagements:list"), query).context["page"]]

    assert sorted(titles({})) == ["Colombia licensing", "Peru customs", "Peru licensing"]
    assert sorted(titles({"q": "licensing"})) == ["Colombia licensing", "Peru licensing"]
    assert titles({"country": "PE", "phase": "closed"}) == ["Peru customs"]
    # a country outside the scope is not offered, and asking for it shows nothing more
    assert sorted(titles({"country": "BO"})) == ["Colombia licensing", "Peru customs", "Peru licensing"]
    response = client.get(reverse("engagements:list"), {"country": "BO"})
    assert "Select a valid choice" in response.content.decode()


def test_the_list_is_paginated_and_keeps_the_filters(client):
    client.force_login(make_user("manager", "PE"))
    EngagementFactory.create_batch(30, country_id="PE", phase="planning")
    response = client.get(reverse("engagements:list"), {"phase": "planning"})
    page = response.context["page"]
    assert (len(page), page.paginator.count, page.paginator.num_pages) == (25, 30, 2)
    assert "phase=planning&amp;page=2" in response.content.decode()
    assert len(client.get(reverse("engagements:list"), {"phase": "planning", "page": 2}).context["page"]) == 5
    assert len(client.get(reverse("engagements:list"), {"page": "nonsense"}).context["page"]) == 25


def test_the_detail_shows_managers_focal_points_and_phase_history(client):
    manager = make_user("manager", "PE", first_name="María", last_name="Gestora")
    client.force_login(manager)
    focal = PersonFactory(full_name="Rosa Quispe", agency=AgencyFactory(country_id="PE", acronym="DEVIDA"))
    client.post(
        reverse("engagements:create"),
        {
            "country": "PE",
            "title": "Peru TA",
            "phase": "planning",
            "start_date": "2026-01-05",
            "managers": [manager.pk],
            "focal_points": [focal.pk],
        },
    )

    html = client.get(reverse("engagements:detail", args=[Engagement.objects.get().pk])).content.decode()
    assert "María Gestora" in html
    assert "Rosa Quispe (DEVIDA)" in html
    assert "Planning" in html


def test_another_countrys_engagement_is_not_found(client):
    other = EngagementFactory(country_id="CO")
    client.force_login(make_user("counterpart", "PE"))
    response = client.get(reverse("engagements:detail", args=[other.pk]))
    assert response.status_code == 404


def _fill(n: int) -> None:
    for i in range(n):
        agency = AgencyFactory(country_id="PE")
        person = PersonFactory(agency=agency)
        engagement = EngagementFactory(country_id="PE", title=f"E{i}")
        engagement.focal_points.add(person)


@pytest.mark.parametrize("url", ["engagements:list", "engagements:agency_list", "engagements:person_list"])
def test_list_pages_do_not_grow_in_queries_with_the_data(client, django_assert_max_num_queries, url):
    client.force_login(make_user("manager", "PE"))
    _fill(2)

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url)).status_code == 200
    _fill(20)
    with django_assert_max_num_queries(len(small)):
        assert client.get(reverse(url)).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/engagements/", "/api/v1/agencies/", "/api/v1/people/"])
def test_api_lists_do_not_grow_in_queries_with_the_data(client, django_assert_max_num_queries, path):
    client.force_login(make_user("manager", "PE"))
    _fill(2)

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _fill(20)
    with django_assert_max_num_queries(len(small)):
        assert client.get(path).status_code == 200
