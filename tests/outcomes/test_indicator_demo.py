"""The demo programme has indicators with targets by sex, and reported values verified."""

import io

import pytest

from engagements import demo as engagements_demo
from followups.models import UpdateState
from outcomes import demo
from outcomes.models import Indicator
from outcomes.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_the_demo_has_indicators_with_targets_by_sex_and_verified_values(private_media):
    out = io.StringIO()
    engagements_demo.seed(out)
    demo.seed(out)
    demo.seed(out)  # idempotent
    assert "5 indicators" in out.getvalue()
    by_sex = [i for i in Indicator.objects.all() if "sex" in i.disaggregations]
    assert len(by_sex) == 3
    for indicator in by_sex:
        for period in indicator.periods.all():
            assert period.targets_by["sex"]["female"], (indicator.code, period)
    values = IndicatorValue.objects.all()
    assert values.count() == 4
    assert {v.state for v in values} == {UpdateState.ACCEPTED}
    assert all(v.by["sex"] for v in values)
