"""Money figures: spent against budget per period, and the unit costs donors ask for.

Each figure has one function here; the dashboard, the annual report and the IATI file take them
from here. The sums come from ``finance.selectors`` (SQL); the counts they are divided by are the
outcome figures already computed for the dashboard's year (``selectors.YearRow``: people trained,
days of training, measures implemented), never counted again.

Currencies are never converted: every figure is per currency, and a unit cost divides only the
spending recorded in that currency (README, "Money").

- cost per person trained: spending paid for training sessions in the year ÷ people trained that year;
- cost per training day: the same spending ÷ days of training delivered that year;
- cost per measure implemented: all spending up to the year's end ÷ measures implemented by then
  (a measure is implemented after years of assistance, so both sides are cumulative).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal

from finance.selectors import BudgetLine
from finance.selectors import budget_lines
from finance.selectors import spending

from .selectors import ProgrammeDashboard
from .selectors import YearRow
from .selectors import year_bounds

CENT = Decimal("0.01")


def per_unit(amount: Decimal, count: int) -> Decimal | None:
    """``amount`` ÷ ``count`` to the cent (half away from zero); None when there is nothing to divide by."""
    if not count:
        return None
    return (amount / count).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UnitCosts:
    currency: str
    spent: Decimal  # in the year
    training_spent: Decimal  # in the year, paid for training sessions
    spent_to_date: Decimal  # from the start up to the year's end
    people_trained: int
    training_days: int
    measures_implemented: int

    @property
    def per_person_trained(self) -> Decimal | None:
        return per_unit(self.training_spent, self.people_trained)

    @property
    def per_training_day(self) -> Decimal | None:
        return per_unit(self.training_spent, self.training_days)

    @property
    def per_measure_implemented(self) -> Decimal | None:
        return per_unit(self.spent_to_date, self.measures_implemented)


@dataclass(frozen=True)
class ProgrammeMoney:
    year: int
    budgets: list[BudgetLine]
    costs: list[UnitCosts]

    @property
    def empty(self) -> bool:
        return not self.budgets and not self.costs


def unit_costs(*, scope, programme, year: YearRow) -> list[UnitCosts]:
    """The unit costs of ``year`` per currency the programme spent in up to its end (one query)."""
    start, end = year_bounds(year.year)
    return [
        UnitCosts(
            currency=sums.currency,
            spent=sums.total,
            training_spent=sums.training,
            spent_to_date=sums.to_date,
            people_trained=year.people,
            training_days=year.training_days,
            measures_implemented=year.measures["by_status"]["implemented"],
        )
        for sums in spending(scope=scope, programme=programme, start=start, end=end)
    ]


def programme_money(*, scope, dashboard: ProgrammeDashboard) -> ProgrammeMoney:
    """The money section of the programme dashboard and of the annual report, for the dashboard's
    year and the countries of ``scope`` (the same scope the dashboard was computed for)."""
    start, end = year_bounds(dashboard.year)
    year = next((row for row in dashboard.trends if row.year == dashboard.year), None)
    return ProgrammeMoney(
        year=dashboard.year,
        budgets=budget_lines(scope=scope, programme=dashboard.programme, start=start, end=end),
        costs=[] if year is None else unit_costs(scope=scope, programme=dashboard.programme, year=year),
    )
