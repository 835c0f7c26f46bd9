"""A rule has one message everywhere: the API answers a service's or a model's ValidationError as
a 400 with field errors (through ``ta_portal.api.exception_handler``), worded as the form words it."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from engagements import api as engagements_api
from engagements.forms import AgencyForm
from engagements.forms import EngagementForm
from engagements.forms import PersonForm
from engagements.models import Engagement
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", "CO")


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_a_service_validation_error_reaches_the_client_as_field_and_non_field_errors(api, monkeypatch):
    # given a service that refuses the write with a field error and an error of the whole object
    def refuse(*, engagement, by):
        raise ValidationError({"title": "Refused title.", NON_FIELD_ERRORS: "Refused as a whole."})

    monkeypatch.setattr(engagements_api, "engagement_save", refuse)

    # when a valid engagement is posted
    response = api.post(
        "/api/v1/engagements/", {"country": "PE", "title": "TA", "start_date": "2026-01-10"}, format="json"
    )

    # then the client gets the service's errors as DRF names them, and nothing is saved
    assert response.status_code == 400
    assert response.json() == {"title": ["Refused title."], "non_field_errors": ["Refused as a whole."]}
    assert not Engagement.objects.exists()


def _form_errors(form_class, user, data, instance=None) -> dict:
    form = form_class(data, instance=instance, user=user)
    assert not form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_reversed_dates_are_refused_by_the_api_with_the_forms_message(api, manager):
    data = {"country": "PE", "title": "TA", "phase": "planning", "start_date": "2026-03-10", "end_date": "2026-03-01"}
    form_errors = _form_errors(EngagementForm, manager, data)

    response = api.post("/api/v1/engagements/", data, format="json")

    assert response.status_code == 400
    assert response.json() == {"end_date": form_errors["end_date"]}
    assert not Engagement.objects.exists()


def test_a_patch_is_judged_by_the_models_rule_on_the_object_as_it_would_be_saved(api):
    engagement = EngagementFactory(country_id="PE")  # starts 2025-01-15

    response = api.patch(f"/api/v1/engagements/{engagement.pk}/", {"end_date": "2025-01-01"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date must not be before the start date."]}


def test_an_agency_with_people_is_kept_in_its_country_with_the_forms_message(api, manager):
    agency = AgencyFactory(country_id="PE")
    PersonFactory(agency=agency, country_id="PE")
    data = {"country": "CO", "name": agency.name, "kind": "customs"}
    form_errors = _form_errors(AgencyForm, manager, data, instance=agency)

    response = api.patch(f"/api/v1/agencies/{agency.pk}/", {"country": "CO"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"country": form_errors["country"]}
    agency.refresh_from_db()
    assert agency.country_id == "PE"


def test_an_agency_without_people_may_move(api):
    agency = AgencyFactory(country_id="PE")

    response = api.patch(f"/api/v1/agencies/{agency.pk}/", {"country": "CO"}, format="json")

    assert response.status_code == 200
    agency.refresh_from_db()
    assert agency.country_id == "CO"


def test_a_taken_e_mail_is_refused_by_the_api_with_the_forms_message(api, manager):
    PersonFactory(email="ana@example.org", country_id="PE")
    data = {"full_name": "Ana", "sex": "female", "email": "ANA@example.org", "country": "PE"}
    form_errors = _form_errors(PersonForm, manager, data)

    response = api.post("/api/v1/people/", data, format="json")

    assert response.status_code == 400
    assert response.json() == {"email": form_errors["email"]}
