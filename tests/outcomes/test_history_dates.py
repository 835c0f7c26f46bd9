"""A programme with a past: every outcome figure reads the days things happened (the day a measure
was agreed, the day a report was submitted, the day a phase changed, the assessments' own dates),
never the day they were typed into the portal. The expected values are worked out by hand below."""

from datetime import date

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import EVERYWHERE
from assessments.models import Assessment
from assessments.models import Roundtable
from assessments.selectors import maturity_comparison
from engagements import services as engagement_services
from engagements.models import Engagement
from engagements.models import Programme
from followups import services
from followups.models import FollowupRound
from followups.selectors import followup_compliance
from outcomes import facts
from outcomes import selectors
from outcomes.models import ActivityTarget
from outcomes.models import OutcomeTarget
from outcomes.targets import Window
from outcomes.targets import engagements_reaching
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import make_user
from tests.followups.factories import make_measure

pytestmark = pytest.mark.django_db

# The figures are asked for as of a fixed day: nothing below depends on the day the suite runs.
TODAY = date(2026, 1, 1)


@pytest.fixture
def manager(db):
    return make_user(Role.MANAGER, "PE", username="maria")


@pytest.fixture
def past(manager):
    """Peru's engagement of 2011–2016, entered in the portal today with its history:

    measures (all agreed in 2013)        reports (submitted on, verified the next day)
      A  agreed 2013-03-01               in progress 2013-06-20, 2013-12-10; implemented 2014-05-01
      B  agreed 2013-03-01               in progress 2013-06-25, 2013-12-12; implemented 2015-01-10
      C  agreed 2013-06-01               cancelled 2013-09-01
      D  agreed 2013-04-01               in progress 2013-07-15, 2013-12-20
    rounds (asking about A, B, D)
      2013-06-01 → due 2013-06-30: last first report 2013-07-15, late
      2013-12-01 → due 2013-12-31: last first report 2013-12-20, on time
    phases: planning from 2011-01-10, roundtable from 2012-03-15, follow-up from 2013-02-01.
    """
    programme = Programme.objects.create(
        name="Precursors 2011–2016", code="precursors-2011", start_date=date(2011, 1, 1), end_date=date(2016, 12, 31)
    )
    engagement = engagement_services.engagement_save(
        engagement=Engagement(
            country_id="PE", title="Peru 2011", programme=programme, start_date=date(2011, 1, 10), phase="planning"
        ),
        by=manager,
        phase_changed_on=date(2011, 1, 10),
    )
    for phase, day in (("roundtable", date(2012, 3, 15)), ("follow_up", date(2013, 2, 1))):
        engagement.phase = phase
        engagement_services.engagement_save(engagement=engagement, by=manager, phase_changed_on=day)
    m = {
        "A": make_measure(engagement, title="A", agreed_on=date(2013, 3, 1), by=manager),
        "B": make_measure(engagement, title="B", agreed_on=date(2013, 3, 1), by=manager),
        "C": make_measure(engagement, title="C", agreed_on=date(2013, 6, 1), by=manager),
        "D": make_measure(engagement, title="D", agreed_on=date(2013, 4, 1), by=manager),
    }
    asked = [m["A"], m["B"], m["D"]]
    june = services.round_record(
        engagement=engagement, opens_on=date(2013, 6, 1), due_date=date(2013, 6, 30), by=manager, measures=asked
    )
    december = services.round_record(
        engagement=engagement, opens_on=date(2013, 12, 1), due_date=date(2013, 12, 31), by=manager, measures=asked
    )

    def record(measure, round_, day, status="in_progress", pct=40):
        services.status_update_record(
            measure=m[measure],
            round_=round_,
            by=manager,
            status=status,
            progress_pct=pct,
            narrative="As reported then.",
            submitted_on=day,
            verified_on=date.fromordinal(day.toordinal() + 1),
        )

    record("A", june, date(2013, 6, 20))
    record("B", june, date(2013, 6, 25))
    record("D", june, date(2013, 7, 15))
    record("C", None, date(2013, 9, 1), status="cancelled", pct=0)
    record("A", december, date(2013, 12, 10), pct=60)
    record("B", december, date(2013, 12, 12), pct=60)
    record("D", december, date(2013, 12, 20), pct=50)
    record("A", None, date(2014, 5, 1), status="implemented", pct=100)
    record("B", None, date(2015, 1, 10), status="implemented", pct=100)
    return {"programme": programme, "engagement": engagement, "measures": m, "rounds": (june, december)}


