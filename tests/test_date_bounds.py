"""Dates at the ends of the calendar are refused by the forms that save dates: accepted, a start date
in December 9999 broke the follow-up board ("year 10000 is out of range") and an event ending on
9999-12-31 broke its calendar invitation (the exclusive end date overflowed)."""

import pytest
from django.urls import reverse

from followups.models import FollowupSchedule
from network.models import NetworkEvent
from tests.network.factories import EventFactory


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["9999-12-01", "0001-01-01"])
def test_a_follow_up_schedule_at_the_ends_of_the_calendar_is_refused(world, client, start):
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("followups:schedule_edit", args=[world.engagement.pk]),
        {"start_date": start, "cadence_months": "12", "response_days": "30", "active": "on"},
    )
    assert response.status_code == 200
    assert "Ensure this value is" in response.content.decode()
    assert not FollowupSchedule.objects.exists()
    assert client.get(reverse("followups:board", args=[world.engagement.pk])).status_code == 200


@pytest.mark.django_db
def test_the_latest_accepted_schedule_date_still_renders_the_board(world, client):
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("followups:schedule_edit", args=[world.engagement.pk]),
        {"start_date": "2199-12-31", "cadence_months": "12", "response_days": "30", "active": "on"},
    )
    assert response.status_code == 302
    assert client.get(reverse("followups:board", args=[world.engagement.pk])).status_code == 200


@pytest.mark.django_db
def test_an_event_ending_on_the_last_day_of_the_calendar_is_refused_and_its_invitation_still_works(world, client):
    event = EventFactory(organisers=[world.users["admin"]])
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("network:event_edit", args=[event.pk]),
        {
            "title": "Last day",
            "kind": NetworkEvent.Kind.ANNUAL_MEETING,
            "modality": NetworkEvent.Modality.IN_PERSON,
            "start_date": "9999-12-31",
            "end_date": "9999-12-31",
            "city": "Lima",
            "host_country": "PE",
            "countries": ["PE"],
        },
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.end_date.year == 2026
    assert client.get(reverse("network:event_ics", args=[event.pk])).status_code == 200
