"""List pages and the event page take as many queries for many rows as for a few."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from network.models import Registration
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.network.factories import ExpertProfileFactory
from tests.network.factories import ExternalRecommendationFactory
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grows(client, url, add_rows) -> tuple[int, int]:
    add_rows(3)
    few = _queries(client, url)
    add_rows(20)
    many = _queries(client, url)
    return few, many


@pytest.fixture
def manager_client(client):
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    client.manager = manager
    return client


def test_the_library_list_does_not_grow_with_documents(manager_client, django_assert_max_num_queries):
    network = NetworkFactory(members=[manager_client.manager])

    def add(n):
        for i in range(n):
            document = make_document(
                by=manager_client.manager, title=f"Doc {i}", audience="network", audience_network=network
            )
            document.countries.set(["PE", "CO"])

    few, many = _grows(manager_client, reverse("network:document_list"), add)
    assert many == few
    with django_assert_max_num_queries(25):
        manager_client.get(reverse("network:document_list"))


def test_the_api_document_list_does_not_grow_with_documents(manager_client):
    def add(n):
        for i in range(n):
            make_document(by=manager_client.manager, title=f"Doc {i}").countries.set(["PE"])

    few, many = _grows(manager_client, "/api/v1/documents/", add)
    assert many == few


def test_the_event_list_and_api_do_not_grow_with_events(manager_client):
    def add(n):
        for _ in range(n):
            event = EventFactory(countries=["PE", "CO"])
            Registration.objects.create(event=event, person=PersonFactory())

    few, many = _grows(manager_client, reverse("network:event_list"), add)
    assert many == few
    few, many = _grows(manager_client, "/api/v1/events/", add)
    assert many == few


def test_the_event_page_does_not_grow_with_participants(manager_client):
    event = EventFactory(countries=["PE", "CO", "BO"])

    def add(n):
        for i in range(n):
            agency = AgencyFactory(country_id=["PE", "CO", "BO"][i % 3])
            Registration.objects.create(event=event, person=PersonFactory(agency=agency))
            event.agenda_items.create(day=event.start_date, title=f"Session {i}")

    few, many = _grows(manager_client, event.get_absolute_url(), add)
    assert many == few


def test_the_directory_does_not_grow_with_experts(manager_client):
    def add(n):
        for _ in range(n):
            ExpertProfileFactory(show_contact=True)

    few, many = _grows(manager_client, reverse("network:expert_list"), add)
    assert many == few
    few, many = _grows(manager_client, "/api/v1/experts/", add)
    assert many == few


def test_the_external_recommendation_list_does_not_grow(manager_client):
    def add(n):
        for _ in range(n):
            ExternalRecommendationFactory()

    few, many = _grows(manager_client, reverse("network:external_recommendation_list"), add)
    assert many == few
    few, many = _grows(manager_client, "/api/v1/external-recommendations/", add)
    assert many == few


def test_the_network_page_does_not_grow_with_members(manager_client):
    network = NetworkFactory(members=[manager_client.manager])

    def add(n):
        for _ in range(n):
            member = make_user(Role.COUNTERPART, "PE")
            PersonFactory(user=member)
            network.memberships.create(user=member)

    few, many = _grows(manager_client, network.get_absolute_url(), add)
    assert many == few
