"""The REST API base: token and session auth, pagination, filters, and bad input on every endpoint."""

import pytest
from rest_framework.test import APIClient

from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person
from tests.factories import PASSWORD
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria")


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


# Auth


def test_a_token_is_given_for_good_credentials_and_opens_the_api(manager):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "maria", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    EngagementFactory(country_id="PE", title="Visible")
    listed = client.get("/api/v1/engagements/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
    assert [e["title"] for e in listed.json()["results"]] == ["Visible"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "maria", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "maria"},
        {},
    ],
)
def test_bad_credentials_get_400_and_no_token(manager, body):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    # and nothing a client could use: the API still refuses it
    assert APIClient().get("/api/v1/engagements/", HTTP_AUTHORIZATION="Token ").status_code == 401


def test_an_inactive_user_gets_no_token(manager):
    manager.is_active = False
    manager.save()
    response = APIClient().post("/api/v1/auth/token/", {"username": "maria", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_without_credentials_the_api_answers_401(db):
    response = APIClient().get("/api/v1/engagements/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_answers_401(db):
    response = APIClient().get("/api/v1/engagements/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


def test_the_browser_session_opens_the_api(client, manager):
    client.force_login(manager)
    assert client.get("/api/v1/engagements/").status_code == 200


def test_me_says_who_the_caller_is_and_where_their_roles_reach(api):
    assert api.get("/api/v1/me/").json() == {"username": "maria", "language": "", "roles": {"manager": ["PE"]}}


# Lists: pagination and filters


def test_lists_are_paginated_with_count_next_previous_results(api):
    EngagementFactory.create_batch(3, country_id="PE")
    page = api.get("/api/v1/engagements/?page_size=2").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert (page["count"], len(page["results"]), page["previous"]) == (3, 2, None)
    assert "page=2" in page["next"]
    second = api.get("/api/v1/engagements/?page_size=2&page=2").json()
    assert (len(second["results"]), second["next"]) == (1, None)


def test_page_size_is_capped_at_500(api):
    Agency.objects.bulk_create(Agency(country_id="PE", name=f"Agency {n:03}") for n in range(501))
    page = api.get("/api/v1/agencies/?page_size=10000").json()
    assert page["count"] == 501
    assert len(page["results"]) == 500


def test_a_page_past_the_end_is_404(api):
    assert api.get("/api/v1/engagements/?page=9").status_code == 404


def test_lists_filter_by_country_code_in_either_case(db):
    client = APIClient()
    client.force_authenticate(make_user("manager", "PE", "CO"))
    EngagementFactory(country_id="PE", title="Peru")
    EngagementFactory(country_id="CO", title="Colombia")
    for code in ("PE", "pe"):
        assert [e["title"] for e in client.get(f"/api/v1/engagements/?country={code}").json()["results"]] == ["Peru"]
    assert client.get("/api/v1/agencies/?country=CO").json()["count"] == 0
    AgencyFactory(country_id="CO")
    assert [a["country"] for a in client.get("/api/v1/agencies/?country=CO").json()["results"]] == ["CO"]


def test_a_country_filter_never_reaches_outside_the_scope(api):
    EngagementFactory(country_id="CO")
    assert api.get("/api/v1/engagements/?country=CO").json()["count"] == 0


def test_engagements_filter_by_phase_and_bad_values_are_400(api):
    EngagementFactory(country_id="PE", phase="planning", title="Planned")
    EngagementFactory(country_id="PE", phase="closed")
    assert [e["title"] for e in api.get("/api/v1/engagements/?phase=planning").json()["results"]] == ["Planned"]
    response = api.get("/api/v1/engagements/?phase=finished")
    assert response.status_code == 400
    assert "phase" in response.json()


def test_people_filter_by_agency_and_sex(api):
    agency = AgencyFactory(country_id="PE")
    PersonFactory(agency=agency, sex="male", full_name="Luis")
    PersonFactory(agency=AgencyFactory(country_id="PE"), sex="female")
    results = api.get(f"/api/v1/people/?agency={agency.pk}&sex=male").json()["results"]
    assert [p["full_name"] for p in results] == ["Luis"]


def test_countries_list_every_iso_country_and_filter_by_region(api):
    assert api.get("/api/v1/countries/").json()["count"] == 249
    # The OAS has 34 member states since Nicaragua's withdrawal took effect (November 2023).
    members = api.get("/api/v1/countries/?region=Americas&oas_member=true&page_size=500").json()["results"]
    assert len(members) == 34
    assert {"PE", "CO", "US", "CA", "CU"} <= {c["code"] for c in members}
    assert "NI" not in {c["code"] for c in members}
    assert api.get("/api/v1/countries/pe/").json() == {
        "code": "PE",
        "name": "Peru",
        "region": "Americas",
        "subregion": "South America",
        "oas_member": True,
    }
    assert api.get("/api/v1/countries/XX/").status_code == 404


def test_fields_follow_the_contract(api):
    engagement = EngagementFactory(country_id="PE", end_date=None)
    person = PersonFactory(agency=AgencyFactory(country_id="PE"))
    assert set(api.get(f"/api/v1/engagements/{engagement.pk}/").json()) >= {
        "id",
        "country",
        "title",
        "programme",
        "start_date",
        "end_date",
        "phase",
    }
    assert set(api.get(f"/api/v1/people/{person.pk}/").json()) >= {
        "id",
        "full_name",
        "sex",
        "email",
        "agency",
        "country",
    }
    assert set(api.get(f"/api/v1/agencies/{person.agency_id}/").json()) >= {"id", "country", "name", "acronym", "kind"}
    body = api.get(f"/api/v1/engagements/{engagement.pk}/").json()
    assert (body["country"], body["start_date"], body["end_date"]) == ("PE", "2025-01-15", None)


# Writes: good input


def test_creating_an_engagement_records_its_phase(api, manager):
    response = api.post(
        "/api/v1/engagements/",
        {"country": "pe", "title": "API engagement", "start_date": "2026-01-05", "phase": "assessment"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    engagement = Engagement.objects.get(pk=response.json()["id"])
    assert (engagement.country_id, engagement.phase) == ("PE", "assessment")
    assert list(engagement.phase_changes.values_list("to_phase", "changed_by")) == [("assessment", manager.pk)]


def test_a_person_takes_the_country_of_their_agency(api):
    agency = AgencyFactory(country_id="PE")
    response = api.post("/api/v1/people/", {"full_name": "Ana", "sex": "female", "agency": agency.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "PE"


# Writes: bad input gives 400 {field: [messages]} and saves nothing


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"end_date": "2026-01-01"}, "end_date", "The end date must not be before the start date."),
        ({"country": "XX"}, "country", "Object with code=XX does not exist."),
        ({"country": "CO"}, "country", "You cannot add or move records to this country."),
        (
            {"start_date": "05/01/2026"},
            "start_date",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        ({"phase": "finished"}, "phase", '"finished" is not a valid choice.'),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"programme": 999999}, "programme", 'Invalid pk "999999" - object does not exist.'),
        ({"end_date": "9999-12-31"}, "end_date", "Ensure this value is less than or equal to 2199-12-31."),
        ({"start_date": "0001-01-01"}, "start_date", "Ensure this value is greater than or equal to 1900-01-01."),
    ],
)
def test_bad_engagement_input_is_400_and_saves_nothing(api, body, field, message):
    good = {"country": "PE", "title": "T", "start_date": "2026-03-01", "phase": "planning"}
    response = api.post("/api/v1/engagements/", {**good, **body}, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Engagement.objects.exists()


def test_a_patch_with_reversed_dates_is_400_and_changes_nothing(api):
    engagement = EngagementFactory(country_id="PE", title="Kept")
    response = api.patch(
        f"/api/v1/engagements/{engagement.pk}/", {"title": "X", "end_date": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date must not be before the start date."]}
    engagement.refresh_from_db()
    assert (engagement.title, engagement.end_date) == ("Kept", None)


@pytest.fixture
def two_country_api(db):
    client = APIClient()
    client.force_authenticate(make_user("manager", "PE", "CO"))
    return client


def test_an_engagement_cannot_move_away_from_its_focal_points(two_country_api):
    engagement = EngagementFactory(country_id="PE", title="Kept")
    focal = PersonFactory(agency=AgencyFactory(country_id="PE"))
    engagement.focal_points.add(focal)
    response = two_country_api.patch(
        f"/api/v1/engagements/{engagement.pk}/", {"country": "CO", "title": "Moved"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"country": ["Remove the focal points of the other country before moving the engagement."]}
    engagement.refresh_from_db()
    assert (engagement.country_id, engagement.title) == ("PE", "Kept")
    assert list(engagement.focal_points.all()) == [focal]


def test_an_engagement_moves_to_the_country_of_its_focal_points(two_country_api):
    engagement = EngagementFactory(country_id="PE")
    engagement.focal_points.add(PersonFactory(agency=AgencyFactory(country_id="CO")))
    response = two_country_api.patch(f"/api/v1/engagements/{engagement.pk}/", {"country": "CO"}, format="json")
    assert response.status_code == 200, response.json()
    engagement.refresh_from_db()
    assert engagement.country_id == "CO"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"country": "CO"}, "country", "You cannot add or move records to this country."),
        ({"country": "ZZ"}, "country", "Object with code=ZZ does not exist."),
        ({"kind": "army"}, "kind", '"army" is not a valid choice.'),
        ({"name": ""}, "name", "This field may not be blank."),
        ({"website": "nope"}, "website", "Enter a valid URL."),
    ],
)
def test_bad_agency_input_is_400_and_saves_nothing(api, body, field, message):
    good = {"country": "PE", "name": "Aduanas", "kind": "customs"}
    response = api.post("/api/v1/agencies/", {**good, **body}, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Agency.objects.exists()


def test_a_duplicate_agency_name_in_a_country_is_400(api):
    AgencyFactory(country_id="PE", name="Aduanas")
    response = api.post("/api/v1/agencies/", {"country": "PE", "name": "Aduanas", "kind": "customs"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The fields country, name must make a unique set."]}
    assert Agency.objects.count() == 1


def test_an_agency_with_people_cannot_move_to_another_country(db):
    client = APIClient()
    client.force_authenticate(make_user("manager", "PE", "CO"))
    agency = AgencyFactory(country_id="PE")
    PersonFactory(agency=agency)
    response = client.patch(f"/api/v1/agencies/{agency.pk}/", {"country": "CO"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"country": ["This agency has people recorded; it cannot move to another country."]}


def test_a_person_with_an_agency_of_another_country_is_400(db):
    client = APIClient()
    client.force_authenticate(make_user("manager", "PE", "CO"))
    other = AgencyFactory(country_id="CO")
    response = client.post(
        "/api/v1/people/", {"full_name": "Ana", "sex": "female", "country": "PE", "agency": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"agency": ["The agency belongs to another country."]}
    assert not Person.objects.exists()


def test_a_person_with_an_agency_out_of_scope_is_400(api):
    hidden = AgencyFactory(country_id="CO")
    response = api.post("/api/v1/people/", {"full_name": "Ana", "country": "PE", "agency": hidden.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"agency": [f'Invalid pk "{hidden.pk}" - object does not exist.']}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "ANA@example.org"}, "email", "A person with this e-mail already exists."),
        ({"email": "nope"}, "email", "Enter a valid email address."),
        ({"sex": "unknown"}, "sex", '"unknown" is not a valid choice.'),
        ({"country": "CO"}, "country", "You cannot add or move records to this country."),
        ({"country": None}, "country", "This field may not be null."),
        ({"full_name": ""}, "full_name", "This field may not be blank."),
    ],
)
def test_bad_person_input_is_400_and_saves_nothing(api, body, field, message):
    PersonFactory(email="ana@example.org", agency=AgencyFactory(country_id="PE"))
    response = api.post(
        "/api/v1/people/", {"full_name": "Ana", "sex": "female", "country": "PE", **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert Person.objects.count() == 1


def test_a_person_needs_a_country_or_an_agency(api):
    response = api.post("/api/v1/people/", {"full_name": "Ana"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"country": ["This field is required."]}


def test_a_body_that_is_not_json_is_400(api):
    response = api.generic("POST", "/api/v1/engagements/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_put_and_delete_are_not_offered(api):
    engagement = EngagementFactory(country_id="PE")
    assert api.delete(f"/api/v1/engagements/{engagement.pk}/").status_code == 405
    assert api.put(f"/api/v1/engagements/{engagement.pk}/", {}, format="json").status_code == 405
    assert Engagement.objects.filter(pk=engagement.pk).exists()
