"""Managers edit the question bank and the templates in the pages, in the four languages; a template
used by a survey keeps its questions (copy it to change them)."""

import pytest
from django.test import Client
from django.utils import translation

from surveys.models import Purpose
from surveys.models import QuestionKind
from surveys.models import SurveyQuestion
from surveys.models import SurveyTemplate
from tests.surveys.factories import make_survey
from tests.surveys.factories import question
from tests.surveys.factories import session_with_people

pytestmark = pytest.mark.django_db


def _client(world, role="manager"):
    client = Client()
    client.force_login(world.users[role])
    return client


def test_a_manager_adds_a_choice_question_in_four_languages(world):
    response = _client(world).post(
        "/surveys/questions/new/",
        {
            "code": "venue",
            "kind": QuestionKind.CHOICE,
            "text": "Was the venue suitable?",
            "options": "Yes\nPartly\nNo",
            "text_es": "¿Fue adecuado el lugar?",
            "options_es": "Sí\nEn parte\nNo",
            "text_fr": "Le lieu était-il adapté ?",
            "options_fr": "Oui\nEn partie",  # one option missing: refused, nothing saved
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Give as many options as in English" in response.content.decode()
    assert "¿Fue adecuado el lugar?" in response.content.decode()  # what was typed stays
    assert not SurveyQuestion.objects.filter(code="venue").exists()
    response = _client(world).post(
        "/surveys/questions/new/",
        {
            "code": "venue",
            "kind": QuestionKind.CHOICE,
            "text": "Was the venue suitable?",
            "options": "Yes\nPartly\nNo",
            "text_es": "¿Fue adecuado el lugar?",
            "options_es": "Sí\nEn parte\nNo",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    venue = SurveyQuestion.objects.get(code="venue")
    assert venue.options == ["Yes", "Partly", "No"]
    with translation.override("es"):
        assert (venue.local_text, venue.option_labels()) == ("¿Fue adecuado el lugar?", ["Sí", "En parte", "No"])
    with translation.override("fr"):  # no French yet: English
        assert venue.option_labels() == ["Yes", "Partly", "No"]


def test_viewers_read_the_bank_but_may_not_edit_it(world):
    assert _client(world, "viewer").get("/surveys/questions/").status_code == 200
    assert _client(world, "viewer").post("/surveys/questions/new/", {"code": "x"}).status_code == 403


def test_a_template_in_use_keeps_its_questions_and_can_be_copied(world):
    template = SurveyTemplate.objects.get(purpose=Purpose.REACTION, is_default=True)
    make_survey(session_with_people(1, engagement=world.engagement))
    client = _client(world)
    page = client.get(f"/surveys/templates/{template.pk}/").content.decode()
    assert "Copy this template" in page
    # its name may change, its questions not (their fields are disabled and ignored)
    response = client.post(
        f"/surveys/templates/{template.pk}/",
        {
            "name": "Reaction (2026)",
            "purpose": Purpose.REACTION,
            "is_default": "on",
            f"position_{question('trainers').pk}": "",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Reaction (2026)"
    assert [q.code for q in template.ordered_questions()][:3] == ["satisfaction", "relevance", "trainers"]
    # the copy can be changed: trainers out, satisfaction last
    response = client.post(f"/surveys/templates/{template.pk}/copy/")
    copy = SurveyTemplate.objects.exclude(pk=template.pk).get(purpose=Purpose.REACTION)
    assert response["Location"] == f"/surveys/templates/{copy.pk}/"
    positions = {
        f"position_{question(code).pk}": str(i) for i, code in enumerate(["relevance", "comments", "satisfaction"], 1)
    }
    response = client.post(
        f"/surveys/templates/{copy.pk}/", {"name": copy.name, "purpose": Purpose.REACTION, **positions}
    )
    assert response.status_code == 302
    assert [q.code for q in SurveyTemplate.objects.get(pk=copy.pk).ordered_questions()] == [
        "relevance",
        "comments",
        "satisfaction",
    ]
    assert SurveyTemplate.objects.get(pk=template.pk).is_default  # the copy is not the default
