"""Creating and editing engagements, agencies and people in the browser: good input is saved,
bad input gets a clear error on the form and saves nothing."""

import pytest
from django.urls import reverse

from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import PhaseChange
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria")


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_a_manager_creates_an_engagement_and_its_first_phase_is_recorded(signed_in, manager):
    focal = PersonFactory(agency=AgencyFactory(country_id="PE"))
    response = signed_in.post(
        reverse("engagements:create"),
        {
            "country": "PE",
            "title": "Peru: licensing review",
            "phase": "assessment",
            "start_date": "2026-03-01",
            "end_date": "2026-12-31",
            "managers": [manager.pk],
            "focal_points": [focal.pk],
        },
    )
    engagement = Engagement.objects.get(title="Peru: licensing review")
    assert response["Location"] == engagement.get_absolute_url()
    assert list(engagement.managers.all()) == [manager]
    assert list(engagement.focal_points.all()) == [focal]
    change = PhaseChange.objects.get(engagement=engagement)
    assert (change.from_phase, change.to_phase, change.changed_by) == ("", "assessment", manager)


def test_changing_the_phase_adds_to_the_history(signed_in, manager):
    engagement = EngagementFactory(country_id="PE", phase="planning")
    signed_in.post(
        reverse("engagements:edit", args=[engagement.pk]),
        {"country": "PE", "title": engagement.title, "phase": "roundtable", "start_date": "2025-01-15"},
    )
    assert list(engagement.phase_changes.values_list("from_phase", "to_phase")) == [("planning", "roundtable")]


ENGAGEMENT = {"country": "PE", "title": "Bad", "phase": "planning", "start_date": "2026-03-01"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2026-01-01"}, "end_date", "The end date must not be before the start date."),
        ({"country": "CO"}, "country", "You cannot add or move records to this country."),
        ({"country": "XX"}, "country", "You cannot add or move records to this country."),
        ({"start_date": "2026-02-30"}, "start_date", "Enter a valid date."),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters (it has 201)."),
        ({"phase": "finished"}, "phase", "Select a valid choice. finished is not one of the available choices."),
        (
            {"programme": "999999"},
            "programme",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_bad_engagement_input_is_refused_with_a_clear_error(signed_in, changes, field, message):
    response = signed_in.post(reverse("engagements:create"), {**ENGAGEMENT, **changes})
    assert errors_of(response)[field] == [message]
    assert "nothing was saved" in response.content.decode()
    assert not Engagement.objects.exists()


def test_a_focal_point_of_another_country_is_refused(signed_in):
    stranger = PersonFactory(agency=AgencyFactory(country_id="CO"))
    make_visible = make_user("manager", "PE", "CO")  # someone who sees both picks the wrong person
    signed_in.force_login(make_visible)
    response = signed_in.post(reverse("engagements:create"), {**ENGAGEMENT, "focal_points": [stranger.pk]})
    assert errors_of(response)["focal_points"] == [
        f"Focal points must be people of the engagement's country: {stranger.full_name}"
    ]
    assert not Engagement.objects.exists()


def test_moving_an_engagement_away_from_its_focal_points_on_the_page_is_refused(signed_in):
    focal = PersonFactory(agency=AgencyFactory(country_id="PE"))
    engagement = EngagementFactory(country_id="PE", title="Kept")
    engagement.focal_points.add(focal)
    signed_in.force_login(make_user("manager", "PE", "CO"))
    response = signed_in.post(
        reverse("engagements:edit", args=[engagement.pk]),
        {**ENGAGEMENT, "country": "CO", "title": "Moved", "focal_points": [focal.pk]},
    )
    assert errors_of(response)["focal_points"] == [
        f"Focal points must be people of the engagement's country: {focal.full_name}"
    ]
    engagement.refresh_from_db()
    assert (engagement.country_id, engagement.title) == ("PE", "Kept")


def test_an_edit_that_fails_changes_nothing(signed_in):
    engagement = EngagementFactory(country_id="PE", title="Kept")
    response = signed_in.post(
        reverse("engagements:edit", args=[engagement.pk]), {**ENGAGEMENT, "title": "Changed", "end_date": "2020-01-01"}
    )
    assert "end_date" in errors_of(response)
    engagement.refresh_from_db()
    assert engagement.title == "Kept"


def test_a_manager_adds_an_agency(signed_in):
    response = signed_in.post(
        reverse("engagements:agency_create"), {"country": "PE", "name": "Aduanas", "acronym": "AD", "kind": "customs"}
    )
    assert response["Location"] == reverse("engagements:agency_list")
    assert Agency.objects.get(name="Aduanas").country_id == "PE"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"country": "CO", "name": "Elsewhere", "kind": "customs"},
            "country",
            "You cannot add or move records to this country.",
        ),
        (
            {"country": "PE", "name": "Fine", "kind": "army"},
            "kind",
            "Select a valid choice. army is not one of the available choices.",
        ),
        ({"country": "PE", "name": "Fine", "kind": "customs", "website": "not a url"}, "website", "Enter a valid URL."),
        ({"country": "PE", "name": "", "kind": "customs"}, "name", "This field is required."),
    ],
)
def test_bad_agency_input_is_refused_with_a_clear_error(signed_in, data, field, message):
    response = signed_in.post(reverse("engagements:agency_create"), data)
    assert errors_of(response)[field] == [message]
    assert not Agency.objects.exists()


