"""Network events: registration of participants from many countries, disaggregated counts checked
against an independent computation, attendance, calendar invitations sent once per revision."""

import random
from collections import Counter
from datetime import date

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from engagements.models import Agency
from engagements.models import Person
from network import services
from network.invitations import event_calendar
from network.models import AGENCY_GROUP_OF_KIND
from network.models import NetworkEvent
from network.models import Registration
from network.selectors import event_participation
from network.tasks import send_event_invitation
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import EventFactory

pytestmark = pytest.mark.django_db


def _independent_counts(event) -> dict:
    """The same figures computed in Python from the people themselves, not through the selector."""
    registrations = [r for r in Registration.objects.filter(event=event) if r.status != "cancelled"]
    people = {p.pk: p for p in Person.objects.filter(pk__in=[r.person_id for r in registrations])}
    agencies = {a.pk: a for a in Agency.objects.all()}

    def group(person):
        agency = agencies.get(person.agency_id)
        return str(AGENCY_GROUP_OF_KIND[agency.kind]) if agency else "other"

    registered, attended = Counter(), Counter()
    for registration in registrations:
        person = people[registration.person_id]
        keys = [
            ("sex", person.sex),
            ("group", group(person)),
            ("country", person.country_id),
            ("country-sex", (person.country_id, person.sex)),
            ("total", None),
        ]
        for key in keys:
            registered[key] += 1
            if registration.attended:
                attended[key] += 1
    return {"registered": registered, "attended": attended}


def test_disaggregated_counts_match_an_independent_computation():
    # given 40 people of four countries, with random sex and agency kinds, some cancelled, some absent
    rng = random.Random(7)
    event = EventFactory(countries=["PE", "CO", "BO", "EC"])
    agencies = [
        AgencyFactory(country_id=code, kind=kind) for code in ("PE", "CO", "BO", "EC") for kind in Agency.Kind.values
    ]
    for _ in range(40):
        agency = rng.choice([*agencies, None])
        country = agency.country_id if agency else rng.choice(["PE", "CO", "BO", "EC"])
        person = PersonFactory(agency=agency, country_id=country, sex=rng.choice(Person.Sex.values))
        Registration.objects.create(
            event=event,
            person=person,
            status=rng.choice(["registered", "registered", "registered", "cancelled"]),
            attended=rng.random() < 0.7,
        )
    # a cancelled registration never counts, even if it was marked as attended
    expected = _independent_counts(event)
    # when
    result = event_participation(event)
    # then every figure agrees
    assert result.total.registered == expected["registered"][("total", None)]
    assert result.total.attended == expected["attended"][("total", None)]
    for sex in Person.Sex.values:
        assert result.by_sex[sex].registered == expected["registered"][("sex", sex)]
        assert result.by_sex[sex].attended == expected["attended"][("sex", sex)]
    for group, tally in result.by_agency_group.items():
        assert tally.registered == expected["registered"][("group", group)], group
        assert tally.attended == expected["attended"][("group", group)], group
    for code, _name, tally, sexes in result.by_country:
        assert tally.registered == expected["registered"][("country", code)]
        assert tally.attended == expected["attended"][("country", code)]
        for sex, cell in sexes.items():
            assert cell.registered == expected["registered"][("country-sex", (code, sex))]
    assert result.n_countries == len({key[1] for key in expected["registered"] if key[0] == "country"})
    assert sum(t.registered for t in result.by_agency_group.values()) == result.total.registered


