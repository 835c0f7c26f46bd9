"""Reads: scoped fetches, the rows the statistics are computed from, and the aggregates pages show."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet

from accounts.access import get_visible_or_404
from accounts.models import User
from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.roles import Role
from accounts.scoping import scope_for
from engagements.models import Agency
from engagements.models import Engagement
from ta_portal.filtering import filter_given
from ta_portal.filtering import text_search

from . import statistics
from .models import Certificate
from .models import Course
from .models import Enrolment
from .models import ExamForm
from .models import ItemScore
from .models import Phase
from .models import Question
from .models import TrainingSession
from .statistics import ResultRow

RESULT_ROW_FIELDS = ("pre_score", "post_score", "session__max_score", "session__pass_mark", "person__sex", "agency_id")


# Fetching ------------------------------------------------------------------------------------


def session_get_for_user(*, user, pk: int) -> TrainingSession:
    return get_visible_or_404(TrainingSession.objects.select_related("course", "engagement__country"), user, pk=pk)


def course_get_for_user(*, user, pk: int) -> Course:
    return get_visible_or_404(Course.objects.all(), user, pk=pk)


def trainer_choices() -> QuerySet[User]:
    """The users who can be assigned to run a session: active, with a trainer role."""
    return User.objects.filter(is_active=True, memberships__role=Role.TRAINER).distinct().order_by("username")


def session_list_for_user(
    *, user, search: str = "", country: str = "", course: int | None = None, kind: str = "", engagement=None
) -> QuerySet[TrainingSession]:
    sessions = (
        TrainingSession.objects.visible_to(user)
        .select_related("course", "engagement")
        .prefetch_related("countries")
        .annotate(
            n_enrolled=Count("enrolments", distinct=True),
            n_paired=Count(
                "enrolments",
                filter=Q(enrolments__pre_score__isnull=False, enrolments__post_score__isnull=False),
                distinct=True,
            ),
        )
    )
    sessions = text_search(sessions, search, "title", "venue")
    if country:
        sessions = sessions.filter(pk__in=TrainingSession.objects.filter(countries=country.upper()).values("pk"))
    return filter_given(sessions, course_id=course, kind=kind, engagement_id=engagement).order_by(
        "-start_date", "title", "pk"
    )


def valid_certificate_codes(session: TrainingSession) -> dict[int, str]:
    """The code of each participant's valid certificate, by enrolment id."""
    valid = Certificate.objects.filter(enrolment__session=session, revoked_at__isnull=True)
    return dict(valid.values_list("enrolment_id", "code"))


def enrolments_of(session: TrainingSession) -> QuerySet[Enrolment]:
    return session.enrolments.select_related("person", "agency", "pre_form", "post_form").order_by(
        "person__full_name", "pk"
    )


# Statistics ----------------------------------------------------------------------------------


def result_rows(enrolments: QuerySet[Enrolment]) -> list[ResultRow]:
    """The compact rows ``statistics.prepost_summary`` needs, in one query."""
    return [ResultRow(*values) for values in enrolments.order_by().values_list(*RESULT_ROW_FIELDS)]


def session_outcome(session: TrainingSession) -> dict:
    """docs/API.md's outcome figures for one session (page, API, exports and PDFs all use this)."""
    return statistics.prepost_summary(result_rows(Enrolment.objects.filter(session=session)))


def agency_names(agency_ids) -> dict[int, str]:
    return {
        pk: acronym or name
        for pk, acronym, name in Agency.objects.filter(pk__in=list(agency_ids)).values_list("pk", "acronym", "name")
    }


def sessions_compared(sessions: QuerySet[TrainingSession]) -> list[tuple[TrainingSession, dict]]:
    """Each session with its figures, from one query for the sessions and one for all their rows."""
    sessions = list(sessions)
    rows_by_session = defaultdict(list)
    enrolments = Enrolment.objects.filter(session__in=[s.pk for s in sessions]).order_by()
    for session_id, *values in enrolments.values_list("session_id", *RESULT_ROW_FIELDS):
        rows_by_session[session_id].append(ResultRow(*values))
    return [(s, statistics.prepost_summary(rows_by_session[s.pk])) for s in sessions]


def outcome_by_country(sessions: QuerySet[TrainingSession]) -> list[tuple[str, str, dict]]:
    """Figures per country of the *participants* (so a regional session counts for each country)."""
    rows_by_country = defaultdict(list)
    names = {}
    enrolments = Enrolment.objects.filter(session__in=sessions.order_by().values("pk")).order_by()
    for code, name, *values in enrolments.values_list(
        "person__country_id", "person__country__name", *RESULT_ROW_FIELDS
    ):
        rows_by_country[code].append(ResultRow(*values))
        names[code] = name
    return [(code, names[code], statistics.prepost_summary(rows)) for code, rows in sorted(rows_by_country.items())]


# An agency group smaller than this could single people out: only those who may see the names of
# the country's participants (who run its sessions) see its figures.
SMALLEST_SHOWN_GROUP = 5


def _without_small_groups(figures: dict, shown_agencies) -> dict:
    """``figures`` with only the agency groups in ``shown_agencies`` (``n_agencies_withheld`` counts the others)."""
    by_agency = {agency: f for agency, f in figures["by_agency"].items() if agency in shown_agencies}
    return {**figures, "by_agency": by_agency, "n_agencies_withheld": len(figures["by_agency"]) - len(by_agency)}


