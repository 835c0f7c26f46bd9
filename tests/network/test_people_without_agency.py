"""A participant registered without an agency (the agency is optional) shows as "—" on the event's
pages; the agency column's fallback to the agency name used to fail with VariableDoesNotExist."""

import pytest
from django.urls import reverse

from network.models import Registration
from tests.factories import PersonFactory
from tests.network.factories import EventFactory


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["network:event_detail", "network:event_register", "network:event_attendance"])
def test_event_pages_show_a_participant_without_an_agency(world, client, page):
    event = EventFactory(organisers=[world.users["admin"]])
    person = PersonFactory(agency=None, country_id="PE", full_name="Sin Agencia")
    Registration.objects.create(event=event, person=person)
    client.force_login(world.users["admin"])
    response = client.get(reverse(page, args=[event.pk]))
    assert response.status_code == 200
    assert "Sin Agencia" in response.content.decode()
