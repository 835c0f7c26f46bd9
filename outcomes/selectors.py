"""Reads of the outcomes app: the outcome API's blocks, the programme and country dashboards.

Each function fetches a fixed set of facts (see facts.py) and computes every figure from them,
so its number of queries never depends on the amount of data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import partial

from django.db.models import Q
from django.http import Http404
from django.utils.translation import ngettext

from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Programme
from engagements.selectors import programmes_reached
from surveys.selectors import empty_blocks
from ta_portal.multilingual import translated

from . import facts as f
from . import figures
from .models import ActivityTarget
from .models import Indicator
from .models import IndicatorPeriod
from .models import IndicatorValue
from .models import OutcomeTarget
from .models import ProgrammeObjective
from .targets import Evaluation
from .targets import evaluate_activity
from .targets import evaluate_all
from .targets import evaluate_outcome
from .targets import mean_maturity_change


def fetch(where: f.Slice, parts: set[str], *, today: date, as_of: tuple[date, ...] = ()) -> f.Facts:
    """The facts named in ``parts``, one query each."""
    found = f.Facts(where=where, today=today, as_of=as_of)
    readers = {**f.READERS, "measures": partial(f.measure_facts, as_of=as_of)}
    for part, read in readers.items():
        if part in parts:
            setattr(found, part, read(where))
    return found


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


# --- Outcome API ---------------------------------------------------------------------------------------


def engagement_get_for_user(*, user, pk: int) -> Engagement:
    """The engagement if the user reaches its country (404 otherwise)."""
    engagement = Engagement.objects.filter(f.outcome_scope(user).q("country"), pk=pk).select_related("country").first()
    if engagement is None:
        raise Http404
    return engagement


def engagement_outcome(*, user, engagement: Engagement, today: date) -> dict:
    """docs/API.md's blocks for one engagement: training over all its sessions (participants pooled),
    its measures, its follow-up rounds, and its maturity baseline against latest."""
    where = f.Slice(scope=f.outcome_scope(user), engagement_id=engagement.pk)
    found = fetch(where, {"results", "measures", "rounds", "scores"}, today=today)
    return {
        "engagement": engagement.pk,
        "country": engagement.country_id,
        "training": figures.training_block(found.results),
        "measures": figures.measures_block(found.measures),
        "followup": figures.followup_block(found.rounds, today=today),
        "maturity": figures.maturity_block(found.scores, engagement_id=engagement.pk),
        **f.survey_blocks(where)[None],
    }


def country_outcomes(*, user, today: date, year: int | None = None, programme: Programme | None = None) -> list[dict]:
    """docs/API.md's blocks per country the user reaches. With ``year``: training in sessions that
    started that year; measures agreed by its end, with the status reported by then; rounds due
    that year; maturity from the final assessments completed by its end."""
    scope = f.outcome_scope(user)
    everything = f.Slice(scope=scope, programme=programme)
    end = None
    if year is not None:
        start, end = year_bounds(year)
        dated = f.Slice(scope=scope, programme=programme, since=start, until=end)
    else:
        dated = everything
    as_of = (end,) if end is not None and end < today else ()
    found = fetch(everything, {"engagements", "measures", "rounds", "scores"}, today=today, as_of=as_of)
    found.results = f.result_facts(dated)
    index = found.status_index(end) if end is not None else None
    measures = [m for m in found.measures if end is None or m.agreed_on <= end]
    rounds = [r for r in found.rounds if year is None or r.due_date.year == year]
    groups = {
        "results": figures.by_country(found.results),
        "measures": figures.by_country(measures),
        "rounds": figures.by_country(rounds),
        "scores": figures.by_country(found.scores),
    }
    surveys = f.survey_blocks(dated, by_country=True)
    codes = {e.country for e in found.engagements} | set(groups["results"]) | set(surveys)
    names = {
        code: translated(Country(code=code, name=name, translations=translations), "name")
        for code, name, translations in Country.objects.filter(code__in=sorted(codes)).values_list(
            "code", "name", "translations"
        )
    }
    rows = []
    for code in sorted(codes, key=lambda c: (names.get(c, c), c)):
        rows.append(
            {
                "country": code,
                "name": names.get(code, code),
                "year": year,
                "training": figures.training_block(groups["results"].get(code, [])),
                "measures": figures.measures_block(groups["measures"].get(code, []), as_of_index=index),
                "followup": figures.followup_block(groups["rounds"].get(code, []), today=today),
                "maturity": figures.maturity_block(groups["scores"].get(code, []), as_of=end),
                **surveys.get(code, empty_blocks()),
            }
        )
    return rows


# --- Programme dashboard ------------------------------------------------------------------------------


@dataclass
class CountryRow:
    code: str
    name: str
    engagements: list[f.EngagementFact]
    sessions: int
    people: int
    training: dict
    measures: dict
    followup: dict
    maturity_change: float | None
    evaluations: list[Evaluation] = field(default_factory=list)

    @property
    def behind(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.status == "behind"]

    @property
    def status(self) -> str:
        if self.behind:
            return "behind"
        if any(e.status == "met" for e in self.evaluations):
            return "met"
        return "no_data"


@dataclass
class YearRow:
    year: int
    sessions: int
    people: int
    training: dict
    measures_agreed: int
    training_days: int
    measures: dict
    followup: dict
    coordination: float | None
    assessments: int
    maturity_change: float | None


@dataclass
class ProgrammeDashboard:
    programme: Programme
    year: int
    years: list[int]
    today: date
    scope_countries: list[str] | None  # None: every country
    evaluations: list[Evaluation]
    countries: list[CountryRow]
    trends: list[YearRow]
    objectives: list

    @property
    def behind(self) -> list[CountryRow]:
        return [row for row in self.countries if row.behind]

    @property
    def targets_behind(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.status == "behind"]

    @property
    def summary(self) -> dict[str, int]:
        counts = defaultdict(int)
        for evaluation in self.evaluations:
            counts[evaluation.status] += 1
        return dict(counts)


def programme_years(programme: Programme, today: date) -> list[int]:
    first = programme.start_date.year if programme.start_date else today.year - 4
    last = programme.end_date.year if programme.end_date else today.year
    last = max(first, min(last, today.year + 1))
    return list(range(max(first, last - 14), last + 1))


def country_years(today: date) -> list[int]:
    """The years a country's dashboard offers: the last twenty, and next year (no query: the page's
    count of queries stays that of its figures)."""
    return list(range(today.year - 20, today.year + 2))


def _targets(programme: Programme, scope, *, start: date, end: date):
    """Programme-wide targets, and country targets of the countries in scope."""
    # (Q() | Q(...) would drop the empty side, so every country is spelled out.)
    visible = Q() if scope.everywhere else Q(country__isnull=True) | scope.q("country")
    activity = list(
        ActivityTarget.objects.filter(visible, programme=programme)
        .overlapping(start, end)
        .select_related("objective", "country")
    )
    outcome = list(
        OutcomeTarget.objects.filter(visible, programme=programme)
        .overlapping(start, end)
        .select_related("objective", "country")
    )
    return activity, outcome


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def programme_dashboard(*, scope, programme: Programme, year: int, today: date) -> ProgrammeDashboard:
    """Everything the programme dashboard and the annual report show, for the countries of ``scope``."""
    years = programme_years(programme, today)
    start, end = year_bounds(year)
    activity, outcome = _targets(programme, scope, start=start, end=end)
    # The measures' status is needed as it stood at each past year's end and at each target's cut-off.
    # The year asked for too: it may lie outside the programme's years (an annual report of a past year).
    cutoffs = {year_bounds(y)[1] for y in years} | {end}
    cutoffs |= {min(t.period_end, end, today) for t in [*activity, *outcome]}
    as_of = tuple(sorted(day for day in cutoffs if day < today))
    where = f.Slice(scope=scope, programme=programme)
    parts = {"engagements", "sessions", "results", "scores", "measures", "rounds"}
    # Phase changes and roundtables count only for the targets that measure them.
    metrics = {t.metric for t in activity}
    if ActivityTarget.Metric.ENGAGEMENTS_REACHING_PHASE in metrics:
        parts.add("phase_changes")
    if ActivityTarget.Metric.ROUNDTABLES_HELD in metrics:
        parts.add("roundtables")
    found = fetch(where, parts, today=today, as_of=as_of)

    evaluations = [evaluate_activity(t, found, year_end=end, today=today, country=t.country_id) for t in activity] + [
        evaluate_outcome(t, found, year_end=end, today=today, country=t.country_id) for t in outcome
    ]

    countries = _programme_countries(found, activity, outcome, year=year, today=today)
    trends = [_year_row(found, y, today=today) for y in years if y <= max(year, today.year)]
    objectives = sorted(
        {t.objective for t in [*activity, *outcome] if t.objective is not None}, key=lambda o: (o.order, o.code)
    )
    return ProgrammeDashboard(
        programme=programme,
        year=year,
        years=years,
        today=today,
        scope_countries=None if scope.everywhere else sorted(scope.countries),
        evaluations=evaluations,
        countries=countries,
        trends=trends,
        objectives=objectives,
    )


def programme_surveys(*, scope, programme: Programme, dashboard: ProgrammeDashboard) -> list[tuple[str, str, dict]]:
    """(code, name, reaction and application blocks) of each country of the dashboard: the surveys
    of the sessions of the dashboard's year, per country of the participants (four queries)."""
    start, end = year_bounds(dashboard.year)
    blocks = f.survey_blocks(f.Slice(scope=scope, programme=programme, since=start, until=end), by_country=True)
    return [(row.code, row.name, blocks.get(row.code, empty_blocks())) for row in dashboard.countries]


