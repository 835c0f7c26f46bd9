"""Every surveys page and endpoint, for each role, on a survey of a session of the own country (PE,
with the PE trainer assigned) and one of the other country (CO, nobody of the world assigned).

A session's surveys are read by the session's readers and created by those who run it; the question
bank and templates are read by every role and edited by managers and admins. The answer page is
public: anyone with a valid personal link reaches it, signed in or not.
"""

from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Purpose
from surveys.models import SurveyQuestion
from surveys.models import SurveyTemplate
from surveys.tokens import token_for
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory

READERS = {role: scoped(200) for role in ("manager", "trainer", "counterpart", "viewer")} | {"admin": same(200)}
RUNNERS = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(200),
    "counterpart": scoped(403),
    "viewer": scoped(403),
}
EVERYONE = {role: same(200) for role in READERS}
EDITORS = {
    "admin": same(200),
    "manager": same(200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}
EDITORS_REDIRECT = {role: tuple(302 if s == 200 else s for s in pair) for role, pair in EDITORS.items()}
# The answer page needs a survey open today.
CLOCK_SENSITIVE = True


def setup(world):
    """In each country a session with one participant and its reaction survey."""
    for side in ("", "other_"):
        session = SessionFactory(
            engagement=getattr(world, f"{side}engagement"),
            trainers=[world.users["trainer"]] if not side else [],
            title=f"{side}survey session",
        )
        EnrolmentFactory(session=session, person=getattr(world, f"{side}person"))
        today = timezone.localdate()
        survey = services.survey_create(session=session, purpose=Purpose.REACTION, opens_on=today, by=None, today=today)
        setattr(world, f"{side}survey_session", session)
        setattr(world, f"{side}survey", survey)
    world.survey_question = SurveyQuestion.objects.get(code="satisfaction")
    world.survey_template = SurveyTemplate.objects.get(purpose=Purpose.REACTION, is_default=True)


def _case(name, route, url, expected, **kwargs):
    return Case(name, route, kwargs.pop("method", "GET"), url, expected, setup=setup, **kwargs)


def _plain(name):
    return lambda w, s: reverse(f"surveys:{name}")


def _survey_url(name):
    return lambda w, s: reverse(f"surveys:{name}", args=[obj(w, s, "survey").pk])


CASES = [
    _case("survey list page", "surveys:survey_list", _plain("survey_list"), EVERYONE),
    _case("pooled survey results page", "surveys:pooled_results", _plain("pooled_results"), EVERYONE),
    _case("survey page", "surveys:survey_detail", _survey_url("survey_detail"), READERS),
    _case(
        "new survey page",
        "surveys:survey_create",
        lambda w, s: reverse("surveys:survey_create", args=[obj(w, s, "survey_session").pk]),
        RUNNERS,
    ),
    _case("question bank page", "surveys:question_list", _plain("question_list"), EVERYONE),
    _case("new question page", "surveys:question_create", _plain("question_create"), EDITORS),
    _case(
        "question edit page",
        "surveys:question_edit",
        lambda w, s: reverse("surveys:question_edit", args=[w.survey_question.pk]),
        EDITORS,
    ),
    _case("survey templates page", "surveys:template_list", _plain("template_list"), EVERYONE),
    _case("new survey template page", "surveys:template_create", _plain("template_create"), EDITORS),
    _case(
        "survey template edit page",
        "surveys:template_edit",
        lambda w, s: reverse("surveys:template_edit", args=[w.survey_template.pk]),
        EDITORS,
    ),
    _case(
        "survey template copy",
        "surveys:template_copy",
        lambda w, s: reverse("surveys:template_copy", args=[w.survey_template.pk]),
        EDITORS_REDIRECT,
        method="POST",
        data=lambda w, s: {},
    ),
    _case(
        "public survey answer page",
        "surveys:answer",
        lambda w, s: reverse("surveys:answer", args=[token_for(obj(w, s, "survey").invitations.get())]),
        EVERYONE,
        anonymous=200,
    ),
    # API
    _case("API survey list", "survey-list", lambda w, s: "/api/v1/surveys/", EVERYONE, api=True),
    _case(
        "API survey detail",
        "survey-detail",
        lambda w, s: f"/api/v1/surveys/{obj(w, s, 'survey').pk}/",
        READERS,
        api=True,
    ),
    _case(
        "API survey results",
        "survey-results",
        lambda w, s: f"/api/v1/surveys/{obj(w, s, 'survey').pk}/results/",
        READERS,
        api=True,
    ),
]
