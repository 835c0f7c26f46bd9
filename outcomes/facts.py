"""The compact facts every outcome figure is computed from, each fetched in one query.

A dashboard, the outcome API and the annual report never loop over objects: they ask for the
facts of a slice of the portal (a programme, a country, an engagement, within the user's scope),
each fact set is one ``values_list`` query of a few columns, and every figure (targets vs
actuals, per-country grids, trends by year) is computed from those lists in Python. So the
number of queries is fixed by the page, whatever the number of sessions, results or measures.

Scoping: the ``Slice`` carries the user's outcome scope (the countries any of their roles
reaches). Country-level facts are filtered by the country they belong to; exam results by the
participant's country, so a regional session counts, for each country, only its own people.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F
from django.db.models import Min
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.db.models import Window
from django.db.models.functions import ExtractYear
from django.db.models.functions import RowNumber
from django.db.models.functions import TruncDate

from accounts.roles import EVERY_ROLE
from accounts.scoping import Scope
from accounts.scoping import scope_for
from assessments.models import Assessment
from assessments.models import Dimension
from assessments.models import Roundtable
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import PhaseChange
from followups.models import COORDINATION_QUESTIONS
from followups.models import FollowupRound
from followups.models import Indicator
from followups.models import Measure
from followups.models import MeasureStatus
from followups.models import StatusUpdate
from followups.models import agreed_day
from followups.selectors import COUNTING_STATES
from followups.selectors import status_reported_by
from surveys.selectors import outcome_blocks
from ta_portal.multilingual import translated
from trainings.models import Enrolment
from trainings.models import TrainingSession
from trainings.selectors import RESULT_ROW_FIELDS
from trainings.statistics import ResultRow

# Who reads outcomes: every role, within the countries it reaches (figures are aggregates).
OUTCOME_READ_ROLES = EVERY_ROLE


def outcome_scope(user) -> Scope:
    return scope_for(user, OUTCOME_READ_ROLES)


@dataclass(frozen=True)
class Slice:
    """Which part of the portal the facts describe. Every filter is optional except the scope."""

    scope: Scope
    programme: object | None = None  # a Programme
    country: str | None = None
    engagement_id: int | None = None
    since: date | None = None  # restricts dated activity (sessions) when only one period is wanted
    until: date | None = None

    def q(self, country_path: str, *, engagement_path: str | None = None, programme_path: str | None = None) -> Q:
        q = self.scope.q(country_path)
        if self.country:
            q &= Q(**{country_path: self.country})
        if self.engagement_id is not None and engagement_path is not None:
            q &= Q(**{engagement_path: self.engagement_id})
        if self.programme is not None and programme_path is not None:
            q &= Q(**{programme_path: self.programme.pk})
        return q

    def of_engagements(self) -> Q:
        """The slice for rows that belong to an engagement through their ``engagement`` field."""
        return self.q("engagement__country", engagement_path="engagement", programme_path="engagement__programme")


def _engagement_rows(model, where: Slice, *, order_by: tuple[str, ...], fields: tuple[str, ...]):
    """The ``fields`` of the slice's rows of ``model`` (rows that belong to an engagement), in order."""
    return model.objects.filter(where.of_engagements()).order_by(*order_by).values_list(*fields)


# --- Engagements ---------------------------------------------------------------------------------


class EngagementFact(NamedTuple):
    id: int
    country: str
    country_name: str  # in the reader's language
    title: str
    phase: str
    start_date: date
    end_date: date | None
    programme_id: int | None


def engagement_facts(where: Slice) -> list[EngagementFact]:
    rows = (
        Engagement.objects.filter(where.q("country", engagement_path="pk", programme_path="programme"))
        .order_by("country__name", "start_date", "pk")
        .values_list(
            "id",
            "country_id",
            "country__name",
            "country__translations",
            "title",
            "phase",
            "start_date",
            "end_date",
            "programme_id",
        )
    )
    names: dict[str, str] = {}
    facts = []
    for pk, code, name, translations, *rest in rows:
        # The country's name in the reader's language, from the same row (no query per country).
        if code not in names:
            names[code] = translated(Country(code=code, name=name, translations=translations), "name")
        facts.append(EngagementFact(pk, code, names[code], *rest))
    return facts


class PhaseChangeFact(NamedTuple):
    engagement_id: int
    to_phase: str
    changed_at: datetime