def _programme_countries(found: f.Facts, activity, outcome, *, year: int, today: date) -> list[CountryRow]:
    start, end = year_bounds(year)
    index = found.status_index(min(end, today))
    by_engagement = defaultdict(list)
    names = {}
    for engagement in found.engagements:
        by_engagement[engagement.country].append(engagement)
        names[engagement.country] = engagement.country_name
    results = figures.by_country(r for r in found.results if start <= r.start_date <= end)
    sessions = figures.by_country(s for s in found.sessions if start <= s.start_date <= end)
    measures = figures.by_country(m for m in found.measures if m.agreed_on <= end)
    rounds = figures.by_country(r for r in found.rounds if r.due_date.year == year)
    scores = figures.by_country(found.scores)
    rows = []
    for code in sorted(by_engagement, key=lambda c: (names[c], c)):
        country_results = results.get(code, [])
        block = figures.maturity_block(scores.get(code, []), as_of=end)
        row = CountryRow(
            code=code,
            name=names[code],
            engagements=by_engagement[code],
            sessions=len({s.session_id for s in sessions.get(code, [])}),
            people=len({r.person_id for r in country_results}),
            training=figures.training_by_sex(country_results),
            measures=figures.measures_block(measures.get(code, []), as_of_index=index),
            followup=figures.followup_block(rounds.get(code, []), today=today),
            maturity_change=figures.mean_change(block),
        )
        # Levels (outcome targets) apply to every country; counts only where a target names it.
        row.evaluations = evaluate_all(
            [t for t in activity if t.country_id == code],
            [t for t in outcome if t.country_id in (None, code)],
            found,
            year_end=end,
            today=today,
            country=code,
        )
        rows.append(row)
    return rows


