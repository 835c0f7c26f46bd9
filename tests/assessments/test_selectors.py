"""The baseline comparison and the maturity figures the outcomes use."""

from datetime import date

import pytest

from assessments.models import Assessment
from assessments.selectors import baseline_for
from assessments.selectors import comparison_for
from assessments.selectors import maturity_comparison
from assessments.selectors import radar_for
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def _all(level: int, **overrides) -> dict[str, int]:
    levels = {d.code: level for d in default_framework().dimensions.all()}
    levels.update(overrides)
    return levels


def test_maturity_comparison_takes_the_earliest_and_latest_final_assessments_of_the_country():
    # given a baseline, a re-assessment and a later draft in Peru, and a final assessment in Colombia
    engagement = EngagementFactory(country_id="PE")
    make_assessment(
        engagement=engagement, title="2022", end=None, start=date(2022, 3, 1), status="final", levels=_all(2)
    )
    make_assessment(
        engagement=engagement,
        title="2024",
        end=None,
        start=date(2024, 3, 1),
        status="final",
        levels=_all(3, legal=4, training=2),
    )
    make_assessment(engagement=engagement, title="2026 draft", end=None, start=date(2026, 3, 1), levels=_all(5))
    make_assessment(country="CO", title="Colombia", end=None, start=date(2023, 3, 1), status="final", levels=_all(1))
    # when
    figures = maturity_comparison(country_code="pe")
    # then
    assert figures["baseline"] == _all(2)
    assert figures["latest"] == _all(3, legal=4, training=2)
    assert figures["change"]["legal"] == 2 and figures["change"]["training"] == 0 and figures["change"]["trade"] == 1


def test_maturity_comparison_with_one_final_assessment_has_no_change_and_with_none_is_empty():
    make_assessment(title="Only", status="final", levels=_all(3))
    assert maturity_comparison(country_code="PE") == {"baseline": _all(3), "latest": _all(3), "change": {}}
    assert maturity_comparison(country_code="CO") == {"baseline": {}, "latest": {}, "change": {}}


def test_maturity_comparison_can_be_limited_to_one_engagement():
    first, second = EngagementFactory(country_id="PE"), EngagementFactory(country_id="PE")
    make_assessment(engagement=first, end=None, start=date(2022, 1, 1), status="final", levels=_all(1))
    make_assessment(engagement=second, end=None, start=date(2024, 1, 1), status="final", levels=_all(2))
    make_assessment(engagement=second, end=None, start=date(2025, 1, 1), status="final", levels=_all(4))
    figures = maturity_comparison(country_code="PE", engagement_id=second.pk)
    assert figures["baseline"] == _all(2) and figures["latest"] == _all(4)


def test_a_re_assessment_compares_each_dimension_with_the_baseline():
    baseline = make_assessment(
        title="Baseline", end=None, start=date(2024, 4, 8), status="final", levels=_all(2, legal=3)
    )
    later = make_assessment(title="Again", end=None, start=date(2026, 3, 2), levels={"legal": 4, "trade": 2})
    comparison = comparison_for(later)
    rows = {row.dimension.code: row for row in comparison.rows}
    assert baseline_for(later) == baseline and baseline_for(baseline) is None
    assert (rows["legal"].baseline_level, rows["legal"].level, rows["legal"].change) == (3, 4, 1)
    assert (rows["trade"].level, rows["trade"].change) == (2, 0)
    assert rows["estimates"].level is None and rows["estimates"].change is None
    svg = str(radar_for(comparison))
    assert svg.startswith("<svg") and 'role="img"' in svg and "Baseline (2024)" in svg


def test_a_draft_earlier_assessment_is_not_a_baseline():
    make_assessment(title="Old draft", end=None, start=date(2023, 1, 1), levels={"legal": 1})
    later = make_assessment(title="Now", end=None, start=date(2026, 1, 1))
    assert baseline_for(later) is None
    assert Assessment.objects.count() == 2