def _evaluations(programme, *targets, year):
    for target in targets:
        target.full_clean()
        target.save()
    dashboard = selectors.programme_dashboard(scope=EVERYWHERE, programme=programme, year=year, today=TODAY)
    return {evaluation.target.title: evaluation for evaluation in dashboard.evaluations}


def test_a_measure_agreed_in_2013_and_implemented_in_2014_counts_as_implemented_within_18_months(past):
    period = {"programme": past["programme"], "period_start": date(2013, 1, 1), "period_end": date(2016, 12, 31)}
    found = _evaluations(
        past["programme"],
        OutcomeTarget(
            title="Within 18 months", metric="implemented_within", within_months=18, target_value=50, **period
        ),
        ActivityTarget(title="Agreed", metric="measures_agreed", target_value=4, **period),
        year=2016,
    )
    # A (14 months) is in; B (22 months) and D (never) are not; C is cancelled and left out: 1 of 3
    assert found["Within 18 months"].actual == pytest.approx(100 / 3)
    assert found["Within 18 months"].status == "behind"
    # all four were agreed in the period, though entered in the portal years later
    assert (found["Agreed"].actual, found["Agreed"].status) == (4, "met")


def test_the_measures_agreed_count_in_the_year_they_were_agreed(past):
    period = {"programme": past["programme"], "period_start": date(2013, 1, 1), "period_end": date(2013, 12, 31)}
    found = _evaluations(
        past["programme"], ActivityTarget(title="Agreed", metric="measures_agreed", target_value=4, **period), year=2013
    )
    assert found["Agreed"].actual == 4
    dashboard = selectors.programme_dashboard(scope=EVERYWHERE, programme=past["programme"], year=2013, today=TODAY)
    agreed_by_year = {row.year: row.measures_agreed for row in dashboard.trends}
    assert agreed_by_year[2013] == 4 and agreed_by_year[2016] == 0


def test_a_round_of_the_past_submitted_after_its_due_date_counts_late(past, manager):
    june, december = past["rounds"]
    june.refresh_from_db()
    december.refresh_from_db()
    assert (june.submitted_on_time, december.submitted_on_time) == (False, True)
    rounds = FollowupRound.objects.filter(engagement=past["engagement"])
    assert followup_compliance(rounds, TODAY) == {
        "rounds_due": 2,
        "rounds_submitted_on_time": 1,
        "compliance_rate": 0.5,
    }
    outcome = selectors.engagement_outcome(user=manager, engagement=past["engagement"], today=TODAY)
    assert outcome["followup"] == {"rounds_due": 2, "rounds_submitted_on_time": 1, "compliance_rate": 0.5}
    period = {"programme": past["programme"], "period_start": date(2013, 1, 1), "period_end": date(2013, 12, 31)}
    found = _evaluations(
        past["programme"],
        OutcomeTarget(title="Compliance", metric="followup_compliance", target_value=60, **period),
        year=2013,
    )
    assert (found["Compliance"].actual, found["Compliance"].status) == (50.0, "behind")


def test_the_status_of_measures_at_a_past_year_end_is_what_was_reported_by_then(past, manager):
    rows = {
        row["year"]: row
        for year in (2013, 2014, 2015)
        for row in selectors.country_outcomes(user=manager, today=TODAY, year=year)
    }
    # end of 2013: A, B, D in progress, C cancelled → 0 implemented of 3 not cancelled
    assert rows[2013]["measures"]["by_status"]["in_progress"] == 3
    assert rows[2013]["measures"]["implementation_rate"] == 0.0
    # end of 2014: A implemented; end of 2015: A and B
    assert rows[2014]["measures"]["implementation_rate"] == pytest.approx(1 / 3)
    assert rows[2015]["measures"]["implementation_rate"] == pytest.approx(2 / 3)


