"""Writes of the trainings app: each under one transaction, keeping score history with its author."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models import Q
from django.utils.translation import gettext as _

from engagements.models import Person
from notifications.services import notify
from ta_portal import datacache

from .models import AttendanceDay
from .models import Certificate
from .models import CertificateKind
from .models import Enrolment
from .models import ExamForm
from .models import ItemScore
from .models import ScoreChange
from .models import TrainingSession
from .results import InvalidResultsError
from .results import ResultInput
from .results import parse_score
from .results import results_upsert


@transaction.atomic
def session_save(*, session: TrainingSession, by, countries=None, trainers=None) -> TrainingSession:
    """Create or update a session; its engagement's country is always one of its countries."""
    if session.pk:
        highest = Enrolment.objects.filter(session=session).aggregate(pre=Max("pre_score"), post=Max("post_score"))
        top = max((v for v in highest.values() if v is not None), default=None)
        if top is not None and session.max_score is not None and session.max_score < top:
            raise ValidationError(
                {
                    "max_score": _("A recorded score is %(top)s: the maximum cannot be lower.")
                    % {"top": f"{top.normalize():f}"}
                }
            )
    planned = countries if countries is not None else (list(session.countries.all()) if session.pk else [])
    place_errors = TrainingSession.place_errors(engagement=session.engagement, countries=planned)
    if place_errors:
        raise ValidationError(place_errors)
    session.full_clean()
    session.save()
    if countries is not None:
        session.countries.set(countries)
    if session.engagement_id:
        session.countries.add(session.engagement.country_id)
    if trainers is not None:
        session.trainers.set(trainers)
    return session


@transaction.atomic
def enrol_people(*, session: TrainingSession, people: Iterable[Person]) -> int:
    """Enrol people (already enrolled ones are skipped); the enrolment keeps their current agency."""
    enrolled = set(session.enrolments.values_list("person_id", flat=True))
    new = [Enrolment(session=session, person=p, agency_id=p.agency_id) for p in people if p.pk not in enrolled]
    Enrolment.objects.bulk_create(new)
    datacache.changed(Enrolment)
    return len(new)


@transaction.atomic
def person_create_and_enrol(*, session: TrainingSession, person: Person) -> Enrolment:
    """A participant who is not yet in the people register, added on the spot."""
    if person.country_id not in set(session.countries.values_list("pk", flat=True)):
        raise ValidationError({"country": _("The person's country is not one of the session's countries.")})
    person.full_clean()
    person.save()
    return Enrolment.objects.create(session=session, person=person, agency_id=person.agency_id)


@transaction.atomic
def enrolment_remove(*, enrolment: Enrolment) -> None:
    if Certificate.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("This participant holds a certificate; revoke it rather than removing them."))
    enrolment.delete()


def scores_save(*, session: TrainingSession, entries: dict[int, dict], by, source=ScoreChange.Source.GRID):
    """Save the score grid: ``entries[enrolment_id] = {"pre_score": …, "post_score": …, …}``.

    Every cell is validated first (errors keyed by enrolment id, nothing saved on any error);
    the history records each changed score with its author.
    """
    people = dict(Enrolment.objects.filter(session=session, pk__in=list(entries)).values_list("pk", "person_id"))
    rows = [
        ResultInput(key=str(enrolment_id), person_id=people[enrolment_id], **values)
        for enrolment_id, values in entries.items()
        if enrolment_id in people
    ]
    return results_upsert(session=session, rows=rows, by=by, source=source)


@transaction.atomic
def attendance_save(*, session: TrainingSession, entries: dict[int, dict]) -> None:
    """``entries[enrolment_id]`` has ``completed`` and either ``days`` (dates present) or ``days_attended``.

    Per-day presence is the detail behind ``days_attended``; a total entered by hand replaces it.
    """
    enrolments = {e.pk: e for e in Enrolment.objects.select_for_update().filter(session=session, pk__in=list(entries))}
    session_days = {session.start_date.toordinal() + i for i in range(session.days)}
    per_day_ids = [pk for pk, entry in entries.items() if "days" in entry and pk in enrolments]
    total_ids = [pk for pk, entry in entries.items() if "days_attended" in entry and pk in enrolments]
    AttendanceDay.objects.filter(enrolment_id__in=per_day_ids + total_ids).delete()
    new_days = []
    for pk in per_day_ids:
        days = sorted({d for d in entries[pk]["days"] if d.toordinal() in session_days})
        new_days += [AttendanceDay(enrolment_id=pk, day=d) for d in days]
        enrolments[pk].days_attended = Decimal(len(days))
    AttendanceDay.objects.bulk_create(new_days)
    for pk in total_ids:
        value = entries[pk]["days_attended"]
        error = session.days_attended_error(value)
        if error:
            raise ValidationError(error)
        enrolments[pk].days_attended = value
    for pk, enrolment in enrolments.items():
        if "completed" in entries[pk]:
            enrolment.completed = entries[pk]["completed"]
    Enrolment.objects.bulk_update(list(enrolments.values()), ["days_attended", "completed"])
    datacache.changed(AttendanceDay, Enrolment)


