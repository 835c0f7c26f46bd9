"""Scoring every dimension on one page and over the API; bad scores are refused and save nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Assessment
from assessments.models import DimensionScore
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria")


@pytest.fixture
def assessment(manager):
    return make_assessment(levels={"legal": 2}, by=manager)


def _levels(assessment) -> dict[str, int]:
    return dict(assessment.scores.values_list("dimension__code", "level"))


def _page_data(levels: dict[str, object], rationale: str = "Seen in the interviews") -> dict:
    data = {}
    for dimension in default_framework().dimensions.all():
        level = levels.get(dimension.code, "")
        data[f"level_{dimension.code}"] = level
        data[f"rationale_{dimension.code}"] = rationale if level != "" else ""
    return data


def test_manager_scores_every_dimension_on_one_page(client, manager, assessment):
    # given
    client.force_login(manager)
    codes = list(default_framework().dimensions.values_list("code", flat=True))
    assert len(codes) == 13
    # when
    page = client.get(reverse("assessments:scores", args=[assessment.pk]))
    response = client.post(reverse("assessments:scores", args=[assessment.pk]), _page_data({code: 4 for code in codes}))
    # then
    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') == 13 * 6  # five levels and "not scored" each
    assert response.status_code == 302
    assert _levels(assessment) == {code: 4 for code in codes}
    assert set(assessment.scores.values_list("rationale", flat=True)) == {"Seen in the interviews"}


def test_the_scoring_page_shows_each_level_description(client, manager, assessment):
    client.force_login(manager)
    page = client.get(reverse("assessments:scores", args=[assessment.pk])).content.decode()
    legal = default_framework().dimensions.get(code="legal")
    assert legal.level_1[:60] in page
    assert legal.level_5[:60] in page


@pytest.mark.parametrize("bad_level", ["0", "6", "-1", "three", "2.5"])
def test_a_level_outside_one_to_five_on_the_page_is_refused_and_nothing_is_saved(
    client, manager, assessment, bad_level
):
    client.force_login(manager)
    response = client.post(
        reverse("assessments:scores", args=[assessment.pk]), _page_data({"legal": 5, "trade": bad_level})
    )
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert _levels(assessment) == {"legal": 2}


@pytest.mark.parametrize("bad_level", [0, 6, 99, True, "4"])
def test_the_scoring_service_refuses_levels_outside_one_to_five_and_saves_nothing(assessment, bad_level):
    with pytest.raises(ValidationError) as caught:
        services.scores_replace(
            assessment=assessment,
            entries=[services.ScoreEntry("legal", 5), services.ScoreEntry("trade", bad_level)],
            by=None,
        )
    assert "from 1 to 5" in str(caught.value)
    assert _levels(assessment) == {"legal": 2}


def test_the_database_refuses_a_level_outside_one_to_five(assessment):
    dimension = assessment.framework.dimensions.get(code="trade")
    with pytest.raises(IntegrityError), transaction.atomic():
        DimensionScore.objects.create(assessment=assessment, dimension=dimension, level=7)


@pytest.mark.parametrize(
    ("entries", "errors"),
    [
        (
            [services.ScoreEntry("legal", 5), services.ScoreEntry("astrology", 3)],
            {"astrology": ["Unknown dimension “astrology” for this framework."]},
        ),
        (
            [services.ScoreEntry("trade", 2), services.ScoreEntry("trade", 3)],
            {"trade": ["This dimension is scored twice."]},
        ),
    ],
    ids=["unknown", "twice"],
)
def test_an_unknown_or_repeated_dimension_is_refused_and_nothing_is_saved(assessment, entries, errors):
    with pytest.raises(ValidationError) as caught:
        services.scores_replace(assessment=assessment, entries=entries, by=None)
    assert caught.value.message_dict == errors
    assert _levels(assessment) == {"legal": 2}


def test_leaving_a_dimension_unscored_on_the_page_removes_its_score(client, manager, assessment):
    client.force_login(manager)
    client.post(reverse("assessments:scores", args=[assessment.pk]), _page_data({"trade": 3}))
    assert _levels(assessment) == {"trade": 3}


def test_scoring_a_final_assessment_on_the_page_is_refused_with_a_reason(client, manager):
    # given
    final = make_assessment(status=Assessment.Status.FINAL, by=manager)
    before = _levels(final)
    client.force_login(manager)
    # when
    response = client.post(reverse("assessments:scores", args=[final.pk]), _page_data({"legal": 5}), follow=True)
    # then
    assert response.redirect_chain[-1][0] == final.get_absolute_url()
    assert "final and can no longer be changed" in response.content.decode()
    assert _levels(final) == before


# API


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_put_scores_replaces_the_set_and_get_lists_them(api, assessment):
    url = f"/api/v1/assessments/{assessment.pk}/scores/"
    response = api.put(
        url,
        [{"dimension": "trade", "level": 4, "rationale": "PEN Online used"}, {"dimension": "legal", "level": 3}],
        format="json",
    )
    assert response.status_code == 200, response.json()
    listed = api.get(url).json()
    assert listed == [
        {"dimension": "legal", "level": 3, "rationale": ""},
        {"dimension": "trade", "level": 4, "rationale": "PEN Online used"},
    ]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"dimension": "trade", "level": 6}, "level", "less than or equal to 5"),
        ({"dimension": "trade", "level": 0}, "level", "greater than or equal to 1"),
        ({"dimension": "trade", "level": "high"}, "level", "valid integer"),
        ({"dimension": "trade", "level": 2.5}, "level", "valid integer"),
        ({"dimension": "trade", "level": True}, "level", "valid integer"),
        ({"dimension": "trade", "level": None}, "level", "null"),
        ({"dimension": "nonsense", "level": 3}, "dimension", "Unknown dimension “nonsense”"),
        ({"level": 3}, "dimension", "required"),
    ],
)
def test_put_scores_with_one_bad_row_answers_400_for_that_row_and_saves_nothing(api, assessment, row, field, message):
    response = api.put(
        f"/api/v1/assessments/{assessment.pk}/scores/", [{"dimension": "legal", "level": 5}, row], format="json"
    )
    assert response.status_code == 400
    errors = response.json()["scores"]
    assert list(errors) == ["1"]
    assert message in " ".join(errors["1"][field])
    assert _levels(assessment) == {"legal": 2}


def test_put_scores_that_name_a_dimension_twice_is_refused(api, assessment):
    response = api.put(
        f"/api/v1/assessments/{assessment.pk}/scores/",
        [{"dimension": "trade", "level": 2}, {"dimension": "trade", "level": 3}],
        format="json",
    )
    assert response.status_code == 400
    assert "twice" in str(response.json())


def test_put_scores_answers_each_bad_row_by_its_index_with_the_service_s_messages(api, assessment):
    response = api.put(
        f"/api/v1/assessments/{assessment.pk}/scores/",
        [
            {"dimension": "trade", "level": 2},
            {"dimension": "legal", "level": 9},
            {"dimension": "astrology", "level": 3},
            {"dimension": "trade", "level": 3},
        ],
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["scores"]
    assert list(errors) == ["1", "2", "3"]
    assert errors["2"] == {"dimension": ["Unknown dimension “astrology” for this framework."]}
    assert errors["3"] == {"dimension": ["This dimension is scored twice."]}
    assert _levels(assessment) == {"legal": 2}


def test_put_scores_needs_a_list(api, assessment):
    response = api.put(f"/api/v1/assessments/{assessment.pk}/scores/", {"legal": 3}, format="json")
    assert response.status_code == 400
    assert response.json() == {"scores": ["Send a list of scores."]}


def test_put_scores_on_a_final_assessment_answers_400_and_saves_nothing(api, manager):
    final = make_assessment(status=Assessment.Status.FINAL, by=manager)
    response = api.put(f"/api/v1/assessments/{final.pk}/scores/", [{"dimension": "legal", "level": 1}], format="json")
    assert response.status_code == 400
    assert "final" in response.json()["status"][0]
    assert _levels(final)["legal"] == 3