def test_phases_count_in_the_year_they_were_reached(past):
    found = _evaluations(
        past["programme"],
        ActivityTarget(
            programme=past["programme"],
            title="Roundtable reached in 2012",
            metric="engagements_reaching_phase",
            phase="roundtable",
            target_value=1,
            period_start=date(2012, 1, 1),
            period_end=date(2012, 12, 31),
        ),
        ActivityTarget(
            programme=past["programme"],
            title="Follow-up reached in 2012",
            metric="engagements_reaching_phase",
            phase="follow_up",
            target_value=1,
            period_start=date(2012, 1, 1),
            period_end=date(2012, 12, 31),
        ),
        year=2012,
    )
    assert found["Roundtable reached in 2012"].actual == 1
    assert found["Follow-up reached in 2012"].actual == 0


def test_a_phase_change_counts_on_its_day_in_the_portals_time_zone(manager, settings):
    # given: a portal far east of UTC, where noon on 1 January is still 31 December in UTC
    settings.TIME_ZONE = "Pacific/Auckland"
    engagement = engagement_services.engagement_save(
        engagement=Engagement(country_id="PE", title="Peru", start_date=date(2011, 1, 10), phase="planning"), by=manager
    )
    engagement.phase = "roundtable"
    engagement_services.engagement_save(engagement=engagement, by=manager, phase_changed_on=date(2012, 1, 1))
    # when
    found = facts.Facts(
        where=facts.Slice(scope=EVERYWHERE, engagement_id=engagement.pk),
        engagements=facts.engagement_facts(facts.Slice(scope=EVERYWHERE, engagement_id=engagement.pk)),
        phase_changes=facts.phase_change_facts(facts.Slice(scope=EVERYWHERE, engagement_id=engagement.pk)),
    )
    # then: it counts in 2012, not in 2011
    assert engagements_reaching(found, "roundtable", Window(date(2012, 1, 1), date(2012, 12, 31))) == {engagement.pk}
    assert engagements_reaching(found, "roundtable", Window(date(2011, 1, 1), date(2011, 12, 31))) == set()


def test_the_day_a_measure_was_agreed_is_the_day_given_else_its_roundtables_else_its_entry(manager):
    engagement = Engagement.objects.create(country_id="PE", title="Peru", start_date=date(2011, 1, 10))
    roundtable = Roundtable.objects.create(engagement=engagement, title="Roundtable", date=date(2012, 5, 3))
    given = make_measure(engagement, title="Given", agreed_on=date(2012, 2, 1), roundtable=roundtable, by=manager)
    at_roundtable = make_measure(engagement, title="At the roundtable", roundtable=roundtable, by=manager)
    entered = make_measure(engagement, title="Entered", by=manager)
    rows = {fact.id: fact.agreed_on for fact in facts.measure_facts(facts.Slice(scope=EVERYWHERE))}
    assert rows == {
        given.pk: date(2012, 2, 1),
        at_roundtable.pk: date(2012, 5, 3),
        entered.pk: timezone.localdate(entered.created_at),
    }


def test_the_baseline_is_the_earliest_assessment_by_its_own_dates_whenever_it_was_entered(manager):
    engagement = Engagement.objects.create(country_id="PE", title="Peru", start_date=date(2011, 1, 10))
    codes = list(default_framework().dimensions.values_list("code", flat=True))
    # the re-assessment of 2016 is entered first, the baseline of 2012 afterwards
    latest = {code: 3 for code in codes} | {"legal": 4}
    baseline = {code: 3 for code in codes} | {"legal": 1, "licensing": 2}
    make_assessment(
        engagement=engagement, title="2016", start=date(2016, 3, 1), end=date(2016, 4, 1),
        status=Assessment.Status.FINAL, levels=latest,
    )  # fmt: skip
    make_assessment(
        engagement=engagement, title="2012", start=date(2012, 3, 1), end=date(2012, 4, 1),
        status=Assessment.Status.FINAL, levels=baseline,
    )  # fmt: skip
    change = {code: 0 for code in codes} | {"legal": 3, "licensing": 1}
    expected = {"baseline": baseline, "latest": latest, "change": change}
    assert maturity_comparison(country_code="PE") == expected
    assert selectors.engagement_outcome(user=manager, engagement=engagement, today=TODAY)["maturity"] == expected
    # as of the end of 2012, only the baseline existed
    [row] = selectors.country_outcomes(user=manager, today=TODAY, year=2012)
    assert row["maturity"] == {"baseline": baseline, "latest": baseline, "change": {}}
