"""A measure is not due before the roundtable that agreed it: one rule on the model, which the page,
the roundtable's own form and the API all apply."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from followups.models import Measure
from tests.assessments.factories import make_assessment
from tests.assessments.factories import make_roundtable
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MESSAGE = "The due date must not be before the roundtable that agreed the measure"


@pytest.fixture
def roundtable(db):
    # held on 10 June 2025
    return make_roundtable(make_assessment(country="PE"))


@pytest.fixture
def manager(roundtable):
    return make_user(Role.MANAGER, "PE", username="maria")


def test_the_model_refuses_a_due_date_before_the_roundtable(roundtable):
    measure = Measure(engagement=roundtable.engagement, roundtable=roundtable, title="Train", due_date=date(2025, 6, 9))
    with pytest.raises(ValidationError) as raised:
        measure.full_clean()
    assert MESSAGE in raised.value.message_dict["due_date"][0]


def test_the_roundtable_day_itself_is_a_valid_due_date(roundtable):
    Measure(engagement=roundtable.engagement, roundtable=roundtable, title="Train", due_date=date(2025, 6, 10)).clean()


def test_the_roundtable_form_refuses_it_and_saves_nothing(client, roundtable, manager):
    client.force_login(manager)
    response = client.post(
        reverse("followups:roundtable_measures", args=[roundtable.pk]),
        {"title": "Train inspectors", "priority": "medium", "due_date": "2025-01-31"},
    )
    assert MESSAGE in response.content.decode()
    assert not Measure.objects.exists()


def test_the_measure_form_refuses_it(client, roundtable, manager):
    client.force_login(manager)
    response = client.post(
        reverse("followups:measure_create", args=[roundtable.engagement_id]),
        {"title": "Train inspectors", "priority": "medium", "roundtable": roundtable.pk, "due_date": "2025-01-31"},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Measure.objects.exists()


def test_the_api_refuses_it_on_the_due_date(roundtable, manager):
    api = APIClient()
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/measures/",
        {
            "engagement": roundtable.engagement_id,
            "title": "Train",
            "roundtable": roundtable.pk,
            "due_date": "2025-01-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert MESSAGE in response.json()["due_date"][0]
    assert not Measure.objects.exists()


def test_a_due_date_before_the_day_agreed_is_refused_by_the_same_rule(roundtable):
    measure = Measure(
        engagement=roundtable.engagement, title="Old", agreed_on=date(2024, 5, 1), due_date=date(2024, 4, 1)
    )
    assert measure.due_date_errors() == {
        "due_date": ["The due date must not be before the day the measure was agreed."]
    }