def _year_row(found: f.Facts, year: int, *, today: date) -> YearRow:
    start, end = year_bounds(year)
    results = found.by_year("results", "start_date").get(year, [])
    rounds = found.by_year("rounds", "due_date").get(year, [])
    index = found.status_index(min(end, today)) if start <= today else None
    sessions = found.by_year("sessions", "start_date").get(year, [])
    return YearRow(
        year=year,
        sessions=len({s.session_id for s in sessions}),
        training_days=figures.training_days(sessions),
        people=len({r.person_id for r in results}),
        training=figures.training_totals(results),
        measures_agreed=len(found.by_year("measures", "agreed_on").get(year, [])),
        measures=figures.measures_block([m for m in found.measures if m.agreed_on <= end], as_of_index=index),
        followup=figures.followup_block(rounds, today=today),
        coordination=_mean(figures.coordination_score(r.coordination_points) for r in rounds),
        assessments=len(
            {s.assessment_id for s in found.by_year("scores", "completed_on").get(year, []) if s.status == "final"}
        ),
        maturity_change=mean_maturity_change(found, as_of=end),
    )


# --- Country dashboard ---------------------------------------------------------------------------------


@dataclass
class PhaseSpan:
    phase: str
    start: date
    end: date
    detail: str = ""


PHASES = ("assessment", "roundtable", "capacity_building", "follow_up")


