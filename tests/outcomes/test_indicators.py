"""Indicator actuals: computed ones against independent computations on generated data, reported
ones from verified values only, per period and disaggregation, within the reader's scope."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.scoping import EVERYWHERE
from accounts.scoping import Scope
from outcomes.indicators import indicator_periods
from outcomes.indicators import indicators_periods
from outcomes.models import Indicator
from outcomes.models import IndicatorPeriod
from outcomes.models import ProgrammeObjective
from tests.outcomes.factories import generate

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 15)
PE_ONLY = Scope(everywhere=False, countries=frozenset({"PE"}))


def _in(day, start, end) -> bool:
    return start <= day <= end


@pytest.fixture
def data():
    return generate(today=TODAY)


def _indicator(programme, **fields) -> Indicator:
    objective, _ = ProgrammeObjective.objects.get_or_create(programme=programme, code="O1", defaults={"title": "O"})
    return Indicator.objects.create(objective=objective, code=fields.pop("code", "1.1"), name="I", **fields)


def test_people_trained_by_sex_and_country_match_an_independent_count(data):
    # given
    indicator = _indicator(
        data.programme, source="computed", metric="people_trained", disaggregations=["sex", "country"]
    )
    IndicatorPeriod.objects.create(indicator=indicator, start=date(2024, 1, 1), end=date(2024, 12, 31), target=30)
    IndicatorPeriod.objects.create(indicator=indicator, start=date(2026, 1, 1), end=date(2026, 12, 31), target=40)
    # when
    periods = indicator_periods(indicator, scope=EVERYWHERE, today=TODAY)
    # then
    for period, (start, end) in zip(
        periods, [(date(2024, 1, 1), date(2024, 12, 31)), (date(2026, 1, 1), TODAY)], strict=True
    ):
        rows = [r for r in data.results if _in(r["start"], start, end)]
        assert period["actual"] == len({r["person_id"] for r in rows})
        for sex in ("female", "male", "other", "undisclosed"):
            wanted = len({r["person_id"] for r in rows if r["sex"] == sex})
            assert period["by"]["sex"][sex]["actual"] == wanted
        for code in ("PE", "CO"):
            wanted = len({r["person_id"] for r in rows if r["country"] == code})
            assert period["by"]["country"][code]["actual"] == wanted
    assert periods[0]["target"] == 30.0
    assert set(periods[0]) == {"start", "end", "target", "actual", "by"}


def test_coordination_score_and_women_share_match_independent_computations(data):
    coordination = _indicator(data.programme, code="C", source="computed", metric="coordination_score", unit="percent")
    women = _indicator(data.programme, code="W", source="computed", metric="women_trained_share", unit="percent")
    for indicator in (coordination, women):
        IndicatorPeriod.objects.create(indicator=indicator, start=date(2023, 1, 1), end=date(2025, 12, 31), target=50)
    # when
    found = indicators_periods([coordination, women], scope=PE_ONLY, today=TODAY)
    # then
    start, end = date(2023, 1, 1), date(2025, 12, 31)
    points = [
        r["points"]
        for r in data.rounds
        if r["country"] == "PE" and _in(r["due"], start, end) and r["points"] is not None
    ]
    assert found[coordination.pk][0]["actual"] == pytest.approx(sum(100 * p / 20 for p in points) / len(points))
    people = {r["person_id"]: r["sex"] for r in data.results if r["country"] == "PE" and _in(r["start"], start, end)}
    share = 100 * sum(1 for sex in people.values() if sex == "female") / len(people)
    assert found[women.pk][0]["actual"] == pytest.approx(share)


def test_a_period_not_started_has_no_actual(data):
    indicator = _indicator(data.programme, source="computed", metric="sessions_held")
    IndicatorPeriod.objects.create(indicator=indicator, start=date(2027, 1, 1), end=date(2027, 12, 31), target=3)
    (period,) = indicator_periods(indicator, scope=EVERYWHERE, today=TODAY)
    assert period["actual"] is None
    assert period["target"] == 3.0


def test_targets_by_sex_are_given_per_value(data):
    indicator = _indicator(data.programme, source="reported", disaggregations=["sex"])
    IndicatorPeriod.objects.create(
        indicator=indicator,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        target=Decimal(10),
        targets_by={"sex": {"female": "6", "male": "4"}},
    )
    (period,) = indicator_periods(indicator, scope=EVERYWHERE, today=TODAY)
    assert period["by"]["sex"]["female"] == {"target": 6.0, "actual": None}
    assert period["by"]["sex"]["other"] == {"target": None, "actual": None}


def test_pass_rate_by_sex_matches_an_independent_computation(data):
    indicator = _indicator(
        data.programme, source="computed", metric="post_pass_rate", unit="percent", disaggregations=["sex"]
    )
    IndicatorPeriod.objects.create(indicator=indicator, start=date(2023, 1, 1), end=date(2026, 12, 31), target=70)
    (period,) = indicator_periods(indicator, scope=EVERYWHERE, today=TODAY)

    def rate(rows) -> float | None:
        with_post = [r for r in rows if r["post"] is not None]
        return 100 * sum(r["post"] >= r["pass"] for r in with_post) / len(with_post) if with_post else None

    rows = [r for r in data.results if _in(r["start"], date(2023, 1, 1), TODAY)]
    assert period["actual"] == pytest.approx(rate(rows))
    for sex in ("female", "male"):
        assert period["by"]["sex"][sex]["actual"] == pytest.approx(rate([r for r in rows if r["sex"] == sex]))
