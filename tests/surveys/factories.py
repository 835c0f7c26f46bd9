"""Surveys for tests: a session with participants, its survey (default template), and answers."""

from __future__ import annotations

from datetime import date

from engagements.models import Person
from surveys import services
from surveys.models import Invitation
from surveys.models import Purpose
from surveys.models import SurveyQuestion
from surveys.models import SurveyTemplate
from surveys.tokens import token_for
from tests.factories import PersonFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory

END = date(2025, 5, 9)  # the end of SessionFactory's sessions


def session_with_people(n: int = 3, *, agency=None, sexes=None, **session_fields):
    """A session (ended on END) with ``n`` participants who have an e-mail address."""
    session = SessionFactory(**session_fields)
    for i in range(n):
        sex = (sexes or [Person.Sex.FEMALE])[i % len(sexes or [Person.Sex.FEMALE])]
        person = PersonFactory(sex=sex, **({"agency": agency} if agency is not None else {}))
        EnrolmentFactory(session=session, person=person)
    return session


def make_survey(session, purpose=Purpose.REACTION, *, anonymous=True, opens_on=END, today=None):
    """The session's survey with the default template (created as the daily run does: by nobody)."""
    return services.survey_create(
        session=session,
        purpose=purpose,
        template=SurveyTemplate.objects.get(purpose=purpose, is_default=True),
        anonymous=anonymous,
        opens_on=opens_on,
        by=None,
        today=today or opens_on,
    )


def question(code: str) -> SurveyQuestion:
    return SurveyQuestion.objects.get(code=code)


def answer(invitation: Invitation, values: dict, *, today=END):
    """Answer through the service: ``values`` maps question codes to values."""
    answers = {question(code): value for code, value in values.items()}
    return services.response_submit(invitation=invitation, answers=answers, today=today)


def link_of(invitation: Invitation) -> str:
    return f"/surveys/answer/{token_for(invitation)}/"
