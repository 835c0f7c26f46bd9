"""Targets against actuals of the programme indicators, per period and per disaggregation.

``indicator_periods(indicator, scope=…)`` answers what the API's ``periods`` field, the
dashboards, the annual report and the IATI file show:

    [{"start": date, "end": date, "target": float | None, "actual": float | None,
      "by": {dimension: {value: {"target": float | None, "actual": float | None}}}}]

Every number is a ``float`` (or None), at full precision: targets are stored as decimals and
converted here; the display policy (``ta_portal.figures``) rounds when a figure is shown.

- **Computed** indicators: the actual of a period is the metric over the period up to today
  (``targets.metric_actual``, the functions the outcome API uses), over the countries of the
  scope; by country, each country's own; by sex, over the results of that sex.
- **Reported** indicators: the latest *verified* value of each country in the scope for the
  period; the total is their sum (``number``) or their mean (``percent``, each country counting
  once); by sex or agency kind likewise over the countries' breakdowns; by country, its value.

``by`` holds one entry per disaggregation of the indicator: every sex and agency kind, and for
the country dimension the programme's countries within the scope (and any with a target or value
in scope). A target by value is None when none was given.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.scoping import Scope
from engagements.models import Country
from engagements.models import Engagement

from . import facts as f
from .models import COUNTRY
from .models import SEX
from .models import Indicator
from .models import IndicatorPeriod
from .models import IndicatorValue
from .models import Metric
from .models import dimension_values
from .targets import Window
from .targets import metric_actual

# The facts each metric is computed from.
_PARTS = {
    Metric.SESSIONS_HELD: {"sessions"},
    Metric.PEOPLE_TRAINED: {"results"},
    Metric.ENGAGEMENTS_STARTED: {"engagements"},
    Metric.ENGAGEMENTS_REACHING_PHASE: {"engagements", "phase_changes"},
    Metric.ASSESSMENTS_COMPLETED: {"scores"},
    Metric.ROUNDTABLES_HELD: {"roundtables"},
    Metric.MEASURES_AGREED: {"measures"},
    Metric.POST_MEAN_PCT: {"results"},
    Metric.MEAN_GAIN_PCT: {"results"},
    Metric.NORMALIZED_GAIN: {"results"},
    Metric.POST_PASS_RATE: {"results"},
    Metric.IMPLEMENTATION_RATE: {"measures"},
    Metric.IMPLEMENTED_WITHIN: {"measures"},
    Metric.FOLLOWUP_COMPLIANCE: {"rounds"},
    Metric.MATURITY_CHANGE: {"scores"},
    Metric.COORDINATION_SCORE: {"rounds"},
    Metric.WOMEN_TRAINED_SHARE: {"results"},
}


def _float(value) -> float | None:
    return None if value is None else float(value)


def period_window(period: IndicatorPeriod, *, today: date) -> Window | None:
    """The days a period's actual covers: from its start to its end or today; None before it starts."""
    window = Window(period.start, min(period.end, today))
    return None if window.end < window.start else window


def indicator_periods(
    indicator: Indicator, *, scope: Scope, today: date | None = None, context: PeriodsContext | None = None
) -> list[dict]:
    """The indicator's periods with targets and actuals, within ``scope`` (see the module's docstring)."""
    if context is None:
        context = PeriodsContext.load([indicator], scope=scope, today=today)
    return context.periods(indicator)


def indicators_periods(indicators: Iterable[Indicator], *, scope: Scope, today: date | None = None) -> dict[int, list]:
    """``{indicator id: indicator_periods(...)}`` for many indicators, with a fixed number of queries."""
    indicators = list(indicators)
    context = PeriodsContext.load(indicators, scope=scope, today=today)
    return {indicator.pk: context.periods(indicator) for indicator in indicators}


