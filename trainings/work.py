"""Trainers' work: sessions that have ended with attendance or scores missing, and participants
whose certificates are ready to issue. A training session of an engagement says it reached capacity
building."""

from django.db.models import Count
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from accounts.scoping import has_role
from engagements.models import Engagement
from ta_portal.work import PhaseEvidence
from ta_portal.work import WorkItem

from .models import Certificate
from .models import Enrolment
from .models import ExamForm
from .models import TrainingSession
from .services import certificate_eligible


def work_items(user, *, today, since) -> list[WorkItem]:
    if not has_role(user, Role.TRAINER):
        return []
    scored = Q(enrolments__pre_score__isnull=False) | Q(enrolments__post_score__isnull=False)
    sessions = (
        TrainingSession.objects.editable_by(user)
        .filter(end_date__lt=today)
        .annotate(
            n_without_attendance=Count("enrolments", filter=Q(enrolments__days_attended__isnull=True), distinct=True),
            n_without_score=Count("enrolments", filter=Q(enrolments__post_score__isnull=True), distinct=True),
            n_scored=Count("enrolments", filter=scored, distinct=True),
            has_forms=Exists(ExamForm.objects.filter(session=OuterRef("pk"))),
        )
        .order_by("-end_date", "pk")
    )
    items = []
    ended = []
    for session in sessions:
        ended.append(session)
        if session.n_without_attendance:
            items.append(
                WorkItem(
                    order=10,
                    role=Role.TRAINER,
                    title=_("%(session)s: attendance missing") % {"session": session.title},
                    url=reverse("trainings:attendance", args=[session.pk]),
                    detail=ngettext(
                        "%(count)d participant without attendance",
                        "%(count)d participants without attendance",
                        session.n_without_attendance,
                    )
                    % {"count": session.n_without_attendance},
                )
            )
        # A session with an exam (forms set up, or someone scored) needs every post-exam score.
        if (session.has_forms or session.n_scored) and session.n_without_score:
            items.append(
                WorkItem(
                    order=10,
                    role=Role.TRAINER,
                    title=_("%(session)s: scores missing") % {"session": session.title},
                    url=reverse("trainings:scores", args=[session.pk]),
                    detail=ngettext(
                        "%(count)d participant without a post-exam score",
                        "%(count)d participants without a post-exam score",
                        session.n_without_score,
                    )
                    % {"count": session.n_without_score},
                )
            )
    items += _certificates_ready(ended)
    return items


def _certificates_ready(sessions: list[TrainingSession]) -> list[WorkItem]:
    """Per session, the participants eligible (``certificate_eligible``, the rule issuing applies)
    who hold no valid certificate yet: one query for all the sessions' enrolments."""
    by_pk = {session.pk: session for session in sessions}
    valid = Certificate.objects.filter(enrolment=OuterRef("pk"), revoked_at__isnull=True)
    enrolments = (
        Enrolment.objects.filter(session_id__in=list(by_pk))
        .filter(~Exists(valid))
        .only("pk", "session_id", "days_attended", "post_score")
    )
    ready: dict[int, int] = {}
    for enrolment in enrolments:
        session = by_pk[enrolment.session_id]
        # session_has_exam, from the annotation: someone of the session has a score.
        if certificate_eligible(enrolment, session, has_exam=bool(session.n_scored)):
            ready[session.pk] = ready.get(session.pk, 0) + 1
    return [
        WorkItem(
            order=20,
            role=Role.TRAINER,
            title=_("%(session)s: certificates ready to issue") % {"session": by_pk[pk].title},
            url=reverse("trainings:certificates", args=[pk]),
            detail=ngettext(
                "%(count)d participant eligible without a certificate",
                "%(count)d participants eligible without a certificate",
                count,
            )
            % {"count": count},
        )
        for pk, count in ready.items()
    ]


def phase_evidence(engagements) -> dict[int, PhaseEvidence]:
    trained = TrainingSession.objects.filter(engagement__in=engagements).values_list("engagement_id", flat=True)
    evidence = PhaseEvidence(Engagement.Phase.CAPACITY_BUILDING, _("A training session was recorded."))
    return dict.fromkeys(set(trained), evidence)