def phase_change_facts(where: Slice) -> list[PhaseChangeFact]:
    rows = _engagement_rows(
        PhaseChange, where, order_by=("changed_at", "pk"), fields=("engagement_id", "to_phase", "changed_at")
    )
    return [PhaseChangeFact(*row) for row in rows]


# --- Training ------------------------------------------------------------------------------------


def _programme_sessions_q(programme, prefix: str = "") -> Q:
    """Sessions of a programme: those of its engagements, and regional sessions (no engagement)
    held in one of its engagement countries during the programme's period."""
    countries = Engagement.objects.filter(programme=programme).values("country_id")
    regional = Q(**{f"{prefix}engagement__isnull": True, f"{prefix}countries__in": countries})
    if programme.start_date:
        regional &= Q(**{f"{prefix}start_date__gte": programme.start_date})
    if programme.end_date:
        regional &= Q(**{f"{prefix}start_date__lte": programme.end_date})
    return Q(**{f"{prefix}engagement__programme": programme.pk}) | regional


def _sessions(where: Slice):
    """The sessions of the slice (without the scope: results are scoped by participant)."""
    sessions = TrainingSession.objects.all()
    if where.programme is not None:
        sessions = sessions.filter(_programme_sessions_q(where.programme))
    if where.engagement_id is not None:
        sessions = sessions.filter(engagement_id=where.engagement_id)
    if where.since:
        sessions = sessions.filter(start_date__gte=where.since)
    if where.until:
        sessions = sessions.filter(start_date__lte=where.until)
    return sessions


def survey_blocks(where: Slice, *, by_country: bool = False) -> dict:
    """The reaction and application blocks of the slice's sessions (surveys.selectors.outcome_blocks:
    participants of the scope's countries, per country of the participants when ``by_country``)."""
    return outcome_blocks(_sessions(where), where.scope, by_country=by_country)


class SessionFact(NamedTuple):
    """One session in one of its countries (a regional session appears once per country)."""

    session_id: int
    country: str
    start_date: date
    end_date: date
    kind: str
    engagement_id: int | None


def session_facts(where: Slice) -> list[SessionFact]:
    through = TrainingSession.countries.through
    rows = (
        through.objects.filter(where.q("country"), trainingsession__in=_sessions(where).order_by().values("pk"))
        .order_by("trainingsession__start_date", "trainingsession_id", "country_id")
        .values_list(
            "trainingsession_id",
            "country_id",
            "trainingsession__start_date",
            "trainingsession__end_date",
            "trainingsession__kind",
            "trainingsession__engagement_id",
        )
    )
    return [SessionFact(*row) for row in rows]


class ResultFact(NamedTuple):
    """One participant of one session, with the trainings app's ``ResultRow`` for the statistics."""

    session_id: int
    person_id: int
    country: str
    start_date: date
    kind: str
    agency_name: str | None
    row: object  # trainings.statistics.ResultRow


def result_facts(where: Slice) -> list[ResultFact]:
    enrolments = Enrolment.objects.filter(
        where.q("person__country"), session__in=_sessions(where).order_by().values("pk")
    ).order_by()
    rows = enrolments.values_list(
        "session_id",
        "person_id",
        "person__country_id",
        "session__start_date",
        "session__kind",
        "agency__acronym",
        "agency__name",
        *RESULT_ROW_FIELDS,
    )
    return [
        ResultFact(session, person, country, start, kind, acronym or name, ResultRow(*values))
        for session, person, country, start, kind, acronym, name, *values in rows
    ]


# --- Assessments and roundtables ------------------------------------------------------------------


class ScoreFact(NamedTuple):
    """An assessment (one row per dimension scored; ``dimension`` None when nothing was scored)."""

    assessment_id: int
    engagement_id: int
    country: str
    status: str
    start_date: date
    completed_on: date  # the end date, or the start date when none was recorded
    dimension: str | None
    dimension_name: str | None
    level: int | None