def test_the_counts_are_the_same_on_the_page_and_in_the_api(client):
    event = EventFactory(countries=["PE", "CO"])
    for sex, code in (("female", "PE"), ("female", "CO"), ("male", "CO")):
        Registration.objects.create(event=event, person=PersonFactory(sex=sex, agency=AgencyFactory(country_id=code)))
    client.force_login(make_user(Role.MANAGER, "PE"))
    api = client.get(f"/api/v1/events/{event.pk}/participation/").json()
    assert api["registered"] == 3 and api["countries"] == 2
    assert api["by_sex"]["female"] == {"registered": 2, "attended": 0}
    assert api["by_country"]["CO"]["by_sex"]["male"]["registered"] == 1
    assert api["by_agency_kind"]["law_enforcement"]["registered"] == 3  # the factory's agencies are customs
    page = client.get(event.get_absolute_url())
    assert page.context["participation"].as_dict() == api


def test_the_participation_counts_take_a_constant_number_of_queries(django_assert_max_num_queries):
    event = EventFactory(countries=["PE", "CO"])
    for _ in range(30):
        Registration.objects.create(event=event, person=PersonFactory())
    with django_assert_max_num_queries(4):
        event_participation(event)


def test_an_organiser_registers_people_of_any_participating_country(client, django_capture_on_commit_callbacks):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(countries=["PE", "CO"], organisers=[organiser])
    colombian = PersonFactory(agency=AgencyFactory(country_id="CO"), email="delegate@example.org")
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:event_register", args=[event.pk]),
            {"form": "existing", "person": colombian.pk, "role": "speaker"},
        )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, person=colombian)
    assert registration.role == "speaker" and registration.registered_by == organiser
    # the delegate got the invitation, with the calendar file
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["delegate@example.org"]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["method"] == "REQUEST"
    assert "delegate@example.org" in str(calendar.walk("VEVENT")[0]["attendee"])