@dataclass
class EngagementTimeline:
    engagement: f.EngagementFact
    spans: list[PhaseSpan]  # per phase: from its first record to its last
    pieces: list[PhaseSpan] = field(default_factory=list)  # each record of each phase


@dataclass
class IndicatorSeries:
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    points: list[tuple[date, float]]

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass
class CountryDashboard:
    country: Country
    year: int | None
    programme: Programme | None
    today: date
    timelines: list[EngagementTimeline]
    maturity: dict
    dimension_names: dict[str, str]
    training: dict
    agency_names: dict
    measures: dict
    verified: dict
    followup: dict
    rounds: list[f.RoundFact]
    coordination: list[tuple[date, float]]
    indicators: list[IndicatorSeries]
    sessions: int
    people: int
    engagement_names: dict[int, str]


def country_get_for_user(*, user, code: str) -> Country:
    """A country the user reaches (404 otherwise, so other countries' existence does not leak)."""
    code = (code or "").upper()
    if not f.outcome_scope(user).allows(code):
        raise Http404
    country = Country.objects.filter(code=code).first()
    if country is None:
        raise Http404
    return country


def country_dashboard(
    *, scope, country: Country, today: date, year: int | None = None, programme: Programme | None = None
) -> CountryDashboard:
    where = f.Slice(scope=scope, country=country.code, programme=programme)
    end = year_bounds(year)[1] if year is not None else None
    as_of = (end,) if end is not None and end < today else ()
    parts = {"engagements", "sessions", "results", "scores", "roundtables", "measures", "rounds", "indicators"}
    found = fetch(where, parts, today=today, as_of=as_of)

    def in_year(day: date | None) -> bool:
        return year is None or (day is not None and day.year == year)

    results = [r for r in found.results if in_year(r.start_date)]
    rounds = [r for r in found.rounds if in_year(r.due_date)]
    measures = [m for m in found.measures if end is None or m.agreed_on <= end]
    index = found.status_index(end) if end is not None else None
    agency_names = {}
    for fact in results:
        if fact.row.agency_id is not None:
            agency_names[fact.row.agency_id] = fact.agency_name or str(fact.row.agency_id)
    dimension_names = {s.dimension: s.dimension_name for s in found.scores if s.dimension}
    indicator_rows = [i for i in found.indicators if i.round_id is None or in_year(i.due_date)]
    return CountryDashboard(
        country=country,
        year=year,
        programme=programme,
        today=today,
        timelines=_timelines(found, today=today),
        maturity=figures.maturity_block(found.scores, as_of=end),
        dimension_names=dimension_names,
        training=figures.training_block(results),
        agency_names=agency_names,
        measures=figures.measures_block(measures, as_of_index=index),
        verified=figures.measures_block(measures, verified=True) if end is None or end >= today else None,
        followup=figures.followup_block(rounds, today=today),
        rounds=rounds,
        coordination=[
            (r.due_date, figures.coordination_score(r.coordination_points))
            for r in rounds
            if r.coordination_points is not None
        ],
        indicators=_indicator_series(indicator_rows),
        sessions=len({s.session_id for s in found.sessions if in_year(s.start_date)}),
        people=len({r.person_id for r in results}),
        engagement_names={e.id: e.title for e in found.engagements},
    )


