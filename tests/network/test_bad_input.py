"""Every network form and endpoint answers bad input with a clear error and saves nothing; odd query
strings never cause a server error."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from network.models import AgendaItem
from network.models import Document
from network.models import EventOutcome
from network.models import Network
from network.models import NetworkMembership
from network.models import Registration
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document
from tests.network.factories import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = make_user(Role.MANAGER, "PE")
    client.force_login(user)
    return user


def test_a_network_name_is_unique(client, manager):
    NetworkFactory(name="Precursor Control Network of the Americas")
    response = client.post(reverse("network:network_create"), {"name": "Precursor Control Network of the Americas"})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert Network.objects.count() == 1


def test_adding_an_unknown_user_to_a_network_changes_nothing(client, manager):
    network = NetworkFactory(coordinators=[manager])
    response = client.post(reverse("network:network_member_add", args=[network.pk]), {"user": 999999}, follow=True)
    assert "Choose a user to add." in response.content.decode()
    assert NetworkMembership.objects.filter(network=network).count() == 1


def test_the_last_coordinator_cannot_leave(client, manager):
    network = NetworkFactory(coordinators=[manager])
    response = client.post(reverse("network:network_member_remove", args=[network.pk, manager.pk]), follow=True)
    assert "at least one coordinator" in response.content.decode()
    assert NetworkMembership.objects.filter(network=network, user=manager).exists()


def test_an_agenda_item_outside_the_event_or_ending_before_it_starts_is_refused(client, manager):
    event = EventFactory(organisers=[manager], start_date=date(2026, 5, 12), end_date=date(2026, 5, 14))
    url = reverse("network:event_agenda", args=[event.pk])
    response = client.post(url, {"day": "2026-06-01", "title": "Late session"})
    assert "day" in response.context["form"].errors
    response = client.post(url, {"day": "2026-05-13", "start_time": "11:00", "end_time": "10:00", "title": "Backwards"})
    assert "end_time" in response.context["form"].errors
    assert not AgendaItem.objects.exists()


def test_a_conclusion_number_is_not_used_twice(client, manager):
    event = EventFactory(organisers=[manager])
    EventOutcome.objects.create(event=event, kind="conclusion", number=1, text="First")
    response = client.post(
        reverse("network:event_outcomes", args=[event.pk]), {"kind": "conclusion", "number": 1, "text": "Again"}
    )
    assert response.context["form"].errors["number"] == ["This number is already used."]
    assert EventOutcome.objects.count() == 1


def test_the_outcome_number_rule_is_the_model_s_own(db):
    event = EventFactory()
    first = EventOutcome.objects.create(event=event, kind="conclusion", number=1, text="First")
    with pytest.raises(ValidationError) as refused:
        EventOutcome(event=event, kind="conclusion", number=1, text="Again").full_clean()
    assert refused.value.message_dict == {"number": ["This number is already used."]}
    EventOutcome(event=event, kind="recommendation", number=1, text="Another kind").full_clean()
    EventOutcome(event=EventFactory(), kind="conclusion", number=1, text="Another event").full_clean()
    first.text = "First, reworded"
    first.full_clean()


def test_attendance_of_another_event_s_registration_is_refused(client, manager):
    event = EventFactory(organisers=[manager])
    other = Registration.objects.create(event=EventFactory(), person=PersonFactory())
    response = client.post(reverse("network:event_attendance", args=[event.pk]), {"attended": [other.pk]})
    assert response.status_code == 200 and "attended" in response.context["form"].errors
    other.refresh_from_db()
    assert other.attended is False


def test_a_restricted_audience_needs_its_target(client, manager):
    response = client.post(
        reverse("network:document_create"),
        {"title": "Nobody's", "kind": "other", "language": "en", "audience": "network", "file": upload()},
    )
    assert "audience_network" in response.context["form"].errors
    api = client.post("/api/v1/documents/", {"title": "Nobody's", "audience": "country", "file": upload()})
    assert api.status_code == 400 and "audience_country" in api.json()
    assert not Document.objects.exists()


def test_a_document_cannot_be_restricted_to_a_network_one_is_not_a_member_of(client, manager):
    foreign = NetworkFactory()
    response = client.post(
        reverse("network:document_create"),
        {
            "title": "X",
            "kind": "other",
            "language": "en",
            "audience": "network",
            "audience_network": foreign.pk,
            "file": upload(),
        },
    )
    assert "audience_network" in response.context["form"].errors
    api = client.post(
        "/api/v1/documents/", {"title": "X", "audience": "network", "audience_network": foreign.pk, "file": upload()}
    )
    assert api.status_code == 400 and "audience_network" in api.json()
    assert not Document.objects.exists()


def test_only_managers_may_restrict_a_document_to_managers(client):
    coordinator = make_user(Role.COUNTERPART, "PE")
    NetworkFactory(coordinators=[coordinator])
    client.force_login(coordinator)
    api = client.post("/api/v1/documents/", {"title": "X", "audience": "managers", "file": upload()})
    assert api.status_code == 400 and "audience" in api.json()
    page = client.post(
        reverse("network:document_create"),
        {"title": "X", "kind": "other", "language": "en", "audience": "managers", "file": upload()},
    )
    assert "audience" in page.context["form"].errors
    assert not Document.objects.exists()


def test_a_document_for_another_country_is_refused(client, manager):
    response = client.post(
        reverse("network:document_create"),
        {
            "title": "X",
            "kind": "other",
            "language": "en",
            "audience": "country",
            "audience_country": "CO",
            "file": upload(),
        },
    )
    assert "audience_country" in response.context["form"].errors
    assert not Document.objects.exists()


def test_editing_a_document_with_bad_values_changes_nothing(client, manager):
    document = make_document(by=manager, title="Kept title")
    response = client.post(
        reverse("network:document_edit", args=[document.pk]),
        {"title": "", "kind": "nonsense", "language": "xx", "audience": "everyone"},
    )
    assert {"title", "kind", "language"} <= set(response.context["form"].errors)
    document.refresh_from_db()
    assert document.title == "Kept title"
    api = client.patch(f"/api/v1/documents/{document.pk}/", {"kind": "nonsense"}, content_type="application/json")
    assert api.status_code == 400 and "kind" in api.json()


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("network:document_list", {"topic": "abc", "country": "ZZ", "substance": "-1", "event": "x", "page": "999"}),
        ("network:event_list", {"year": "abc", "kind": "party", "page": "-3"}),
        ("network:expert_list", {"topic": "x", "agency_kind": "wizard", "country": "<script>"}),
        ("network:external_recommendation_list", {"year": "20x4", "source": "oracle", "country": "ZZ"}),
    ],
)
def test_odd_filters_never_break_a_list(client, manager, url, query):
    response = client.get(reverse(url), query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/?topic=abc",
        "/api/v1/events/?year=abc",
        "/api/v1/experts/?topic=abc",
        "/api/v1/external-recommendations/?year=abc",
        "/api/v1/documents/?page_size=100000",
    ],
)
def test_odd_api_filters_are_a_clear_400_or_ignored(client, manager, path):
    response = client.get(path)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()


def test_registering_an_unknown_person_through_the_api_is_a_field_error(client, manager):
    event = EventFactory(organisers=[manager])
    for body in ({"person": 999999}, {"person": "abc"}, {}, {"person": PersonFactory().pk, "role": "king"}):
        response = client.post(f"/api/v1/events/{event.pk}/participants/", body, content_type="application/json")
        assert response.status_code == 400, body
    assert not Registration.objects.exists()