def nameable_scope(user):
    """Where ``user`` may see the names of participants (they run the country's sessions)."""
    return scope_for(user, (*MANAGING_ROLES, Role.TRAINER))


def outcome_by_country_for(user, sessions: QuerySet[TrainingSession]) -> list[tuple[str, str, dict]]:
    """``outcome_by_country`` as ``user`` may see it: only the countries of their scope (a regional
    session also has participants of other countries), and without the agency groups of fewer than
    SMALLEST_SHOWN_GROUP participants where they may not see names (``n_agencies_withheld`` counts them)."""
    readable = scope_for(user, EVERY_ROLE)
    named = nameable_scope(user)
    shown = []
    for code, name, figures in outcome_by_country(sessions):
        if not readable.allows(code):
            continue
        if named.allows(code):
            shown_agencies = figures["by_agency"]
        else:
            shown_agencies = {a for a, f in figures["by_agency"].items() if f["n_enrolled"] >= SMALLEST_SHOWN_GROUP}
        shown.append((code, name, _without_small_groups(figures, shown_agencies)))
    return shown


def pooled_outcome_for(user, sessions: QuerySet[TrainingSession]) -> dict:
    """The pooled figures of these sessions as ``user`` may see them: only the participants of the
    countries of their scope (a regional session's others are not theirs to see), and without the
    agency groups of fewer than SMALLEST_SHOWN_GROUP where they may not see names."""
    enrolments = Enrolment.objects.filter(
        scope_for(user, EVERY_ROLE).q("person__country_id"), session__in=sessions.order_by().values("pk")
    )
    figures = statistics.prepost_summary(result_rows(enrolments))
    named = nameable_scope(user)
    countries = dict(Agency.objects.filter(pk__in=list(figures["by_agency"])).values_list("pk", "country_id"))
    shown_agencies = {
        agency
        for agency, f in figures["by_agency"].items()
        if f["n_enrolled"] >= SMALLEST_SHOWN_GROUP or named.allows(countries.get(agency))
    }
    return _without_small_groups(figures, shown_agencies)


# Item analysis -------------------------------------------------------------------------------

# An item most participants still miss after training: post facility below this.
STILL_MISSED_BELOW = 0.5


def item_analysis(session: TrainingSession) -> list[dict]:
    """Per exam form, each question's facility and discrimination in the pre and in the post exam.

    facility = mean item score / item points; discrimination = the correlation between the item
    score and the rest of the exam (the corrected point-biserial, or item–rest correlation),
    ``None`` with fewer than three answer sheets or no variance. Only complete answer sheets count:
    a missing item would bias the rest-of-exam total. A question whose post facility is below
    ``STILL_MISSED_BELOW`` is flagged: most participants still miss it after training.
    """
    forms = list(
        ExamForm.objects.filter(session=session).prefetch_related(
            Prefetch("questions", queryset=Question.objects.select_related("dimension"))
        )
    )
    sheets_by = defaultdict(dict)  # (phase, form id) -> {enrolment id: {question id: points}}
    items = ItemScore.objects.filter(enrolment__session=session).values_list(
        "phase", "question__form_id", "enrolment_id", "question_id", "points"
    )
    for phase, form_id, enrolment_id, question_id, points in items:
        sheets_by[(phase, form_id)].setdefault(enrolment_id, {})[question_id] = float(points)
    analysis = []
    for form in forms:
        questions = list(form.questions.all())
        complete = {
            phase: [s for s in sheets_by.get((phase, form.pk), {}).values() if all(q.pk in s for q in questions)]
            for phase in (Phase.PRE, Phase.POST)
        }
        if not any(complete.values()):
            continue
        rows = []
        for question in questions:
            row = {"question": question}
            for phase, sheets in complete.items():
                row[phase] = _item_figures(question, sheets)
            post_facility = row[Phase.POST]["facility"]
            row["flag"] = post_facility is not None and post_facility < STILL_MISSED_BELOW
            rows.append(row)
        analysis.append(
            {"form": form, "n_pre": len(complete[Phase.PRE]), "n_post": len(complete[Phase.POST]), "rows": rows}
        )
    return analysis


def _item_figures(question: Question, sheets: list[dict]) -> dict:
    item = np.array([sheet[question.pk] for sheet in sheets])
    rest = np.array([sum(v for k, v in sheet.items() if k != question.pk) for sheet in sheets])
    facility = float(item.mean() / float(question.points)) if len(item) else None
    discrimination = None
    if len(item) >= 3 and item.std() > 0 and rest.std() > 0:
        discrimination = float(np.corrcoef(item, rest)[0, 1])
    return {"facility": facility, "discrimination": discrimination}


def outcome_by_engagement(sessions: QuerySet[TrainingSession]) -> list[tuple[object, dict]]:
    """Figures per engagement (its sessions pooled); regional sessions without one are left out."""
    rows_by_engagement = defaultdict(list)
    enrolments = Enrolment.objects.filter(
        session__in=sessions.order_by().values("pk"), session__engagement__isnull=False
    ).order_by()
    for engagement_id, *values in enrolments.values_list("session__engagement_id", *RESULT_ROW_FIELDS):
        rows_by_engagement[engagement_id].append(ResultRow(*values))
    engagements = Engagement.objects.filter(pk__in=list(rows_by_engagement)).select_related("country")
    return [
        (engagement, statistics.prepost_summary(rows_by_engagement[engagement.pk]))
        for engagement in engagements.order_by("country__name", "-start_date")
    ]
