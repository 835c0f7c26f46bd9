"""Sending an assessment for review says which dimensions are not scored; a roundtable is held in its
country's time zone unless told otherwise; a score row reports each of its errors."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Assessment
from assessments.models import Roundtable
from engagements.timezones import country_time_zone
from tests.assessments.factories import make_assessment
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", "BR", username="maria")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_sending_for_review_with_unscored_dimensions_names_them(client, manager):
    # given: a draft with two of its thirteen dimensions scored
    assessment = make_assessment(levels={"legal": 3, "institutional": 2}, by=manager)
    client.force_login(manager)
    # when
    response = client.post(
        reverse("assessments:status", args=[assessment.pk]), {"status": "in_review", "reason": ""}, follow=True
    )
    # then: it is in review, and the page says which eleven are not scored yet
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW
    warning = next(message for message in _messages(response) if "not scored yet" in message)
    assert warning.startswith("11 dimensions are not scored yet: ")
    unscored = [str(d) for d in services.dimensions_unscored(assessment)]
    assert len(unscored) == 11 and all(name in warning for name in unscored)


def test_sending_a_fully_scored_assessment_for_review_warns_of_nothing(client, manager):
    assessment = make_assessment(by=manager)
    services.scores_replace(
        assessment=assessment,
        entries=[services.ScoreEntry(d.code, 3) for d in assessment.framework.dimensions.all()],
        by=manager,
    )
    client.force_login(manager)
    response = client.post(reverse("assessments:status", args=[assessment.pk]), {"status": "in_review"}, follow=True)
    assert not [message for message in _messages(response) if "not scored" in message]


def test_the_api_names_the_unscored_dimensions_of_an_assessment_sent_for_review(manager):
    # given: a draft with two of its thirteen dimensions scored
    assessment = make_assessment(levels={"legal": 3, "institutional": 2}, by=manager)
    api = APIClient()
    api.force_authenticate(manager)
    # when: it is sent for review through the API
    response = api.patch(f"/api/v1/assessments/{assessment.pk}/", {"status": "in_review"}, format="json")
    # then: in review, with the eleven dimensions still to score, in the framework's order
    assert response.status_code == 200, response.content
    expected = [
        d.code
        for d in assessment.framework.dimensions.order_by("order", "code")
        if d.code not in {"legal", "institutional"}
    ]
    assert response.json()["status"] == "in_review"
    assert response.json()["unscored_dimensions"] == expected and len(expected) == 11
    # and making it final is refused with the same names, nothing changed
    final = api.patch(f"/api/v1/assessments/{assessment.pk}/", {"status": "final"}, format="json")
    assert final.status_code == 400
    assert "Not scored" in final.json()["status"][0]
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_REVIEW
    # the list says the same
    listed = api.get("/api/v1/assessments/", {"engagement": assessment.engagement_id}).json()["results"]
    assert [row["unscored_dimensions"] for row in listed] == [expected]


def test_a_country_s_time_zone_is_its_capital_s():
    assert (country_time_zone("PE"), country_time_zone("br"), country_time_zone("CA")) == (
        "America/Lima",
        "America/Sao_Paulo",
        "America/Toronto",
    )
    assert country_time_zone("ZZ") is None


def test_the_roundtable_form_offers_the_country_s_time_zone(client, manager):
    assessment = make_assessment(country="BR", by=manager)
    client.force_login(manager)
    response = client.get(reverse("assessments:roundtable_create"), {"engagement": assessment.engagement_id})
    assert response.context["form"]["time_zone"].value() == "America/Sao_Paulo"


def test_a_roundtable_saved_without_a_time_zone_takes_the_country_s(client, manager):
    assessment = make_assessment(country="BR", by=manager)
    client.force_login(manager)
    response = client.post(
        reverse("assessments:roundtable_create"),
        {"engagement": assessment.engagement_id, "title": "Roundtable in Brasília", "date": "2026-06-10",
         "start_time": "09:00", "venue": "Brasília"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Roundtable.objects.get().time_zone == "America/Sao_Paulo"


def test_the_api_takes_the_country_s_time_zone_unless_given_one(manager):
    assessment = make_assessment(country="PE", by=manager)
    api = APIClient()
    api.force_authenticate(manager)
    base = {"engagement": assessment.engagement_id, "title": "Roundtable", "date": "2026-06-10", "venue": "Lima"}
    assert api.post("/api/v1/roundtables/", base, format="json").json()["time_zone"] == "America/Lima"
    given = api.post("/api/v1/roundtables/", {**base, "time_zone": "Europe/Madrid"}, format="json").json()
    assert given["time_zone"] == "Europe/Madrid"


def test_a_score_row_reports_each_of_its_errors():
    framework_dimensions = {"legal": object()}
    errors = services.score_errors(
        [services.ScoreEntry("nonsense", 9), services.ScoreEntry("legal", 2), services.ScoreEntry("legal", 0)],
        framework_dimensions,
    )
    assert errors == {
        0: {
            "dimension": ["Unknown dimension “nonsense” for this framework."],
            "level": ["The level must be a whole number from 1 to 5."],
        },
        2: {
            "dimension": ["This dimension is scored twice."],
            "level": ["The level must be a whole number from 1 to 5."],
        },
    }


def test_the_api_answers_each_error_of_a_score_row(manager):
    assessment = make_assessment(by=manager, start=date(2025, 3, 3))
    api = APIClient()
    api.force_authenticate(manager)
    response = api.put(
        f"/api/v1/assessments/{assessment.pk}/scores/",
        [{"dimension": "nonsense", "level": 9}, {"dimension": "legal", "level": 2}],
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["scores"] == {
        "0": {
            "level": ["Ensure this value is less than or equal to 5."],
            "dimension": ["Unknown dimension “nonsense” for this framework."],
        }
    }