def score_facts(where: Slice) -> list[ScoreFact]:
    """Every assessment of the slice with its scores (drafts too: the timeline shows them; the
    maturity figures keep only final assessments)."""
    rows = _engagement_rows(
        Assessment,
        where,
        order_by=("start_date", "pk", "scores__dimension__order", "scores__dimension__code"),
        fields=(
            "id",
            "engagement_id",
            "engagement__country_id",
            "status",
            "start_date",
            "end_date",
            "scores__dimension__code",
            "scores__dimension__name",
            "scores__dimension__translations",
            "scores__level",
        ),
    )
    # The dimension's name in the reader's language, from the same row (no query per dimension).
    names: dict[str, str] = {}
    facts = []
    for pk, engagement, country, status, start, end, code, name, translations, level in rows:
        if code is not None and code not in names:
            names[code] = translated(Dimension(code=code, name=name, translations=translations), "name")
        facts.append(ScoreFact(pk, engagement, country, status, start, end or start, code, names.get(code), level))
    return facts


class RoundtableFact(NamedTuple):
    id: int
    engagement_id: int
    country: str
    date: date


def roundtable_facts(where: Slice) -> list[RoundtableFact]:
    rows = _engagement_rows(
        Roundtable, where, order_by=("date", "pk"), fields=("id", "engagement_id", "engagement__country_id", "date")
    )
    return [RoundtableFact(*row) for row in rows]


