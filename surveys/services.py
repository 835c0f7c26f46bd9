"""Writes of the surveys: the question bank and templates, surveys and their invitations, answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Exists
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import add_months
from ta_portal import datacache
from trainings.models import Enrolment
from trainings.models import TrainingSession

from . import access
from .models import Answer
from .models import Invitation
from .models import Purpose
from .models import QuestionKind
from .models import Survey
from .models import SurveyQuestion
from .models import SurveyResponse
from .models import SurveyTemplate
from .models import TemplateQuestion

# ---- Question bank and templates ---------------------------------------------------------------


def question_in_use(question: SurveyQuestion) -> bool:
    return Answer.objects.filter(question=question).exists()


def question_save(*, question: SurveyQuestion, by, original_kind: str | None = None, original_options=None):
    """Save a question of the bank. Once answered, its kind and its number of options are fixed
    (the answers recorded would no longer mean what they meant); wording may still be corrected."""
    if not SurveyQuestion.objects.creatable_by(by):
        raise PermissionDenied
    if question.pk and question_in_use(question):
        if original_kind is not None and question.kind != original_kind:
            raise ValidationError({"kind": _("This question has answers: its kind cannot change.")})
        if original_options is not None and len(question.options or []) != len(original_options or []):
            raise ValidationError({"options": _("This question has answers: its number of options cannot change.")})
    question.full_clean()
    question.save()
    return question


def template_in_use(template: SurveyTemplate) -> bool:
    return template.surveys.exists()


def template_save(*, template: SurveyTemplate, by, questions: list[SurveyQuestion] | None):
    """Save a template and, when ``questions`` is given, its questions in that order. A template
    used by a survey keeps its questions (its results must keep meaning the same): copy it instead."""
    if not SurveyTemplate.objects.creatable_by(by):
        raise PermissionDenied
    with transaction.atomic():
        if questions is not None:
            if not questions:
                raise ValidationError({"questions": _("A template needs at least one question.")})
            if template.pk and template_in_use(template):
                current = [item.question_id for item in template.items.order_by("position")]
                if current != [q.pk for q in questions]:
                    raise ValidationError(
                        {
                            "questions": _(
                                "Surveys use this template: its questions cannot change. Copy it to change them."
                            )
                        }
                    )
        if template.is_default:
            SurveyTemplate.objects.filter(purpose=template.purpose, is_default=True).exclude(pk=template.pk).update(
                is_default=False
            )
        template.full_clean()
        template.save()
        if questions is not None and not (template.pk and template_in_use(template)):
            template.items.all().delete()
            TemplateQuestion.objects.bulk_create(
                TemplateQuestion(template=template, question=q, position=i) for i, q in enumerate(questions, start=1)
            )
        datacache.changed(SurveyTemplate, TemplateQuestion)
    return template


def template_copy(*, template: SurveyTemplate, by) -> SurveyTemplate:
    """A new template with the same questions, to be changed where the original may not."""
    name = _("%(name)s (copy)") % {"name": template.name}
    number = 2
    while SurveyTemplate.objects.filter(name=name).exists():
        name = _("%(name)s (copy %(n)s)") % {"name": template.name, "n": number}
        number += 1
    copy = SurveyTemplate(name=name[:200], purpose=template.purpose, translations=template.translations)
    return template_save(template=copy, by=by, questions=template.ordered_questions())


# ---- Surveys and invitations ------------------------------------------------------------------------


def link_days() -> int:
    return settings.SURVEY_LINK_DAYS


def application_due(session: TrainingSession) -> date:
    """When a session's application survey opens: its course's months after its end (4 without a course)."""
    months = session.course.application_survey_months if session.course_id else 4
    return add_months(session.end_date, months)


def survey_create(
    *,
    session: TrainingSession,
    purpose: str,
    template: SurveyTemplate | None = None,
    anonymous: bool | None = None,
    opens_on: date,
    by,
    today: date | None = None,
    notify: bool = True,
) -> Survey:
    """Create a session's survey of ``purpose`` and invite its participants; the e-mails go once the
    survey is open (now if it opens today or earlier and ``notify``, else from the daily run)."""
    if by is not None and not access.can_run_surveys(by, session):
        raise PermissionDenied
    today = today or timezone.localdate()
    template = template or SurveyTemplate.objects.filter(purpose=purpose, is_default=True).first()
    errors = {}
    if template is None:
        errors["template"] = _("There is no template for this purpose: add one first.")
    elif template.purpose != purpose:
        errors["template"] = _("This template is for another purpose.")
    elif not template.items.exists():
        errors["template"] = _("This template has no questions.")
    if Survey.objects.filter(session=session, purpose=purpose).exists():
        errors["purpose"] = _("This session has a survey of this kind already.")
    if purpose == Purpose.REACTION and opens_on < session.start_date:
        errors["opens_on"] = _("A reaction survey opens once the session has begun.")
    if purpose == Purpose.APPLICATION and opens_on < session.end_date:
        errors["opens_on"] = _("An application survey opens after the session has ended.")
    if opens_on + timedelta(days=link_days()) < today:
        errors["opens_on"] = _("A survey opening on this day would be closed already.")
    if errors:
        raise ValidationError(errors)
    if anonymous is None:
        anonymous = settings.SURVEY_ANONYMOUS_BY_DEFAULT
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                session=session,
                purpose=purpose,
                template=template,
                anonymous=anonymous,
                opens_on=opens_on,
                closes_on=opens_on + timedelta(days=link_days()),
                created_by=by,
            )
            invite_participants(survey_ids=[survey.pk])
            if notify and opens_on <= today:
                from .reminders import send_survey_emails  # noqa: PLC0415 (reminders -> services for the figures)

                send_survey_emails(today=today, survey_ids=[survey.pk])
    except IntegrityError:  # created meanwhile by the daily run or another manager
        raise ValidationError({"purpose": _("This session has a survey of this kind already.")}) from None
    return survey


def invite_participants(*, survey_ids) -> int:
    """An invitation for each participant with an e-mail who has none yet (late enrolments too), in
    the participant's language: their account's, else the session's. Three reads and one write."""
    surveys_of = defaultdict(list)
    for session_id, survey_id in Survey.objects.filter(pk__in=survey_ids).values_list("session_id", "pk"):
        surveys_of[session_id].append(survey_id)
    if not surveys_of:
        return 0
    existing = set(
        Invitation.objects.filter(survey__in=[pk for pks in surveys_of.values() for pk in pks]).values_list(
            "survey_id", "enrolment_id"
        )
    )
    rows = (
        Enrolment.objects.filter(session__in=list(surveys_of))
        .exclude(person__email="")
        .order_by("pk")
        .values_list("pk", "session_id", "person__email", "person__user__language", "session__language")
    )
    invitations = [
        Invitation(survey_id=survey_id, enrolment_id=pk, email=email, language=(account or language or "en")[:2])
        for pk, session_id, email, account, language in rows
        for survey_id in surveys_of[session_id]
        if (survey_id, pk) not in existing
    ]
    Invitation.objects.bulk_create(invitations, ignore_conflicts=True)
    datacache.changed(Invitation)
    return len(invitations)