@dataclasses.dataclass
class PeriodsContext:
    """What the periods of a set of indicators are computed from, each fetched once."""

    scope: Scope
    today: date
    periods_of: dict[int, list[IndicatorPeriod]]
    countries_of: dict[int, list[Country]]  # programme id → its countries within the scope
    facts_of: dict[int, f.Facts]  # programme id → the facts its computed indicators need
    values_of: dict[tuple[int, int], dict[str, IndicatorValue]]  # (indicator, period) → country → value

    @classmethod
    def load(cls, indicators: list[Indicator], *, scope: Scope, today: date | None = None) -> PeriodsContext:
        today = today or timezone.localdate()
        ids = [i.pk for i in indicators]
        periods_of: dict[int, list[IndicatorPeriod]] = defaultdict(list)
        for period in IndicatorPeriod.objects.filter(indicator_id__in=ids).order_by("start", "pk"):
            periods_of[period.indicator_id].append(period)
        by_pk = {i.pk: i for i in indicators}
        for indicator_id, periods in periods_of.items():
            for period in periods:
                period.indicator = by_pk[indicator_id]  # no query per period for its indicator

        programmes = {}
        for indicator in indicators:
            programme = indicator.objective.programme
            programmes[programme.pk] = programme
        countries_of: dict[int, list[Country]] = defaultdict(list)
        if programmes:
            engagements = Engagement.objects.filter(scope.q("country"), programme_id__in=list(programmes))
            rows = engagements.order_by("country__name").values_list("programme_id", "country_id").distinct()
            country_rows = {c.pk: c for c in Country.objects.filter(pk__in=engagements.values("country_id"))}
            for programme_id, code in rows:
                if country_rows[code] not in countries_of[programme_id]:
                    countries_of[programme_id].append(country_rows[code])

        facts_of: dict[int, f.Facts] = {}
        for programme_id, programme in programmes.items():
            computed = [i for i in indicators if i.is_computed and i.objective.programme_id == programme_id]
            if not computed:
                continue
            parts = set().union(*(_PARTS[i.metric] for i in computed))
            cutoffs = {min(p.end, today) for i in computed for p in periods_of.get(i.pk, [])}
            as_of = tuple(sorted(day for day in cutoffs if day < today))
            where = f.Slice(scope=scope, programme=programme)
            found = f.Facts(where=where, today=today, as_of=as_of)
            for part in parts:
                reader = f.READERS[part]
                setattr(found, part, f.measure_facts(where, as_of=as_of) if part == "measures" else reader(where))
            facts_of[programme_id] = found

        values_of: dict[tuple[int, int], dict[str, IndicatorValue]] = defaultdict(dict)
        reported = [i.pk for i in indicators if not i.is_computed]
        if reported:
            # Latest verified value first: the first seen per (indicator, period, country) wins.
            verified = (
                IndicatorValue.objects.verified()
                .filter(scope.q("country"), indicator_id__in=reported)
                .order_by("-submitted_at", "-pk")
            )
            for value in verified:
                values_of[(value.indicator_id, value.period_id)].setdefault(value.country_id, value)
        return cls(scope, today, periods_of, countries_of, facts_of, values_of)

    # --- per indicator --------------------------------------------------------------------------

    def periods(self, indicator: Indicator) -> list[dict]:
        return [self._period(indicator, period) for period in self.periods_of.get(indicator.pk, [])]

    def _countries(self, indicator: Indicator, period: IndicatorPeriod) -> list[str]:
        codes = [c.pk for c in self.countries_of.get(indicator.objective.programme_id, [])]
        extra = set((period.targets_by or {}).get(COUNTRY, {})) | set(self.values_of.get((indicator.pk, period.pk), {}))
        codes += sorted(code for code in extra if code not in codes and self.scope.allows(code))
        return codes

    def _period(self, indicator: Indicator, period: IndicatorPeriod) -> dict:
        by: dict[str, dict] = {}
        if indicator.is_computed:
            actual, actual_of = self._computed(indicator, period)
        else:
            actual, actual_of = self._reported(indicator, period)
        for dimension in indicator.disaggregations or []:
            values = (
                self._countries(indicator, period)
                if dimension == COUNTRY
                else [value for value, _label in dimension_values(dimension)]
            )
            by[dimension] = {
                value: {"target": _float(period.target_of(dimension, value)), "actual": actual_of(dimension, value)}
                for value in values
            }
        return {
            "start": period.start,
            "end": period.end,
            "target": _float(period.target),
            "actual": actual,
            "by": by,
        }

    def _computed(self, indicator: Indicator, period: IndicatorPeriod):
        window = period_window(period, today=self.today)
        found = self.facts_of.get(indicator.objective.programme_id)
        if window is None or found is None:
            return None, lambda dimension, value: None

        def actual_of(dimension: str, value: str) -> float | None:
            if dimension == COUNTRY:
                return metric_actual(indicator, found, window, today=self.today, country=value)
            if dimension == SEX:
                of_sex = dataclasses.replace(found, results=[r for r in found.results if r.row.sex == value], memo={})
                return metric_actual(indicator, of_sex, window, today=self.today)
            return None

        return metric_actual(indicator, found, window, today=self.today), actual_of

    def _reported(self, indicator: Indicator, period: IndicatorPeriod):
        values = self.values_of.get((indicator.pk, period.pk), {})
        combine = _sum if indicator.unit == Indicator.Unit.NUMBER else _mean

        def actual_of(dimension: str, value: str) -> float | None:
            if dimension == COUNTRY:
                found = values.get(value)
                return _float(found.value) if found else None
            return combine(v.by.get(dimension, {}).get(value) for v in values.values())

        return combine(v.value for v in values.values()), actual_of


def _numbers(values) -> list[Decimal]:
    return [Decimal(str(v)) for v in values if v not in (None, "")]


def _sum(values) -> float | None:
    numbers = _numbers(values)
    return float(sum(numbers)) if numbers else None


def _mean(values) -> float | None:
    numbers = _numbers(values)
    return float(sum(numbers) / len(numbers)) if numbers else None
