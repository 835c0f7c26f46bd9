"""The demo's follow-up: a schedule, a late and an on-time round, a current one, reports verified,
returned and waiting, real evidence files, indicators and coordination scores."""

import io
from datetime import date

import pytest
from django.utils import timezone

from assessments.models import Roundtable
from engagements import demo as engagements_demo
from followups import demo
from followups import selectors
from followups.models import Evidence
from followups.models import FollowupRound
from followups.models import Indicator
from followups.models import Measure
from followups.models import StatusUpdate
from ta_portal.uploads import detect_type
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import make_assessment

pytestmark = pytest.mark.clock_sensitive


def seed():
    out = io.StringIO()
    engagements_demo.seed(out)
    demo.seed(out)
    return out.getvalue()


def test_the_demo_engagement_has_late_on_time_and_current_rounds(db, private_media):
    output = seed()
    assert "followups: 7 measures, 3 rounds" in output
    rounds = list(FollowupRound.objects.order_by("opens_on"))
    late, on_time, current = rounds
    assert (late.submitted_on_time, on_time.submitted_on_time) == (False, True)
    assert current.closed_at is None and current.submitted_at is None
    assert current.opens_on < timezone.localdate() < current.due_date
    figures = selectors.followup_compliance(FollowupRound.objects.all(), timezone.localdate())
    assert figures == {"rounds_due": 2, "rounds_submitted_on_time": 1, "compliance_rate": 0.5}
    # reports of every kind, so the board and the inbox have something to show
    states = set(StatusUpdate.objects.values_list("state", flat=True))
    assert states == {"draft", "submitted", "accepted", "returned"}
    assert Measure.objects.filter(due_date__lt=timezone.localdate()).exclude(status="implemented").count() == 3
    assert Measure.objects.filter(verified_status="implemented").count() == 1
    # the evidence files are real PDFs and PNGs, stored privately
    files = list(Evidence.objects.all())
    assert {e.content_type for e in files} == {"application/pdf", "image/png"}
    for evidence in files:
        with evidence.file.open("rb") as handle:
            assert detect_type(handle).content_type == evidence.content_type
    # indicators with values, and coordination that improved
    assert Indicator.objects.count() == 4
    scores = selectors.coordination_scores(FollowupRound.objects.all())
    assert scores == {late.pk: 20.0, on_time.pk: 65.0}


def test_seeding_again_changes_nothing(db, private_media):
    seed()
    counts = (Measure.objects.count(), StatusUpdate.objects.count(), Evidence.objects.count())
    assert "exists already" in seed()
    assert (Measure.objects.count(), StatusUpdate.objects.count(), Evidence.objects.count()) == counts


def test_the_measures_agreed_at_the_demo_roundtable_are_the_ones_followed_up(db, private_media):
    out = io.StringIO()
    engagements_demo.seed(out)
    pe = Measure._meta.get_field("engagement").related_model.objects.get(country_id="PE")
    assessment = make_assessment(engagement=pe, title="Baseline")
    recommendation = add_recommendation(
        add_finding(assessment), text="Adopt a legal clause allowing the authority to control substances quickly."
    )
    roundtable = Roundtable.objects.create(engagement=pe, assessment=assessment, title="Lima", date=date(2024, 6, 20))
    demo.seed(out)
    agreed = roundtable.measures.all()
    assert agreed.count() == 6
    assert agreed.get(recommendation=recommendation).title.startswith("Adopt an emergency-scheduling clause")
    assert Measure.objects.filter(roundtable__isnull=True).count() == 1