def item_scores_save(*, session: TrainingSession, phase: str, form: ExamForm, entries: dict[int, dict], by):
    """Question scores of one form in one phase: ``entries[enrolment_id][question_id] = points or None``.

    A participant with every question scored gets the sum as their exam score (and this form as
    the form they took), recorded in the score history. Raises ``InvalidResultsError`` keyed by
    enrolment id, saving nothing, if any cell is invalid.
    """
    questions = {q.pk: q for q in form.questions.all()}
    enrolments = {e.pk: e for e in session.enrolments.all()}
    errors: dict[str, dict[str, list[str]]] = {}
    parsed: dict[int, dict[int, Decimal | None]] = {}
    for enrolment_id, cells in entries.items():
        if enrolment_id not in enrolments:
            continue
        parsed[enrolment_id] = {}
        for question_id, raw in cells.items():
            question = questions.get(question_id)
            if question is None:
                continue
            try:
                parsed[enrolment_id][question_id] = parse_score(raw, question.points)
            except ValueError as exc:
                errors.setdefault(str(enrolment_id), {}).setdefault(f"q{question.number}", []).append(str(exc))
    if errors:
        raise InvalidResultsError(errors)
    with transaction.atomic():
        ItemScore.objects.filter(enrolment_id__in=list(parsed), phase=phase, question__form=form).delete()
        ItemScore.objects.bulk_create(
            ItemScore(enrolment_id=e, phase=phase, question_id=q, points=points)
            for e, cells in parsed.items()
            for q, points in cells.items()
            if points is not None
        )
        datacache.changed(ItemScore)
        totals = {}
        for enrolment_id, cells in parsed.items():
            if questions and all(cells.get(q) is not None for q in questions):
                totals[enrolment_id] = {f"{phase}_score": sum(cells.values()), f"{phase}_form": form.code}
        if totals:
            scores_save(session=session, entries=totals, by=by, source=ScoreChange.Source.ITEMS)


def session_has_exam(session: TrainingSession) -> bool:
    """Whether anyone of the session has an exam score: without one, certificates are of attendance."""
    scored = Q(pre_score__isnull=False) | Q(post_score__isnull=False)
    return Enrolment.objects.filter(session=session).filter(scored).exists()


def certificate_kind(has_exam: bool) -> str:
    return CertificateKind.ACHIEVEMENT if has_exam else CertificateKind.ATTENDANCE


def certificate_eligible(enrolment: Enrolment, session: TrainingSession, *, has_exam: bool = True) -> bool:
    """Met the attendance threshold and, in a session with an exam, passed the post exam."""
    attendance = enrolment.attendance_pct(session.days) or 0.0
    if attendance < session.attendance_threshold_pct:
        return False
    if not has_exam:
        return enrolment.days_attended is not None
    return enrolment.post_score is not None and enrolment.post_score >= session.pass_mark


@transaction.atomic
def certificates_issue(*, session: TrainingSession, by) -> list[Certificate]:
    """Issue a certificate to every eligible participant who holds no valid one.

    The session row is locked, so two trainers pressing the button at once issue each certificate
    once; running it again issues only to participants who became eligible since, or whose
    certificate was revoked (the new one has a new code). A session where nobody has an exam score
    issues certificates of attendance.
    """
    TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    has_exam = session_has_exam(session)
    valid = Certificate.objects.filter(enrolment__session=session, revoked_at__isnull=True)
    enrolments = (
        Enrolment.objects.filter(session=session)
        .exclude(pk__in=valid.values("enrolment_id"))
        .select_related("person__user")
        .order_by("person__full_name", "pk")
    )
    kind = certificate_kind(has_exam)
    issued = [
        # One by one: saving registers each code among every certificate's (reports.models.CertificateCode).
        Certificate.objects.create(enrolment=e, issued_by=by, kind=kind)
        for e in enrolments
        if certificate_eligible(e, session, has_exam=has_exam)
    ]
    datacache.changed(Certificate)
    for certificate in issued:
        holder = certificate.enrolment.person.user_id
        if holder is not None:
            # The holder sees it at its public check address (the code is on the certificate).
            notify(
                recipients=[holder],
                kind="trainings.certificate_issued",
                params={"session": session.title},
                url=certificate.get_verify_url(),
                exclude=by,
            )
    return issued