def test_a_second_agency_with_the_same_name_in_a_country_is_refused(signed_in):
    AgencyFactory(country_id="PE", name="Aduanas")
    response = signed_in.post(
        reverse("engagements:agency_create"), {"country": "PE", "name": "Aduanas", "kind": "customs"}
    )
    assert errors_of(response)["__all__"] == ["National agency with this Country and Name already exists."]
    assert Agency.objects.count() == 1


def test_an_agency_with_people_cannot_move_to_another_country(client):
    agency = AgencyFactory(country_id="PE")
    PersonFactory(agency=agency)
    client.force_login(make_user("manager", "PE", "CO"))
    response = client.post(
        reverse("engagements:agency_edit", args=[agency.pk]), {"country": "CO", "name": agency.name, "kind": "customs"}
    )
    assert errors_of(response)["country"] == ["This agency has people recorded; it cannot move to another country."]
    agency.refresh_from_db()
    assert agency.country_id == "PE"


def test_a_trainer_records_a_person(client):
    agency = AgencyFactory(country_id="PE")
    client.force_login(make_user("trainer", "PE"))
    response = client.post(
        reverse("engagements:person_create"),
        {"full_name": "Ana Pérez", "sex": "female", "email": "ana@example.org", "country": "PE", "agency": agency.pk},
    )
    assert response["Location"] == reverse("engagements:person_list")
    person = Person.objects.get(full_name="Ana Pérez")
    assert (person.agency, person.country_id, person.sex) == (agency, "PE", "female")


PERSON = {"full_name": "Ana Pérez", "sex": "female", "country": "PE"}


def test_a_person_with_an_agency_of_another_country_is_refused(client):
    other = AgencyFactory(country_id="CO")
    client.force_login(make_user("manager", "PE", "CO"))
    response = client.post(reverse("engagements:person_create"), {**PERSON, "agency": other.pk})
    assert errors_of(response)["agency"] == ["The agency belongs to another country."]
    assert not Person.objects.exists()


def test_a_person_with_an_e_mail_already_recorded_is_refused(signed_in):
    PersonFactory(email="ana@example.org")
    response = signed_in.post(reverse("engagements:person_create"), {**PERSON, "email": "ANA@example.org"})
    assert errors_of(response)["email"] == ["A person with this e-mail already exists."]
    assert Person.objects.count() == 1


def test_a_person_keeps_their_own_e_mail_when_edited(signed_in):
    person = PersonFactory(email="ana@example.org", agency=AgencyFactory(country_id="PE"))
    response = signed_in.post(
        reverse("engagements:person_edit", args=[person.pk]),
        {**PERSON, "email": "ana@example.org", "agency": person.agency_id, "position": "Chief"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "Chief"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sex": "unknown"}, "sex", "Select a valid choice. unknown is not one of the available choices."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"country": "CO"}, "country", "You cannot add or move records to this country."),
        ({"full_name": ""}, "full_name", "This field is required."),
    ],
)
def test_bad_person_input_is_refused_with_a_clear_error(signed_in, changes, field, message):
    response = signed_in.post(reverse("engagements:person_create"), {**PERSON, **changes})
    assert errors_of(response)[field] == [message]
    assert not Person.objects.exists()


def test_an_agency_the_user_cannot_see_is_not_offered(signed_in):
    hidden = AgencyFactory(country_id="CO")
    response = signed_in.post(reverse("engagements:person_create"), {**PERSON, "agency": hidden.pk})
    assert errors_of(response)["agency"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert not Person.objects.exists()
