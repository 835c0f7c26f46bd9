"""Indicators as pages and PDFs show them: per period the target against the actual, as an SVG
chart and a table, and a table per disaggregation. The figures come from ``indicators.indicator_periods``;
here they are only formatted (``ta_portal.figures``, the one display policy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from engagements.models import Country
from reports.charts import Series
from reports.charts import line_chart
from ta_portal.figures import display
from ta_portal.multilingual import translated

from .indicators import indicators_periods
from .models import COUNTRY
from .models import DIMENSION_LABELS
from .models import Indicator
from .models import dimension_values
from .targets import STATUS_LABELS


def shown(value: float | None, indicator: Indicator) -> str:
    """A target or actual of the indicator, as read: one decimal at most, "%" for percentages."""
    text = display(value, "short")
    return f"{text} %" if value is not None and indicator.unit == Indicator.Unit.PERCENT else text


def period_label(start: date, end: date) -> str:
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return f"{date_format(start, 'SHORT_DATE_FORMAT')} – {date_format(end, 'SHORT_DATE_FORMAT')}"


def period_status(indicator: Indicator, target: float | None, actual: float | None) -> str:
    """met / behind / no_data (the target statuses' vocabulary); "" when there is no target."""
    if target is None:
        return ""
    if actual is None:
        return "no_data"
    reached = actual >= target if indicator.direction == Indicator.Direction.HIGHER else actual <= target
    return "met" if reached else "behind"


@dataclass
class PeriodRow:
    label: str
    target: str
    actual: str
    status: str
    status_label: str


@dataclass
class BreakdownTable:
    dimension: str
    title: str
    rows: list[tuple[str, str, str, str]]  # period, value, target, actual


@dataclass
class IndicatorBlock:
    indicator: Indicator
    name: str
    periods: list[dict]
    rows: list[PeriodRow]
    breakdowns: list[BreakdownTable] = field(default_factory=list)
    chart: SafeString | str = ""

    @property
    def baseline(self) -> str:
        value = None if self.indicator.baseline_value is None else float(self.indicator.baseline_value)
        return shown(value, self.indicator)


def _labels(periods_of: dict[int, list[dict]]) -> dict[str, dict[str, str]]:
    """Value labels per dimension (the countries named in the periods, in the reader's language)."""
    codes = {code for periods in periods_of.values() for p in periods for code in p["by"].get(COUNTRY, {})}
    countries = [*Country.objects.filter(pk__in=codes)] if codes else []
    labels = {dimension: dict(dimension_values(dimension)) for dimension in DIMENSION_LABELS if dimension != COUNTRY}
    labels[COUNTRY] = {country.pk: translated(country, "name") for country in countries}
    return labels


def indicator_blocks(
    indicators: Iterable[Indicator], *, scope, today: date, charts: bool = True, until: date | None = None
) -> list[IndicatorBlock]:
    """The blocks of the indicators; ``until`` leaves out the periods that start after it (a report
    of a past year shows the periods up to that year)."""
    indicators = list(indicators)
    periods_of = indicators_periods(indicators, scope=scope, today=today)
    if until is not None:
        periods_of = {pk: [p for p in periods if p["start"] <= until] for pk, periods in periods_of.items()}
    labels = _labels(periods_of)
    blocks = []
    for indicator in indicators:
        periods = periods_of[indicator.pk]
        rows = []
        for period in periods:
            status = period_status(indicator, period["target"], period["actual"])
            rows.append(
                PeriodRow(
                    period_label(period["start"], period["end"]),
                    shown(period["target"], indicator),
                    shown(period["actual"], indicator),
                    status,
                    str(STATUS_LABELS[status]) if status else "",
                )
            )
        breakdowns = []
        for dimension in indicator.disaggregations or []:
            table_rows = [
                (
                    period_label(period["start"], period["end"]),
                    str(labels[dimension].get(value, value)),
                    shown(figures["target"], indicator),
                    shown(figures["actual"], indicator),
                )
                for period in periods
                for value, figures in period["by"].get(dimension, {}).items()
                if figures["target"] is not None or figures["actual"] not in (None, 0)
            ]
            title = _("%(indicator)s by %(dimension)s") % {
                "indicator": indicator.code,
                "dimension": str(DIMENSION_LABELS[dimension]).lower(),
            }
            breakdowns.append(BreakdownTable(dimension, title, table_rows))
        name = translated(indicator, "name")
        chart = ""
        if charts and periods:
            chart = line_chart(
                categories=[row.label for row in rows],
                series=[
                    Series(_("Target"), [p["target"] for p in periods]),
                    Series(_("Actual"), [p["actual"] for p in periods]),
                ],
                max_value=100 if indicator.unit == Indicator.Unit.PERCENT else None,
                title=_("%(code)s %(name)s: target and actual per period") % {"code": indicator.code, "name": name},
                unit=" %" if indicator.unit == Indicator.Unit.PERCENT else "",
            )
        blocks.append(IndicatorBlock(indicator, name, periods, rows, breakdowns, chart))
    return blocks
