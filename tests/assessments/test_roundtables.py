"""Roundtables: planning, attendance from the register and on the spot, the calendar invitation,
the agreed measures shown read-only; bad input saves nothing."""

from datetime import date
from datetime import time

import pytest
from django.apps import apps
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient

from assessments.models import Roundtable
from assessments.models import RoundtableAttendance
from engagements.models import Person
from tests.assessments.factories import make_assessment
from tests.assessments.factories import make_roundtable
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria", email="maria@example.org", first_name="María")


@pytest.fixture
def assessment(manager):
    return make_assessment(by=manager)


def _form(target, **changes):
    data = {
        "engagement": target.engagement_id,
        "assessment": target.pk,
        "title": "Roundtable in Lima",
        "date": "2026-06-10",
        "start_time": "09:00",
        "end_time": "13:00",
        "time_zone": "America/Lima",
        "venue": "DEVIDA, Lima",
        "agenda": "1. Findings\n2. Measures",
    }
    data.update(changes)
    return data


def test_manager_plans_a_roundtable_for_the_assessment(client, manager, assessment):
    client.force_login(manager)
    response = client.post(reverse("assessments:roundtable_create"), _form(assessment))
    roundtable = Roundtable.objects.get()
    assert response.status_code == 302 and response["Location"] == roundtable.get_absolute_url()
    assert (roundtable.start_time, roundtable.time_zone) == (time(9, 0), "America/Lima")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_time": "14:00", "end_time": "13:00"}, "The end time must be after the start time."),
        ({"venue": "", "online": ""}, "Give the venue"),
        ({"date": "2026-13-01"}, "Enter a valid date."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
    ],
)
def test_a_bad_roundtable_is_refused_and_nothing_is_saved(client, manager, assessment, changes, message):
    client.force_login(manager)
    response = client.post(reverse("assessments:roundtable_create"), _form(assessment, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Roundtable.objects.exists()


def test_an_assessment_of_another_engagement_is_refused(client, manager, assessment):
    other = make_assessment(by=manager, title="Other engagement's")
    client.force_login(manager)
    response = client.post(reverse("assessments:roundtable_create"), _form(assessment, assessment=other.pk))
    assert response.status_code == 200
    assert not Roundtable.objects.exists()


def test_attendance_is_recorded_from_the_register_and_people_are_added_on_the_spot(client, manager, assessment):
    # given a roundtable with one invited person
    agency = AgencyFactory(country_id="PE", acronym="SUNAT")
    invited, walk_in = PersonFactory(agency=agency), PersonFactory(agency=agency)
    roundtable = make_roundtable(assessment, people=[invited])
    url = reverse("assessments:roundtable_attendance", args=[roundtable.pk])
    client.force_login(manager)
    # when the manager ticks the invited person, invites another from the register, and adds a newcomer
    client.post(url, {f"attended_{invited.pk}": "on", "invite": [walk_in.pk]})
    response = client.post(
        url,
        {
            "add_new": "1",
            "new-full_name": "Nueva Persona",
            "new-sex": "female",
            "new-email": "nueva@example.org",
            "new-agency": agency.pk,
            "new-attended": "on",
        },
    )
    # then
    assert response.status_code == 302
    newcomer = Person.objects.get(full_name="Nueva Persona")
    assert newcomer.country_id == "PE"
    attendance = dict(roundtable.attendance.values_list("person__full_name", "attended"))
    assert attendance == {invited.full_name: True, walk_in.full_name: False, "Nueva Persona": True}
    page = client.get(roundtable.get_absolute_url()).content.decode()
    assert "Nueva Persona" in page


def test_people_of_another_country_cannot_be_invited(client, manager, assessment):
    roundtable = make_roundtable(assessment)
    foreigner = PersonFactory(agency=AgencyFactory(country_id="CO"))
    client.force_login(manager)
    response = client.post(
        reverse("assessments:roundtable_attendance", args=[roundtable.pk]), {"invite": [foreigner.pk]}
    )
    assert response.status_code == 200
    assert not RoundtableAttendance.objects.exists()


def test_a_newcomer_with_a_bad_or_taken_email_is_refused(client, manager, assessment):
    roundtable = make_roundtable(assessment)
    PersonFactory(email="taken@example.org")
    client.force_login(manager)
    url = reverse("assessments:roundtable_attendance", args=[roundtable.pk])
    for email in ("not-an-email", "TAKEN@example.org"):
        response = client.post(url, {"add_new": "1", "new-full_name": "X", "new-sex": "male", "new-email": email})
        assert response.status_code == 200
    assert not Person.objects.filter(full_name="X").exists()
    assert not roundtable.attendance.exists()


def test_the_calendar_invitation_names_the_attendees_and_the_time_zone(client, manager, assessment):
    people = [PersonFactory(full_name="Ana Pérez", email="ana@example.org"), PersonFactory(email="")]
    roundtable = make_roundtable(assessment, title="Lima roundtable", people=people)
    roundtable.start_time, roundtable.end_time, roundtable.time_zone = time(9), time(13), "America/Lima"
    roundtable.save()
    client.force_login(manager)
    response = client.get(reverse("assessments:roundtable_invitation", args=[roundtable.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["SUMMARY"]) == "Lima roundtable"
    assert event.decoded("DTSTART").isoformat() == "2025-06-10T09:00:00-05:00"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ana@example.org"]  # people without e-mail are left out
    assert "mailto:maria@example.org" in str(event["ORGANIZER"])
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Lima"


def test_an_all_day_invitation_when_no_time_is_given(client, manager, assessment):
    roundtable = make_roundtable(assessment)
    client.force_login(manager)
    event = next(
        iter(
            Calendar.from_ical(
                client.get(reverse("assessments:roundtable_invitation", args=[roundtable.pk])).content
            ).walk("VEVENT")
        )
    )
    assert event.decoded("DTSTART") == date(2025, 6, 10)


def test_agreed_measures_are_shown_read_only_on_the_roundtable_page(client, manager, assessment):
    roundtable = make_roundtable(assessment)
    measure_model = apps.get_model("followups", "Measure")
    measure_model.objects.create(
        engagement=assessment.engagement,
        roundtable=roundtable,
        title="Reactivate the committee",
        due_date=date(2026, 5, 1),
    )
    client.force_login(manager)
    page = client.get(roundtable.get_absolute_url()).content.decode()
    assert "Reactivate the committee" in page


def test_counterparts_read_their_roundtables_but_cannot_change_them(client, assessment):
    roundtable = make_roundtable(assessment)
    counterpart = make_user("counterpart", "PE")
    client.force_login(counterpart)
    assert client.get(roundtable.get_absolute_url()).status_code == 200
    assert client.get(reverse("assessments:roundtable_edit", args=[roundtable.pk])).status_code == 403


# API


def test_api_creates_a_roundtable_with_attendees_and_replaces_them(manager, assessment):
    api = APIClient()
    api.force_authenticate(manager)
    first, second = PersonFactory(), PersonFactory()
    created = api.post(
        "/api/v1/roundtables/",
        {
            "engagement": assessment.engagement_id,
            "assessment": assessment.pk,
            "title": "RT",
            "date": "2026-06-10",
            "venue": "Lima",
            "attendees": [{"person": first.pk, "attended": True}, {"person": second.pk}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["attendees"] == [{"person": first.pk, "attended": True}, {"person": second.pk, "attended": False}]
    patched = api.patch(
        f"/api/v1/roundtables/{body['id']}/", {"attendees": [{"person": second.pk, "attended": True}]}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["attendees"] == [{"person": second.pk, "attended": True}]


def test_api_refuses_attendees_of_another_country_and_saves_nothing(manager, assessment):
    api = APIClient()
    api.force_authenticate(manager)
    foreigner = PersonFactory(agency=AgencyFactory(country_id="CO"))
    response = api.post(
        "/api/v1/roundtables/",
        {
            "engagement": assessment.engagement_id,
            "title": "RT",
            "date": "2026-06-10",
            "venue": "Lima",
            "attendees": [{"person": foreigner.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["attendees"]
    assert not Roundtable.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"venue": "", "online": False}, "venue", "Give the venue, or tick “online” and give the meeting link."),
        ({"start_time": "14:00", "end_time": "13:00"}, "end_time", "The end time must be after the start time."),
    ],
)
def test_the_api_refuses_a_bad_roundtable_with_the_page_s_message(manager, assessment, changes, field, message):
    api = APIClient()
    api.force_authenticate(manager)
    body = {"engagement": assessment.engagement_id, "title": "RT", "date": "2026-06-10", "venue": "Lima", **changes}
    response = api.post("/api/v1/roundtables/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Roundtable.objects.exists()


def test_the_api_takes_an_online_roundtable_without_a_venue_but_keeps_a_venue_otherwise(manager, assessment):
    api = APIClient()
    api.force_authenticate(manager)
    body = {"engagement": assessment.engagement_id, "title": "RT", "date": "2026-06-10", "online": True}
    created = api.post("/api/v1/roundtables/", body, format="json")
    assert created.status_code == 201, created.json()
    refused = api.patch(f"/api/v1/roundtables/{created.json()['id']}/", {"online": False}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"venue": ["Give the venue, or tick “online” and give the meeting link."]}
    assert Roundtable.objects.get().online is True


def test_the_roundtable_list_makes_a_fixed_number_of_queries(
    client, manager, assessment, django_assert_max_num_queries
):
    for n in range(5):
        make_roundtable(assessment, title=f"RT {n}", people=[PersonFactory()])
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("assessments:roundtable_list")).status_code == 200
