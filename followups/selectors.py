"""Reads of follow-up data: scoped fetches and the figures other apps (outcomes) build on.

The aggregates are done in SQL, so their cost does not grow with the rows in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.access import get_visible_or_404

from .models import CLOSED_STATUSES
from .models import COORDINATION_QUESTIONS
from .models import MAX_ANSWER
from .models import REPORTED_STATES
from .models import CoordinationResponse
from .models import Evidence
from .models import FollowupRound
from .models import Indicator
from .models import IndicatorValue
from .models import Measure
from .models import MeasureStatus
from .models import StatusUpdate
from .models import UpdateState


def implementation_rate(by_status: dict[str, int]) -> float | None:
    """(implemented + 0.5 × partially implemented) / (total − cancelled); None when that is 0 (docs/API.md).

    The one definition: the SQL counts below and ``outcomes.figures`` (over facts already
    fetched) both hand their counts here.
    """
    denominator = sum(by_status.values()) - by_status.get(MeasureStatus.CANCELLED, 0)
    if not denominator:
        return None
    implemented = by_status.get(MeasureStatus.IMPLEMENTED, 0)
    return (implemented + 0.5 * by_status.get(MeasureStatus.PARTIALLY_IMPLEMENTED, 0)) / denominator


def compliance_block(rounds_due: int, on_time: int) -> dict:
    """``{"rounds_due", "rounds_submitted_on_time", "compliance_rate"}`` (docs/API.md): the rate is None
    when no round is due."""
    return {
        "rounds_due": rounds_due,
        "rounds_submitted_on_time": on_time,
        "compliance_rate": on_time / rounds_due if rounds_due else None,
    }


def coordination_score(points: int | None) -> float | None:
    """The coordination questionnaire's score, 0–100, from the sum of its answers (full precision;
    the display policy rounds it)."""
    if points is None:
        return None
    return 100 * points / (MAX_ANSWER * len(COORDINATION_QUESTIONS))


# The reports that make a measure's status (``services.measure_recompute``): drafts and returned
# reports never do.
COUNTING_STATES = (UpdateState.SUBMITTED, UpdateState.ACCEPTED)


def status_reported_by(day: date) -> Subquery:
    """An expression over measures: the status last reported by the end of ``day`` (in the portal's
    time zone), what ``Measure.status`` was then; None when nothing was reported by then."""
    return Subquery(
        StatusUpdate.objects.filter(measure=OuterRef("pk"), state__in=COUNTING_STATES)
        .annotate(day=TruncDate("submitted_at"))
        .filter(day__lte=day)
        .order_by("-submitted_at", "-pk")
        .values("status")[:1]
    )


def measures_open_on(engagement, day: date) -> QuerySet[Measure]:
    """The engagement's measures open on ``day``: agreed by then, and not implemented or cancelled
    by what was reported by then (what a round opening that day asks about)."""
    return (
        Measure.objects.filter(engagement=engagement)
        .with_agreed_day()
        .annotate(status_then=status_reported_by(day))
        .filter(agreed_day__lte=day)
        .filter(Q(status_then__isnull=True) | ~Q(status_then__in=CLOSED_STATUSES))
        .order_by("pk")
    )


def measure_status_counts(measures: QuerySet[Measure], *, field: str = "status") -> dict:
    """``{"total", "by_status": {status: n}, "implementation_rate"}`` over the measures (docs/API.md).

    implementation_rate = (implemented + 0.5 × partially_implemented) / (total − cancelled), None
    when that denominator is 0. ``field="verified_status"`` counts what managers verified instead
    of what counterparts reported (measures never verified are then left out).
    """
    rows = measures.order_by().values(field).annotate(n=Count("pk"))
    by_status = dict.fromkeys(MeasureStatus.values, 0)
    for row in rows:
        if row[field] in by_status:
            by_status[row[field]] += row["n"]
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "implementation_rate": implementation_rate(by_status),
    }


def followup_compliance(rounds: QuerySet[FollowupRound], today: date) -> dict:
    """``{"rounds_due", "rounds_submitted_on_time", "compliance_rate"}`` (docs/API.md).

    Over rounds whose due date has passed (before ``today``); on time = submitted on or before
    the due date (the submission day in the portal's time zone). compliance_rate is None when no
    round is due.
    """
    figures = (
        rounds.order_by()
        .filter(due_date__lt=today)
        .annotate(submitted_day=TruncDate("submitted_at"))
        .aggregate(
            rounds_due=Count("pk"),
            on_time=Count("pk", filter=Q(submitted_at__isnull=False, submitted_day__lte=F("due_date"))),
        )
    )
    return compliance_block(figures["rounds_due"] or 0, figures["on_time"] or 0)


def coordination_scores(rounds: QuerySet[FollowupRound]) -> dict[int, float]:
    """The coordination questionnaire's score (0–100) per round id, for rounds that answered it."""
    total = sum((F(field) for field, _q in COORDINATION_QUESTIONS[1:]), F(COORDINATION_QUESTIONS[0][0]))
    rows = (
        CoordinationResponse.objects.filter(round__in=rounds.order_by().values("pk"))
        .annotate(points=total)
        .values_list("round_id", "points")
    )
    return {round_id: coordination_score(points) for round_id, points in rows}


def indicator_values_by_round(rounds: QuerySet[FollowupRound]) -> dict[int, dict[int, IndicatorValue]]:
    """``{round_id: {indicator_id: IndicatorValue}}`` for the rounds (one query)."""
    values: dict[int, dict[int, IndicatorValue]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(round__in=rounds.order_by().values("pk")).select_related("indicator"):
        values[value.round_id][value.indicator_id] = value
    return dict(values)


def indicator_totals(indicators: QuerySet[Indicator], rounds: QuerySet[FollowupRound]) -> dict[int, float]:
    """The sum of each indicator's values over the rounds (e.g. seizures over a year)."""
    rows = (
        IndicatorValue.objects.filter(indicator__in=indicators.order_by().values("pk"), round__in=rounds.values("pk"))
        .values("indicator_id")
        .annotate(total=Sum("value"))
    )
    return {row["indicator_id"]: float(row["total"]) for row in rows}


# ---- Fetches for the pages and the API ------------------------------------------------------


def measure_get_for_user(*, user, pk: int) -> Measure:
    return get_visible_or_404(
        Measure.objects.select_related("engagement__country", "responsible_agency", "recommendation", "roundtable"),
        user,
        pk=pk,
    )


def round_get_for_user(*, user, pk: int) -> FollowupRound:
    rounds = FollowupRound.objects.with_status(timezone.localdate()).select_related(
        "engagement__country", "recorded_by"
    )
    return get_visible_or_404(rounds, user, pk=pk)


def update_get_for_user(*, user, pk: int) -> StatusUpdate:
    return get_visible_or_404(
        StatusUpdate.objects.select_related(
            "measure__engagement__country", "round", "submitted_by", "reviewed_by", "created_by", "recorded_by"
        ),
        user,
        pk=pk,
    )


def evidence_get_for_user(*, user, pk: int) -> Evidence:
    return get_visible_or_404(Evidence.objects.select_related("status_update"), user, pk=pk)


def board_measures(engagement) -> QuerySet[Measure]:
    """The measures of an engagement with what the board shows about each, in a fixed number of queries."""
    return (
        Measure.objects.filter(engagement=engagement)
        .select_related(
            "responsible_agency",
            "latest_update__submitted_by",
            "latest_update__reviewed_by",
            "latest_update__round",
            "roundtable",
            "recommendation",
        )
        .prefetch_related("substances")
    )


def with_progress(rounds: QuerySet[FollowupRound], today: date) -> QuerySet[FollowupRound]:
    """Rounds with their status on ``today``, ``n_measures`` asked about and ``n_reported`` of them."""
    return rounds.with_status(today).annotate(
        n_measures=Count("round_measures", distinct=True),
        n_reported=Count(
            "updates__measure",
            filter=Q(updates__state__in=REPORTED_STATES),
            distinct=True,
        ),
    )


def engagement_rounds(engagement, today: date) -> QuerySet[FollowupRound]:
    return (
        with_progress(FollowupRound.objects.filter(engagement=engagement), today)
        .select_related("coordination")
        .order_by("-opens_on", "-pk")  # Meta.ordering does not apply to aggregating queries
    )


def current_round(engagement) -> FollowupRound | None:
    """The round counterparts report in now: the latest that is not closed."""
    return (
        FollowupRound.objects.filter(engagement=engagement, closed_at__isnull=True).order_by("-opens_on", "-pk").first()
    )


def rounds_for_report_of_the_past(measure: Measure) -> QuerySet[FollowupRound]:
    """The rounds a report on ``measure`` recorded after the fact may go into: the engagement's
    rounds that ask about it and take reports of the past, latest first."""
    return (
        FollowupRound.objects.filter(engagement_id=measure.engagement_id, round_measures__measure=measure)
        .taking_reports_of_the_past()
        .order_by("-opens_on", "-pk")
    )


def round_measures_with_updates(round_: FollowupRound, *, user) -> list[Measure]:
    """The measures a round asks about, plus any other open measure of the engagement, each with
    ``round_updates`` (this round's updates the user may see: the draft first, then the reports,
    latest submitted first, whenever each was entered)."""
    updates = (
        StatusUpdate.objects.visible_to(user)
        .filter(round=round_)
        .select_related("submitted_by", "reviewed_by", "recorded_by")
    )
    asked = Exists(round_.round_measures.filter(measure=OuterRef("pk")))
    return list(
        Measure.objects.filter(engagement_id=round_.engagement_id)
        .annotate(
            asked=asked,
            has_pending=Exists(StatusUpdate.objects.filter(measure=OuterRef("pk"), state=UpdateState.SUBMITTED)),
        )
        .filter(Q(asked=True) | ~Q(status__in=CLOSED_STATUSES))
        .select_related("responsible_agency")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=updates.order_by(
                    F("submitted_at").desc(nulls_first=True), "-created_at", "-pk"
                ).prefetch_related("evidence"),
                to_attr="round_updates",
            )
        )
        .order_by("-asked", F("due_date").asc(nulls_last=True), "pk")
    )


def inbox_updates(user) -> QuerySet[StatusUpdate]:
    """Reports waiting for verification by this manager, oldest first."""
    return (
        StatusUpdate.objects.verifiable_by(user)
        .filter(state=UpdateState.SUBMITTED)
        .select_related("measure__engagement__country", "round", "submitted_by")
        .annotate(n_evidence=Count("evidence"))
        .order_by("submitted_at", "pk")
    )