def open_due_surveys(*, today: date) -> list[Survey]:
    """The daily run: a reaction survey for each session that has ended, an application survey for
    each whose months have passed, with the default templates (none without one). Sessions whose
    survey would already be closed are left alone, and so is a session with no participants.
    Idempotent: a session has at most one survey of each purpose (a unique constraint)."""
    window = timedelta(days=link_days())
    with_people = Exists(Enrolment.objects.filter(session=OuterRef("pk")).exclude(person__email=""))
    has = {
        purpose: Exists(Survey.objects.filter(session=OuterRef("pk"), purpose=purpose)) for purpose in Purpose.values
    }
    defaults = {t.purpose: t for t in SurveyTemplate.objects.filter(is_default=True)}
    created = []
    if Purpose.REACTION in defaults:
        ended = (
            TrainingSession.objects.filter(end_date__lte=today, end_date__gte=today - window)
            .filter(with_people)
            .filter(~has[Purpose.REACTION])
        )
        for session in ended.order_by("pk"):
            created += _create_quietly(session, Purpose.REACTION, defaults, opens_on=today, today=today)
    if Purpose.APPLICATION in defaults:
        longest = timedelta(days=31 * 24)  # the longest application delay a course may set
        candidates = (
            TrainingSession.objects.filter(end_date__lte=today, end_date__gte=today - longest - window)
            .filter(with_people)
            .filter(~has[Purpose.APPLICATION])
            .select_related("course")
        )
        for session in candidates.order_by("pk"):
            due = application_due(session)
            if due <= today < due + window:
                created += _create_quietly(session, Purpose.APPLICATION, defaults, opens_on=today, today=today)
    # Participants enrolled after their survey opened are invited too.
    invite_participants(survey_ids=Survey.objects.filter(opens_on__lte=today, closes_on__gte=today).values("pk"))
    return created


def _create_quietly(session, purpose, defaults, *, opens_on, today) -> list[Survey]:
    try:
        return [
            survey_create(
                session=session, purpose=purpose, template=defaults[purpose], opens_on=opens_on, by=None, today=today
            )
        ]
    except ValidationError:  # e.g. created meanwhile: nothing to do
        return []


# ---- Answering -----------------------------------------------------------------------------------------


class AlreadyAnsweredError(Exception):
    pass


class ClosedError(Exception):
    pass


def response_submit(*, invitation: Invitation, answers: dict, today: date) -> SurveyResponse:
    """Record an invitation's answers (``{question: value}``, values checked by the form), once.

    The invitation row is locked while it is checked and marked answered, so the same link used
    twice at the same moment records one response. In an anonymous survey the response keeps no
    invitation and no time; either way it keeps the participant's sex, agency and country."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("survey", "enrolment__person")
        invitation = locked.get(pk=invitation.pk)
        survey = invitation.survey
        if invitation.answered:
            raise AlreadyAnsweredError
        if not survey.is_open(today):
            raise ClosedError
        person = invitation.enrolment.person
        now = timezone.now()
        response = SurveyResponse.objects.create(
            survey=survey,
            invitation=None if survey.anonymous else invitation,
            sex=person.sex,
            agency_id=invitation.enrolment.agency_id or person.agency_id,
            country_id=person.country_id,
            submitted_at=None if survey.anonymous else now,
        )
        Answer.objects.bulk_create(
            [_answer(response, question, value) for question, value in answers.items() if _given(value)]
        )
        Invitation.objects.filter(pk=invitation.pk).update(answered=True, answered_at=None if survey.anonymous else now)
        datacache.changed(Answer, Invitation)
    return response


def _given(value) -> bool:
    return value not in (None, "")


def _answer(response, question: SurveyQuestion, value) -> Answer:
    answer = Answer(response=response, question=question)
    if question.kind == QuestionKind.LIKERT:
        answer.likert = int(value)
    elif question.kind == QuestionKind.CHOICE:
        answer.choice = int(value)
    elif question.kind == QuestionKind.NUMBER:
        answer.number = Decimal(value)
    else:
        answer.text = str(value).strip()
    return answer