def test_an_organiser_registers_someone_new(client):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(countries=["PE", "BO"], organisers=[organiser])
    agency = AgencyFactory(country_id="BO")
    client.force_login(organiser)
    response = client.post(
        reverse("network:event_register", args=[event.pk]),
        {
            "form": "new",
            "new-full_name": "Nueva Delegada",
            "new-sex": "female",
            "new-email": "",
            "new-country": "BO",
            "new-agency": agency.pk,
            "new-role": "participant",
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get(event=event).person.full_name == "Nueva Delegada"


def test_registering_someone_new_with_bad_input_saves_nothing(client):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(countries=["PE"], organisers=[organiser])
    client.force_login(organiser)
    response = client.post(
        reverse("network:event_register", args=[event.pk]),
        {"form": "new", "new-full_name": "", "new-sex": "nonsense", "new-country": "CO", "new-role": "participant"},
    )
    assert response.status_code == 200
    form = response.context["new_form"]
    assert {"full_name", "sex", "country"} <= set(form.errors)
    assert not Registration.objects.exists()


def test_a_counterpart_nominates_people_of_their_country_only(client):
    counterpart = make_user(Role.COUNTERPART, "PE")
    event = EventFactory(countries=["PE", "CO"], registration_open=True)
    peruvian = PersonFactory(agency=AgencyFactory(country_id="PE"))
    colombian = PersonFactory(agency=AgencyFactory(country_id="CO"))
    client.force_login(counterpart)
    url = reverse("network:event_register", args=[event.pk])
    assert client.post(url, {"form": "existing", "person": peruvian.pk, "role": "participant"}).status_code == 302
    refused = client.post(url, {"form": "existing", "person": colombian.pk, "role": "participant"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    # the same through the API
    api = client.post(
        f"/api/v1/events/{event.pk}/participants/", {"person": colombian.pk}, content_type="application/json"
    )
    assert api.status_code == 400 and "person" in api.json()
    assert list(Registration.objects.values_list("person_id", flat=True)) == [peruvian.pk]


def test_registration_closed_refuses_nominations_but_not_organisers(client):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(countries=["PE"], registration_open=False, organisers=[organiser])
    person = PersonFactory(agency=AgencyFactory(country_id="PE"))
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    assert client.get(reverse("network:event_register", args=[event.pk])).status_code == 403
    assert client.post(f"/api/v1/events/{event.pk}/participants/", {"person": person.pk}).status_code == 403
    client.force_login(organiser)
    response = client.post(
        f"/api/v1/events/{event.pk}/participants/", {"person": person.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["country"] == "PE"


def test_registering_twice_is_a_clear_error(client):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser])
    person = PersonFactory()
    Registration.objects.create(event=event, person=person)
    client.force_login(organiser)
    response = client.post(
        f"/api/v1/events/{event.pk}/participants/", {"person": person.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert Registration.objects.count() == 1


def test_a_person_registers_themself_and_cancels(client):
    user = make_user(Role.COUNTERPART, "PE")
    person = PersonFactory(user=user, agency=AgencyFactory(country_id="PE"))
    event = EventFactory(countries=["PE"])
    client.force_login(user)
    client.post(reverse("network:event_register_me", args=[event.pk]))
    registration = Registration.objects.get(event=event, person=person)
    client.post(reverse("network:registration_cancel", args=[event.pk, registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_someone_else_cannot_cancel_a_registration(client):
    event = EventFactory(countries=["PE", "CO"])
    registration = Registration.objects.create(event=event, person=PersonFactory(agency=AgencyFactory(country_id="CO")))
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    assert client.post(reverse("network:registration_cancel", args=[event.pk, registration.pk])).status_code == 403
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_attendance_is_recorded_for_exactly_the_ticked_people(client):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser])
    first, second, third = (Registration.objects.create(event=event, person=PersonFactory()) for _ in range(3))
    Registration.objects.filter(pk=third.pk).update(attended=True)
    client.force_login(organiser)
    client.post(reverse("network:event_attendance", args=[event.pk]), {"attended": [first.pk, second.pk]})
    assert set(Registration.objects.filter(attended=True).values_list("pk", flat=True)) == {first.pk, second.pk}
    # the API refuses ids that are not this event's registrations, and changes nothing
    response = client.post(
        f"/api/v1/events/{event.pk}/attendance/", {"attended": [first.pk, 999999]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert Registration.objects.filter(attended=True).count() == 2
    response = client.post(
        f"/api/v1/events/{event.pk}/attendance/", {"attended": [third.pk]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["attended"] == 1


def test_the_calendar_file_describes_the_event():
    event = EventFactory(title="Annual meeting; Lima, 2026", start_date=date(2026, 5, 12), end_date=date(2026, 5, 14))
    event.agenda_items.create(day=date(2026, 5, 13), title="Working groups")

    calendar = icalendar.Calendar.from_ical(event_calendar(event))
    vevent = calendar.walk("VEVENT")[0]
    assert calendar["method"] == "PUBLISH"
    assert str(vevent["summary"]) == "Annual meeting; Lima, 2026"
    assert vevent.decoded("dtstart") == date(2026, 5, 12)
    assert vevent.decoded("dtend") == date(2026, 5, 15)  # exclusive end of an all-day event
    assert "Working groups" in str(vevent["description"])
    assert str(vevent["uid"]).startswith(f"network-event-{event.pk}@")


def test_the_calendar_download_is_an_ics_attachment(client):
    event = EventFactory(countries=["PE"])
    client.force_login(make_user(Role.VIEWER, "PE"))
    response = client.get(reverse("network:event_ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].endswith('.ics"')
    client.force_login(make_user(Role.VIEWER, "CO"))
    assert client.get(reverse("network:event_ics", args=[event.pk])).status_code == 404


def test_the_invitation_subject_carries_the_title_as_typed(django_capture_on_commit_callbacks):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser], title='Precursors "2027" & <Andes>')
    with django_capture_on_commit_callbacks(execute=True):
        services.event_register(event=event, person=PersonFactory(email="typed@example.org"), by=organiser)
    assert mail.outbox[0].subject == 'Invitation: Precursors "2027" & <Andes>'


def test_each_invitation_is_sent_once_per_revision_of_the_event(django_capture_on_commit_callbacks):
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser])
    person = PersonFactory(email="once@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.event_register(event=event, person=person, by=organiser)
    assert len(mail.outbox) == 1
    # the same task delivered again sends nothing
    send_event_invitation.delay(registration.pk)
    send_event_invitation.delay(registration.pk)
    assert len(mail.outbox) == 1
    # moving the meeting sends one updated invitation, with a higher SEQUENCE
    event.start_date, event.end_date = date(2026, 6, 2), date(2026, 6, 4)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(event=event, by=organiser)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Updated invitation")
    vevent = icalendar.Calendar.from_ical(mail.outbox[1].attachments[0][1]).walk("VEVENT")[0]
    assert vevent["sequence"] == 1 and vevent.decoded("dtstart") == date(2026, 6, 2)
    # a change that does not move the meeting sends nothing
    event.description = "Now with a description"
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(event=event, by=organiser)
    assert len(mail.outbox) == 2


def test_a_failed_send_is_not_lost(settings, django_capture_on_commit_callbacks):
    # given a mail server that refuses connections (nothing listens on the port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser])
    person = PersonFactory(email="later@example.org")
    # when registering, the registration stands although the invitation could not go out
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.event_register(event=event, person=person, by=organiser)
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert registration.invitation_sent_at is None and registration.invitation_sequence is None
    # then once the server is back, the pending invitation goes out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_queue_invitations(event=event) == 1
    assert [m.to for m in mail.outbox] == [["later@example.org"]]


def test_an_event_with_the_end_before_the_start_is_refused(client):
    manager = make_user(Role.MANAGER, "PE")
    client.force_login(manager)
    response = client.post(
        reverse("network:event_create"),
        {
            "title": "Backwards",
            "kind": "conference",
            "modality": "in_person",
            "start_date": "2026-05-14",
            "end_date": "2026-05-12",
            "registration_open": "on",
        },
    )
    assert response.status_code == 200
    assert "end date" in response.content.decode()
    api = client.post(
        "/api/v1/events/",
        {"title": "Backwards", "kind": "conference", "start_date": "2026-05-14", "end_date": "2026-05-12"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "end_date" in api.json()
    assert not NetworkEvent.objects.exists()


def test_a_virtual_event_needs_its_link(client):
    client.force_login(make_user(Role.MANAGER, "PE"))
    response = client.post(
        reverse("network:event_create"),
        {
            "title": "Webinar",
            "kind": "webinar",
            "modality": "virtual",
            "start_date": "2026-05-14",
            "end_date": "2026-05-14",
        },
    )
    assert response.status_code == 200 and "online meeting link" in response.content.decode()


def test_a_manager_creates_an_event_and_organises_it(client):
    manager = make_user(Role.MANAGER, "PE")
    client.force_login(manager)
    response = client.post(
        "/api/v1/events/",
        {
            "title": "Dialogue forum",
            "kind": "dialogue_forum",
            "start_date": "2026-09-01",
            "end_date": "2026-09-02",
            "host_country": "pe",
            "countries": ["PE", "CO"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    event = NetworkEvent.objects.get()
    assert list(event.organisers.all()) == [manager]
    assert sorted(event.countries.values_list("code", flat=True)) == ["CO", "PE"]
    # a counterpart may not create events
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    assert client.post("/api/v1/events/", {"title": "x"}, content_type="application/json").status_code == 403


def test_viewers_see_counts_but_not_names(client):
    event = EventFactory(countries=["PE"])
    Registration.objects.create(event=event, person=PersonFactory(full_name="Private Person"))
    client.force_login(make_user(Role.VIEWER, "PE"))
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Private Person" not in page and "1 registered" in page
    api = client.get(f"/api/v1/events/{event.pk}/").json()
    assert api["participants"] == []
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    assert client.get(f"/api/v1/events/{event.pk}/").json()["participants"][0]["full_name"] == "Private Person"
