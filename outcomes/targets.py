"""Targets against actuals: each metric of the results framework computed from the facts.

A target has a period. Seen from a year (the dashboard's or the annual report's), its actual
covers the target's period up to the end of that year (or today, if sooner): cumulative progress
towards the target. An activity target (a count) is *on track* when the actual has reached the
share of the target that the elapsed share of the period calls for, *behind* otherwise, and *met*
once the target is reached; an outcome target (a level) is *met* or *behind*, or has *no data*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement
from followups.models import add_months
from trainings.statistics import summarize

from . import figures
from .facts import Facts
from .models import ActivityTarget
from .models import OutcomeTarget

PHASE_ORDER = [value for value, _label in Engagement.Phase.choices]

STATUS_LABELS = {
    "met": _("Met"),
    "on_track": _("On track"),
    "behind": _("Behind"),
    "not_started": _("Not started"),
    "no_data": _("No data yet"),
}


@dataclass(frozen=True)
class Window:
    """The days a target's actual counts: from the period's start to ``end`` (inclusive)."""

    start: date
    end: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def window_for(target, *, year_end: date, today: date) -> Window:
    return Window(target.period_start, min(target.period_end, year_end, today))


def _in_country(fact, country: str | None) -> bool:
    return country is None or fact.country == country


def activity_actual(target: ActivityTarget, facts: Facts, window: Window, *, country: str | None = None) -> int:
    metric = ActivityTarget.Metric
    kind = target.session_kind

    def kept(fact, day) -> bool:
        return window.holds(day) and _in_country(fact, country)

    counters = {
        metric.SESSIONS_HELD: lambda: len(
            {s.session_id for s in facts.sessions if kept(s, s.start_date) and (not kind or s.kind == kind)}
        ),
        metric.PEOPLE_TRAINED: lambda: len(
            {r.person_id for r in facts.results if kept(r, r.start_date) and (not kind or r.kind == kind)}
        ),
        metric.ENGAGEMENTS_STARTED: lambda: sum(1 for e in facts.engagements if kept(e, e.start_date)),
        metric.ENGAGEMENTS_REACHING_PHASE: lambda: len(
            engagements_reaching(facts, target.phase, window, country=country)
        ),
        metric.ASSESSMENTS_COMPLETED: lambda: len(
            {s.assessment_id for s in facts.scores if s.status == "final" and kept(s, s.completed_on)}
        ),
        metric.ROUNDTABLES_HELD: lambda: sum(1 for r in facts.roundtables if kept(r, r.date)),
        metric.MEASURES_AGREED: lambda: sum(1 for m in facts.measures if kept(m, m.agreed_on)),
    }
    counter = counters.get(target.metric)
    if counter is None:
        raise ValueError(f"Unknown activity metric {target.metric!r}")
    return counter()


def engagements_reaching(facts: Facts, phase: str, window: Window, *, country: str | None = None) -> set[int]:
    """Engagements that first moved to ``phase`` or a later one within the window (by their
    recorded phase changes; an engagement created in a later phase counts from its creation)."""
    threshold = PHASE_ORDER.index(phase)
    countries = {e.id: e.country for e in facts.engagements}
    first_reached: dict[int, date] = {}
    for change in facts.phase_changes:
        if change.to_phase in PHASE_ORDER and PHASE_ORDER.index(change.to_phase) >= threshold:
            day = timezone.localdate(change.changed_at)  # the day in the portal's time zone, not UTC's
            if change.engagement_id not in first_reached or day < first_reached[change.engagement_id]:
                first_reached[change.engagement_id] = day
    return {
        pk
        for pk, day in first_reached.items()
        if pk in countries and window.holds(day) and (country is None or countries[pk] == country)
    }


def training_summary(facts: Facts, window: Window, kind: str, country: str | None) -> dict:
    """The pre/post figures (without disaggregation) of the results in the window, computed once
    per window, kind of session and country: several targets (mean, gain, pass rate) share them."""
    key = ("training", window.start, window.end, kind, country)
    if key not in facts.memo:
        results = facts.results if country is None else facts.by_country("results").get(country, [])
        rows = [r.row for r in results if window.holds(r.start_date) and (not kind or r.kind == kind)]
        facts.memo[key] = summarize(rows)
    return facts.memo[key]


def _training_figure(target: OutcomeTarget, facts: Facts, window: Window, country: str | None) -> float | None:
    value = training_summary(facts, window, target.session_kind, country)[target.metric]
    if value is None:
        return None
    return 100 * value if target.metric == OutcomeTarget.Metric.POST_PASS_RATE else value


def implemented_within(facts: Facts, months: int, window: Window, *, country: str | None = None) -> float | None:
    """Share (%) of the measures agreed in the window at least ``months`` before its end that were
    reported implemented within ``months`` of being agreed; cancelled measures are left out."""
    eligible = [
        m
        for m in _facts_of(facts, "measures", country)
        if window.holds(m.agreed_on)
        and add_months(m.agreed_on, months) <= window.end
        and m.status != "cancelled"
        and _in_country(m, country)
    ]
    if not eligible:
        return None
    done = sum(
        1 for m in eligible if m.implemented_on is not None and m.implemented_on <= add_months(m.agreed_on, months)
    )
    return 100 * done / len(eligible)


def outcome_actual(target: OutcomeTarget, facts: Facts, window: Window, *, today: date, country=None) -> float | None:
    metric = OutcomeTarget.Metric
    if target.metric in OutcomeTarget.SESSION_METRICS:
        return _training_figure(target, facts, window, country)
    if target.metric == metric.IMPLEMENTATION_RATE:
        measures = [m for m in _facts_of(facts, "measures", country) if m.agreed_on <= window.end]
        rate = figures.measures_block(measures, as_of_index=facts.status_index(window.end))["implementation_rate"]
        return None if rate is None else 100 * rate
    if target.metric == metric.IMPLEMENTED_WITHIN:
        return implemented_within(facts, target.within_months or 0, window, country=country)
    if target.metric == metric.FOLLOWUP_COMPLIANCE:
        rounds = [r for r in _facts_of(facts, "rounds", country) if window.holds(r.due_date)]
        rate = figures.followup_block(rounds, today=today)["compliance_rate"]
        return None if rate is None else 100 * rate
    if target.metric == metric.MATURITY_CHANGE:
        return mean_maturity_change(facts, as_of=window.end, since=window.start, country=country)
    raise ValueError(f"Unknown outcome metric {target.metric!r}")


def metric_actual(target, facts: Facts, window: Window, *, today: date, country: str | None = None) -> float | None:
    """The actual of any metric of the results framework (an activity count, an outcome level, the
    coordination score, the share of women trained) over the window: what indicators compute.
    ``target`` carries ``metric`` and its parameters (``session_kind``, ``phase``, ``within_months``)."""
    if target.metric in ActivityTarget.Metric.values:
        return float(activity_actual(target, facts, window, country=country))
    if target.metric == "coordination_score":
        return figures.coordination_score_mean(
            r for r in _facts_of(facts, "rounds", country) if window.holds(r.due_date)
        )
    if target.metric == "women_trained_share":
        kind = target.session_kind
        return figures.women_trained_share(
            r
            for r in _facts_of(facts, "results", country)
            if window.holds(r.start_date) and (not kind or r.kind == kind)
        )
    return outcome_actual(target, facts, window, today=today, country=country)


def mean_maturity_change(facts: Facts, *, as_of: date, since: date | None = None, country=None) -> float | None:
    """Mean, over the countries re-assessed by ``as_of`` (latest final assessment completed on or
    after ``since``), of their mean change per dimension since the baseline."""
    changes = []
    for code, scores in facts.by_country("scores").items():
        if country is not None and code != country:
            continue
        key = ("maturity", code, as_of)
        if key not in facts.memo:
            ordered = figures.assessments_in_order(scores, as_of=as_of)
            change = figures.mean_change(figures.maturity_block(scores, as_of=as_of)) if len(ordered) > 1 else None
            facts.memo[key] = (ordered[-1][0].completed_on if ordered else None, change)
        latest, value = facts.memo[key]
        if value is None or (since is not None and latest < since):
            continue
        changes.append(value)
    return sum(changes) / len(changes) if changes else None


def _facts_of(facts: Facts, name: str, country: str | None) -> list:
    return getattr(facts, name) if country is None else facts.by_country(name).get(country, [])


@dataclass
class Evaluation:
    target: object
    kind: str  # "activity" or "outcome"
    window: Window
    actual: float | None
    expected: float | None
    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def target_value(self) -> float:
        return float(self.target.target_value)

    @property
    def unit(self) -> str:
        if self.kind == "outcome" and self.target.metric in OutcomeTarget.PERCENT_METRICS:
            return "%"
        if self.kind == "outcome" and self.target.metric == OutcomeTarget.Metric.MEAN_GAIN_PCT:
            return " pp"
        return ""


def evaluate_activity(target: ActivityTarget, facts: Facts, *, year_end: date, today: date, country=None):
    window = window_for(target, year_end=year_end, today=today)
    if window.end < window.start:
        return Evaluation(target, "activity", window, None, None, "not_started")
    actual = activity_actual(target, facts, window, country=country)
    total_days = (target.period_end - target.period_start).days + 1
    elapsed = (window.end - target.period_start).days + 1
    expected = target.target_value * min(1.0, elapsed / total_days)
    if actual >= target.target_value:
        status = "met"
    elif actual >= expected:
        status = "on_track"
    else:
        status = "behind"
    return Evaluation(target, "activity", window, actual, expected, status)


def evaluate_outcome(target: OutcomeTarget, facts: Facts, *, year_end: date, today: date, country=None):
    window = window_for(target, year_end=year_end, today=today)
    if window.end < window.start:
        return Evaluation(target, "outcome", window, None, None, "not_started")
    actual = outcome_actual(target, facts, window, today=today, country=country)
    if actual is None:
        status = "no_data"
    else:
        wanted = float(target.target_value)
        reached = actual >= wanted if target.comparator == OutcomeTarget.Comparator.AT_LEAST else actual <= wanted
        status = "met" if reached else "behind"
    return Evaluation(target, "outcome", window, actual, None, status)


def evaluate_all(
    activity: Sequence[ActivityTarget],
    outcome: Sequence[OutcomeTarget],
    facts: Facts,
    *,
    year_end: date,
    today: date,
    country: str | None = None,
) -> list[Evaluation]:
    evaluations = [evaluate_activity(t, facts, year_end=year_end, today=today, country=country) for t in activity]
    evaluations += [evaluate_outcome(t, facts, year_end=year_end, today=today, country=country) for t in outcome]
    return evaluations
