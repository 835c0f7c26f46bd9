"""Demo data: the Lima risk-profiling session with both its surveys answered (the reaction survey
anonymous, the application survey named), and the regional webinar's reaction survey open today
with about half of its participants' answers in, so the survey pages, the session, course and
programme pages and the outcome API show real results. Idempotent: a session's survey is made once.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from trainings.models import TrainingSession

from . import services
from .models import Purpose
from .models import Survey
from .models import SurveyQuestion
from .models import SurveyTemplate

ANSWERED_SESSION = "Risk profiling of chemical shipments, Lima"
OPEN_SESSION = "Webinar: pre-export notifications for the Andean region"

COMMENTS = [
    "More practical cases from our own ports, please.",
    "Más tiempo para el ejercicio de perfilado.",
    "The field test kits were the most useful part.",
    "",
    "Sería útil recibir los materiales antes del curso.",
    "",
]
EXAMPLES = [
    "I used the risk indicators to select two shipments of acetone for inspection.",
    "Revisé las licencias de tres operadores con la lista de verificación del curso.",
    "",
]
OBSTACLES = ["Not enough staff at the border post.", "Falta de equipos de prueba de campo.", ""]
SUPPORT = ["A refresher webinar in a year.", "Acceso a la base de datos de alertas.", ""]


def _likert(rng: random.Random, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.8))))


def _reaction(rng: random.Random, questions: dict) -> dict:
    return {
        questions["satisfaction"]: _likert(rng, 4.2),
        questions["relevance"]: _likert(rng, 4.4),
        questions["trainers"]: _likert(rng, 4.0),
        questions["materials"]: _likert(rng, 3.6),
        questions["recommend"]: rng.choices([0, 1, 2], weights=[7, 2, 1])[0],
        questions["comments"]: rng.choice(COMMENTS),
    }


def _application(rng: random.Random, questions: dict) -> dict:
    return {
        questions["applied"]: _likert(rng, 3.7),
        questions["use_frequency"]: rng.choices([0, 1, 2, 3, 4], weights=[1, 3, 3, 3, 1])[0],
        questions["shared_with"]: rng.choice([0, 1, 2, 3, 4, 5, 8, 12]),
        questions["example"]: rng.choice(EXAMPLES),
        questions["obstacles"]: rng.choice(OBSTACLES),
        questions["support"]: rng.choice(SUPPORT),
    }


def _answer_some(rng, survey: Survey, share: float, answers, questions, *, on) -> int:
    invitations = list(survey.invitations.filter(answered=False).order_by("pk"))
    chosen = rng.sample(invitations, round(len(invitations) * share))
    for invitation in chosen:
        services.response_submit(invitation=invitation, answers=answers(rng, questions), today=on)
    return len(chosen)


def seed(out) -> None:
    if not SurveyTemplate.objects.filter(is_default=True).exists():
        out.write("surveys: no default templates")
        return
    rng = random.Random(2025)
    manager = User.objects.filter(username="manager").first()
    questions = {q.code: q for q in SurveyQuestion.objects.all()}
    answered = 0
    with transaction.atomic():
        lima = TrainingSession.objects.filter(title=ANSWERED_SESSION).first()
        if lima is not None and not lima.surveys.exists():
            reaction = services.survey_create(
                session=lima, purpose=Purpose.REACTION, anonymous=True, opens_on=lima.end_date,
                by=manager, today=lima.end_date, notify=False,
            )  # fmt: skip
            answered += _answer_some(rng, reaction, 0.8, _reaction, questions, on=lima.end_date + timedelta(days=2))
            opens = services.application_due(lima)
            application = services.survey_create(
                session=lima,
                purpose=Purpose.APPLICATION,
                anonymous=False,
                opens_on=opens,
                by=manager,
                today=opens,
                notify=False,
            )
            answered += _answer_some(rng, application, 0.6, _application, questions, on=opens + timedelta(days=9))
        webinar = TrainingSession.objects.filter(title=OPEN_SESSION).first()
        if webinar is not None and not webinar.surveys.exists():
            today = timezone.localdate()
            survey = services.survey_create(
                session=webinar,
                purpose=Purpose.REACTION,
                anonymous=True,
                opens_on=today,
                by=manager,
                today=today,
                notify=False,  # the demo's people are not mailed; the daily run would invite them
            )
            answered += _answer_some(rng, survey, 0.5, _reaction, questions, on=today)
    out.write(f"surveys: {Survey.objects.count()} surveys, {answered} new responses")