def as_float(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else value


# --- Follow-up: measures, rounds, indicators ---------------------------------------------------------


class MeasureFact(NamedTuple):
    """A measure with the day it was agreed, its status now, and its reported status at each of
    the as-of days asked for (``None``: nothing reported yet by then)."""

    id: int
    engagement_id: int
    country: str
    agreed_on: date  # as given, else the day of its roundtable, else the day it was entered
    status: str
    verified_status: str
    due_date: date | None
    implemented_on: date | None  # first report of "implemented"
    statuses_at: tuple[str | None, ...]


def _local_day(field: str):
    return TruncDate(field)


def measure_facts(where: Slice, *, as_of: tuple[date, ...] = ()) -> list[MeasureFact]:
    """Measures of the slice; ``as_of`` adds, per day, the status last reported by that day's end
    (what ``Measure.status`` was then: the latest submitted or verified report).

    Year ends, the usual as-of days, come from one pass over the reports (the last report of each
    measure in each year); any other day from a subquery per measure."""
    measures = Measure.objects.filter(where.of_engagements())
    counting = StatusUpdate.objects.filter(measure=OuterRef("pk"), state__in=COUNTING_STATES).order_by()
    annotations = {
        "agreed_day": agreed_day(),
        "implemented_day": Subquery(
            counting.filter(status=MeasureStatus.IMPLEMENTED)
            .annotate(day=_local_day("submitted_at"))
            .values("measure")
            .annotate(first=Min("day"))
            .values("first")[:1]
        ),
    }
    other_days = [day for day in as_of if (day.month, day.day) != (12, 31)]
    for i, day in enumerate(other_days):
        annotations[f"status_{i}"] = status_reported_by(day)
    rows = (
        measures.annotate(**annotations)
        .order_by("pk")
        .values_list(
            "id",
            "engagement_id",
            "engagement__country_id",
            "agreed_day",
            "status",
            "verified_status",
            "due_date",
            "implemented_day",
            *(f"status_{i}" for i in range(len(other_days))),
        )
    )
    yearly = _statuses_by_year(measures) if len(other_days) < len(as_of) else {}
    facts = []
    for row in rows:
        at_other = dict(zip(other_days, row[8:], strict=True))
        history = yearly.get(row[0], [])
        statuses = []
        for day in as_of:
            if day in at_other:
                statuses.append(at_other[day])
            else:  # a year end: the last report of the latest year up to it
                known = [status for year, status in history if year <= day.year]
                statuses.append(known[-1] if known else None)
        facts.append(MeasureFact(*row[:8], tuple(statuses)))
    return facts


def _statuses_by_year(measures) -> dict[int, list[tuple[int, str]]]:
    """{measure id: [(year, the status of its last submitted or verified report that year)]}."""
    year = ExtractYear(_local_day("submitted_at"))
    last_of_year = (
        StatusUpdate.objects.filter(measure__in=measures.order_by().values("pk"), state__in=COUNTING_STATES)
        .annotate(
            year=year,
            rank=Window(
                RowNumber(),
                partition_by=[F("measure_id"), year],
                order_by=[F("submitted_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank=1)
        .order_by()
        .values_list("measure_id", "year", "status")
    )
    history: dict[int, list[tuple[int, str]]] = {}
    for measure_id, year_, status in last_of_year:
        history.setdefault(measure_id, []).append((year_, status))
    for entries in history.values():
        entries.sort()
    return history


def coordination_points():
    """A round's coordination questionnaire total, summed in the database (None when not answered)."""
    return sum(
        (F(f"coordination__{name}") for name, _q in COORDINATION_QUESTIONS[1:]),
        F(f"coordination__{COORDINATION_QUESTIONS[0][0]}"),
    )


class RoundFact(NamedTuple):
    id: int
    engagement_id: int
    country: str
    opens_on: date
    due_date: date
    submitted_on: date | None  # the submission day in the portal's time zone
    closed: bool
    coordination_points: int | None  # the questionnaire's total, None when not answered


def round_facts(where: Slice) -> list[RoundFact]:
    rows = (
        FollowupRound.objects.filter(where.of_engagements())
        .annotate(submitted_day=_local_day("submitted_at"), points=coordination_points())
        .order_by("due_date", "pk")
        .values_list(
            "id",
            "engagement_id",
            "engagement__country_id",
            "opens_on",
            "due_date",
            "submitted_day",
            "closed_at",
            "points",
        )
    )
    return [
        RoundFact(pk, engagement, country, opens, due, submitted, closed is not None, pts)
        for pk, engagement, country, opens, due, submitted, closed, pts in rows
    ]


class IndicatorValueFact(NamedTuple):
    indicator_id: int
    name: str
    unit: str
    engagement_id: int
    baseline: Decimal | None
    target: Decimal | None
    round_id: int | None
    due_date: date | None
    value: Decimal | None


def indicator_facts(where: Slice) -> list[IndicatorValueFact]:
    """Every indicator of the slice with its values per round (an indicator with no value yet
    appears once, with ``round_id`` None)."""
    rows = _engagement_rows(
        Indicator,
        where,
        order_by=("engagement_id", "order", "name", "values__round__due_date"),
        fields=(
            "id",
            "name",
            "unit",
            "engagement_id",
            "baseline",
            "target",
            "values__round_id",
            "values__round__due_date",
            "values__value",
        ),
    )
    return [IndicatorValueFact(*row) for row in rows]


# --- Everything a page needs, fetched once ---------------------------------------------------------

# Each kind of fact and its query, in the order a page fetches them (``Facts`` has a list of each).
READERS = {
    "engagements": engagement_facts,
    "phase_changes": phase_change_facts,
    "sessions": session_facts,
    "results": result_facts,
    "scores": score_facts,
    "roundtables": roundtable_facts,
    "measures": measure_facts,
    "rounds": round_facts,
    "indicators": indicator_facts,
}


@dataclass
class Facts:
    where: Slice
    engagements: list[EngagementFact] = field(default_factory=list)
    phase_changes: list[PhaseChangeFact] = field(default_factory=list)
    sessions: list[SessionFact] = field(default_factory=list)
    results: list[ResultFact] = field(default_factory=list)
    scores: list[ScoreFact] = field(default_factory=list)
    roundtables: list[RoundtableFact] = field(default_factory=list)
    measures: list[MeasureFact] = field(default_factory=list)
    rounds: list[RoundFact] = field(default_factory=list)
    indicators: list[IndicatorValueFact] = field(default_factory=list)
    today: date | None = None
    as_of: tuple[date, ...] = ()  # the days ``MeasureFact.statuses_at`` describe
    memo: dict = field(default_factory=dict)  # figures computed once per page (see targets.py)

    def by_country(self, name: str) -> dict[str, list]:
        """The facts of one kind grouped by country (computed once)."""
        key = ("by_country", name)
        if key not in self.memo:
            groups: dict[str, list] = {}
            for fact in getattr(self, name):
                groups.setdefault(fact.country, []).append(fact)
            self.memo[key] = groups
        return self.memo[key]

    def by_year(self, name: str, day: str) -> dict[int, list]:
        """The facts of one kind grouped by the year of their ``day`` attribute (computed once)."""
        key = ("by_year", name, day)
        if key not in self.memo:
            groups: dict[int, list] = {}
            for fact in getattr(self, name):
                groups.setdefault(getattr(fact, day).year, []).append(fact)
            self.memo[key] = groups
        return self.memo[key]

    def status_index(self, day: date) -> int | None:
        """Where the measures' status as of ``day`` is kept (None: today's status is the current one)."""
        if self.today is not None and day >= self.today:
            return None
        return self.as_of.index(day)