def _timelines(found: f.Facts, *, today: date) -> list[EngagementTimeline]:
    """The four phases of each engagement, dated by what was recorded: its assessments, its
    roundtables, its training sessions and its follow-up rounds (each one a piece of its phase)."""
    # (engagement, phase) -> {record id: (start, end)}
    pieces: dict[tuple[int, str], dict[int, tuple[date, date]]] = defaultdict(dict)
    for s in found.scores:
        pieces[(s.engagement_id, "assessment")][s.assessment_id] = (s.start_date, s.completed_on)
    for r in found.roundtables:
        pieces[(r.engagement_id, "roundtable")][r.id] = (r.date, r.date)
    for s in found.sessions:
        if s.engagement_id is not None:
            pieces[(s.engagement_id, "capacity_building")][s.session_id] = (s.start_date, s.end_date)
    for r in found.rounds:
        pieces[(r.engagement_id, "follow_up")][r.id] = (r.opens_on, r.due_date)
    details = {
        "assessment": lambda n: ngettext("%(n)d assessment", "%(n)d assessments", n) % {"n": n},
        "roundtable": lambda n: ngettext("%(n)d roundtable", "%(n)d roundtables", n) % {"n": n},
        "capacity_building": lambda n: ngettext("%(n)d session", "%(n)d sessions", n) % {"n": n},
        "follow_up": lambda n: ngettext("%(n)d round", "%(n)d rounds", n) % {"n": n},
    }
    timelines = []
    for engagement in found.engagements:
        spans, parts = [], []
        for phase in PHASES:
            intervals = sorted(pieces.get((engagement.id, phase), {}).values())
            if not intervals:
                continue
            start = min(a for a, _b in intervals)
            end = max(b for _a, b in intervals)
            spans.append(PhaseSpan(phase, start, end, details[phase](len(intervals))))
            parts += [PhaseSpan(phase, a, b) for a, b in intervals]
        timelines.append(EngagementTimeline(engagement, spans, parts))
    return timelines


def _indicator_series(rows: list[f.IndicatorValueFact]) -> list[IndicatorSeries]:
    series: dict[int, IndicatorSeries] = {}
    for row in rows:
        item = series.get(row.indicator_id)
        if item is None:
            item = series[row.indicator_id] = IndicatorSeries(
                row.indicator_id,
                row.name,
                row.unit,
                f.as_float(row.baseline),
                f.as_float(row.target),
                [],
            )
        if row.round_id is not None and row.value is not None:
            item.points.append((row.due_date, float(row.value)))
    for item in series.values():
        item.points.sort()
    return list(series.values())


def visible_programmes(user):
    """Programmes with an engagement in the countries whose outcomes the user reads (every programme
    for global roles)."""
    return programmes_reached(f.outcome_scope(user))


# --- The results framework: objectives, indicators, reported values --------------------------------------


def programme_get_for_user(*, user, code: str) -> Programme:
    """The programme if the user reads its outcomes (404 otherwise)."""
    programme = visible_programmes(user).filter(code=code).first()
    if programme is None:
        raise Http404
    return programme


def programme_indicators(programme: Programme):
    return Indicator.objects.filter(objective__programme=programme).select_related("objective__programme")


def country_indicators(*, country: Country, programme: Programme | None = None):
    """Indicators of the programmes working in the country (of ``programme`` only, when given)."""
    programmes = Engagement.objects.filter(country=country).values("programme_id")
    indicators = Indicator.objects.filter(objective__programme__in=programmes)
    if programme is not None:
        indicators = indicators.filter(objective__programme=programme)
    return indicators.select_related("objective__programme")


def objective_get_for_user(*, user, pk: int) -> ProgrammeObjective:
    objective = ProgrammeObjective.objects.filter(programme__in=visible_programmes(user), pk=pk).first()
    if objective is None:
        raise Http404
    return objective


def indicator_get_for_user(*, user, pk: int) -> Indicator:
    indicator = Indicator.objects.visible_to(user).filter(pk=pk).select_related("objective__programme").first()
    if indicator is None:
        raise Http404
    return indicator


def indicator_period_get_for_user(*, user, pk: int) -> IndicatorPeriod:
    period = (
        IndicatorPeriod.objects.filter(indicator__objective__programme__in=visible_programmes(user), pk=pk)
        .select_related("indicator__objective__programme")
        .first()
    )
    if period is None:
        raise Http404
    return period


def indicator_values_for_user(*, user):
    """Reported values of the countries the user reaches (every role reads them, as outcomes)."""
    return IndicatorValue.objects.visible_to(user).select_related(
        "indicator__objective__programme", "period", "country", "submitted_by", "reviewed_by"
    )


def indicator_value_get_for_user(*, user, pk: int) -> IndicatorValue:
    value = indicator_values_for_user(user=user).filter(pk=pk).first()
    if value is None:
        raise Http404
    return value
