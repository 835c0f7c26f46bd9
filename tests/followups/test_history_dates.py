"""Rounds and reports of the past, recorded after the fact: their own dates, stored as given, with
who recorded them and when; the engagement's current round untouched, nothing e-mailed, every
rule of a report kept, and bad input refused with nothing saved."""

from datetime import date
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from assessments.models import Roundtable
from followups import selectors
from followups import services
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import ReminderLog
from followups.models import RoundMeasure
from followups.models import StatusUpdate
from followups.models import UpdateState
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report

# A few cases date things "today" or "tomorrow" to test the refusal of the future.
pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return {
        "manager": make_user(Role.MANAGER, "PE", username="maria", email="maria@example.org"),
        "counterpart": make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org"),
        "manager_co": make_user(Role.MANAGER, "CO", username="carlos"),
    }


@pytest.fixture
def engagement(db):
    return EngagementFactory(country_id="PE", start_date=date(2011, 1, 10), phase="follow_up")


def agreed(engagement, title, day, **fields) -> Measure:
    return make_measure(engagement, title=title, agreed_on=day, **fields)


def record_round(engagement, by, *, opens_on=date(2013, 6, 1), due_date=date(2013, 6, 30), measures=None):
    return services.round_record(engagement=engagement, opens_on=opens_on, due_date=due_date, by=by, measures=measures)


def record_report(
    measure, round_, by, submitted_on, *, status="in_progress", pct=50, verified_on=None, narrative="Done then."
):
    return services.status_update_record(
        measure=measure,
        round_=round_,
        by=by,
        status=status,
        progress_pct=pct,
        narrative=narrative,
        submitted_on=submitted_on,
        verified_on=verified_on,
    )


# ---- Rounds of the past ------------------------------------------------------------------------


def test_a_round_of_the_past_keeps_its_days_is_stored_closed_and_leaves_the_current_round_open(
    engagement, cast, django_capture_on_commit_callbacks
):
    # given: two measures of the past and the engagement's current round, open now
    plan = agreed(engagement, "Adopt the plan", date(2013, 3, 1))
    agreed(engagement, "Train inspectors", date(2013, 4, 1))
    current = open_round(engagement)
    before = timezone.now()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        round_ = record_round(engagement, cast["manager"])
    # then: the days as given, closed, recorded by the manager just now
    round_.refresh_from_db()
    assert (round_.opens_on, round_.due_date) == (date(2013, 6, 1), date(2013, 6, 30))
    assert timezone.localdate(round_.opened_at) == date(2013, 6, 1)
    assert round_.recorded_by == cast["manager"] and round_.recorded_at >= before
    assert round_.is_recorded_after_the_fact and round_.closed_at is not None
    assert round_.status_on(date(2026, 12, 1)) == "closed"
    assert round_.submitted_at is None
    assert set(round_.measures.values_list("title", flat=True)) == {"Adopt the plan", "Train inspectors"}
    # the current round is still the one counterparts report in
    current.refresh_from_db()
    assert current.closed_at is None and selectors.current_round(engagement) == current
    # nothing was sent or claimed
    assert mail.outbox == []
    assert not ReminderLog.objects.filter(round=round_).exists()
    assert plan.pk in set(round_.round_measures.values_list("measure_id", flat=True))


def test_by_default_a_round_of_the_past_asks_about_the_measures_open_on_its_opening_day(engagement, cast):
    # given: agreed before the round (open then), agreed after it, and implemented before it opened
    open_then = agreed(engagement, "Open then", date(2013, 2, 1))
    agreed(engagement, "Agreed later", date(2013, 9, 1))
    done = agreed(engagement, "Done before", date(2012, 5, 1))
    record_report(
        done, None, cast["manager"], date(2013, 1, 15), status="implemented", pct=100, verified_on=date(2013, 1, 20)
    )
    # a measure implemented only after the round opened was still open then
    implemented_later = agreed(engagement, "Implemented later", date(2012, 5, 1))
    record_report(implemented_later, None, cast["manager"], date(2013, 8, 1), status="implemented", pct=100)
    # a roundtable's measure without a day of its own counts from the roundtable
    roundtable = Roundtable.objects.create(engagement=engagement, title="Roundtable", date=date(2013, 5, 20))
    from_roundtable = make_measure(engagement, title="From the roundtable", roundtable=roundtable)
    # when
    round_ = record_round(engagement, cast["manager"])
    # then
    assert set(round_.measures.all()) == {open_then, implemented_later, from_roundtable}


def test_the_measures_a_round_of_the_past_asked_about_may_be_chosen(engagement, cast):
    first = agreed(engagement, "First", date(2013, 2, 1))
    agreed(engagement, "Second", date(2013, 2, 1))
    round_ = record_round(engagement, cast["manager"], measures=[first, first])
    assert list(round_.measures.all()) == [first]


@pytest.mark.parametrize(
    ("days", "field", "message"),
    [
        ({"opens_on": date(2010, 12, 1), "due_date": date(2010, 12, 31)}, "opens_on", "before the engagement started"),
        (
            {"opens_on": date(2013, 6, 1), "due_date": date(2013, 5, 1)},
            "due_date",
            "must not be before the round opens",
        ),
        ({"opens_on": "tomorrow", "due_date": "tomorrow"}, "opens_on", "cannot be in the future"),
        ({"opens_on": date(2013, 6, 1), "due_date": "tomorrow"}, "due_date", "cannot be in the future"),
    ],
)
def test_impossible_days_of_a_round_of_the_past_are_refused_and_nothing_is_saved(
    engagement, cast, days, field, message
):
    agreed(engagement, "Plan", date(2011, 2, 1))
    tomorrow = timezone.localdate() + timedelta(days=1)
    days = {name: tomorrow if value == "tomorrow" else value for name, value in days.items()}
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"], **days)
    assert message in " ".join(refused.value.message_dict[field])
    assert not FollowupRound.objects.exists() and not RoundMeasure.objects.exists()


def test_measures_a_round_of_the_past_could_not_have_asked_about_are_refused(engagement, cast):
    later = agreed(engagement, "Agreed later", date(2014, 1, 1))
    stranger = make_measure(
        EngagementFactory(country_id="PE"), title="Of another engagement", agreed_on=date(2012, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"], measures=[later])
    assert "Agreed after the round opened: Agreed later" in refused.value.message_dict["measures"][0]
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"], measures=[stranger])
    assert "Not measures of this engagement" in refused.value.message_dict["measures"][0]
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"], measures=[])
    assert "measures" in refused.value.message_dict
    # nothing open on the opening day, by default: said so
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"])
    assert "No measure of the engagement was open on 2013-06-01" in refused.value.message_dict["measures"][0]
    assert not FollowupRound.objects.exists()


def test_a_second_round_opening_the_same_day_is_refused(engagement, cast):
    agreed(engagement, "Plan", date(2013, 2, 1))
    record_round(engagement, cast["manager"])
    with pytest.raises(ValidationError) as refused:
        record_round(engagement, cast["manager"], due_date=date(2013, 7, 31))
    assert "already has a round opening on this day" in refused.value.message_dict["opens_on"][0]
    assert FollowupRound.objects.count() == 1


def test_only_the_engagements_managers_record_a_round_of_the_past(engagement, cast):
    agreed(engagement, "Plan", date(2013, 2, 1))
    for who in (cast["counterpart"], cast["manager_co"]):
        with pytest.raises(PermissionDenied):
            record_round(engagement, who)
    assert not FollowupRound.objects.exists()


# ---- Reports of the past -----------------------------------------------------------------------


def test_a_report_of_the_past_keeps_its_days_and_is_verified_that_day_by_the_manager_recording_it(engagement, cast):
    measure = agreed(engagement, "Adopt the plan", date(2013, 3, 1))
    round_ = record_round(engagement, cast["manager"])
    before = timezone.now()
    # when
    update = record_report(
        measure, round_, cast["manager"], date(2013, 6, 20), status="partially_implemented", pct=60,
        verified_on=date(2013, 7, 2),
    )  # fmt: skip
    # then
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert timezone.localdate(update.submitted_at) == date(2013, 6, 20)
    assert timezone.localdate(update.reviewed_at) == date(2013, 7, 2)
    assert update.reviewed_by == cast["manager"] and update.submitted_by is None
    assert update.recorded_by == cast["manager"] and update.recorded_at >= before
    measure.refresh_from_db()
    assert (measure.status, measure.progress_pct, measure.verified_status) == (
        "partially_implemented",
        60,
        "partially_implemented",
    )
    assert timezone.localdate(measure.verified_at) == date(2013, 7, 2)


def test_without_a_day_of_verification_a_report_of_the_past_awaits_verification(engagement, cast):
    measure = agreed(engagement, "Adopt the plan", date(2013, 3, 1))
    first = record_report(measure, None, cast["manager"], date(2014, 2, 1))
    assert first.state == UpdateState.SUBMITTED and first.reviewed_at is None
    measure.refresh_from_db()
    assert (measure.status, measure.verified_status) == ("in_progress", "")
    # a second one waiting as well is refused: one report per measure awaits verification
    with pytest.raises(ValidationError) as refused:
        record_report(measure, None, cast["manager"], date(2014, 5, 1))
    assert "awaits verification" in refused.value.message_dict["verified_on"][0]
    assert measure.updates.count() == 1
    # returned later by a manager, it e-mails nobody (who reported it then is not known)
    services.status_update_review(update=first, by=cast["manager"], accept=False, comment="Evidence missing.")
    assert not ReminderLog.objects.exists() and mail.outbox == []


def test_the_measure_follows_its_reports_in_the_order_of_their_days_not_of_their_recording(engagement, cast):
    measure = agreed(engagement, "Adopt the plan", date(2013, 3, 1))
    record_report(
        measure, None, cast["manager"], date(2015, 3, 1), status="implemented", pct=100, verified_on=date(2015, 3, 5)
    )
    # an older report recorded afterwards does not become the measure's status
    record_report(
        measure, None, cast["manager"], date(2014, 3, 1), status="in_progress", pct=30, verified_on=date(2014, 3, 2)
    )
    measure.refresh_from_db()
    assert (measure.status, measure.progress_pct) == ("implemented", 100)
    assert timezone.localdate(measure.verified_at) == date(2015, 3, 5)
    assert timezone.localdate(measure.latest_update.submitted_at) == date(2015, 3, 1)


def test_a_round_of_the_past_is_submitted_when_its_last_measure_got_its_first_report(engagement, cast):
    first = agreed(engagement, "First", date(2013, 2, 1))
    second = agreed(engagement, "Second", date(2013, 2, 1))
    round_ = record_round(engagement, cast["manager"])  # opens 2013-06-01, due 2013-06-30
    # reports recorded in any order: the second measure's report came on 10 July, the first's on 20 June
    record_report(second, round_, cast["manager"], date(2013, 7, 10), verified_on=date(2013, 7, 11))
    round_.refresh_from_db()
    assert round_.submitted_at is None
    record_report(first, round_, cast["manager"], date(2013, 6, 20), verified_on=date(2013, 6, 21))
    round_.refresh_from_db()
    assert timezone.localdate(round_.submitted_at) == date(2013, 7, 10)
    assert round_.submitted_on_time is False
    # an earlier report on the second measure, recorded later, dates the submission anew
    record_report(second, round_, cast["manager"], date(2013, 6, 25), verified_on=date(2013, 6, 26))
    round_.refresh_from_db()
    assert timezone.localdate(round_.submitted_at) == date(2013, 6, 25)
    assert round_.submitted_on_time is True
    compliance = selectors.followup_compliance(FollowupRound.objects.filter(engagement=engagement), date(2016, 1, 1))
    assert compliance == {"rounds_due": 1, "rounds_submitted_on_time": 1, "compliance_rate": 1.0}


def test_a_report_of_the_past_in_the_open_round_dates_its_submission(engagement, cast):
    # given: the current round, opened ten days ago, asking about one measure
    measure = make_measure(engagement, title="Plan")
    today = timezone.localdate()
    round_ = open_round(engagement, opens_on=today - timedelta(days=10), due_date=today - timedelta(days=5))
    # when: the report e-mailed by the country eight days ago is recorded
    record_report(measure, round_, cast["manager"], today - timedelta(days=8))
    # then: the round was submitted then, on time
    round_.refresh_from_db()
    assert timezone.localdate(round_.submitted_at) == today - timedelta(days=8)
    assert round_.submitted_on_time is True


@pytest.mark.parametrize(
    ("submitted_on", "verified_on", "field", "message"),
    [
        ("tomorrow", None, "submitted_on", "cannot be dated in the future"),
        (date(2013, 5, 31), None, "submitted_on", "before its round opened (2013-06-01)"),
        (date(2013, 6, 20), date(2013, 6, 19), "verified_on", "cannot be verified before it was submitted"),
        (date(2013, 6, 20), "tomorrow", "verified_on", "cannot be dated in the future"),
        (None, None, "submitted_on", "Give the day the report was submitted"),
    ],
)
def test_the_days_of_a_report_of_the_past_keep_their_order(engagement, cast, submitted_on, verified_on, field, message):
    measure = agreed(engagement, "Plan", date(2013, 3, 1))
    round_ = record_round(engagement, cast["manager"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record_report(
            measure,
            round_,
            cast["manager"],
            tomorrow if submitted_on == "tomorrow" else submitted_on,
            verified_on=tomorrow if verified_on == "tomorrow" else verified_on,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not StatusUpdate.objects.exists()


def test_a_report_of_the_past_keeps_every_rule_of_a_report(engagement, cast):
    measure = agreed(engagement, "Plan", date(2013, 3, 1))
    round_ = record_round(engagement, cast["manager"])
    cases = [
        ({"status": "implemented", "pct": 80}, "progress_pct", "100% done"),
        ({"narrative": "  "}, "narrative", "Say what was done"),
        ({"status": "invented"}, "status", "Choose a status"),
    ]
    for changes, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            record_report(measure, round_, cast["manager"], date(2013, 6, 20), **changes)
        assert message in " ".join(refused.value.message_dict[field])
    # a round that does not ask about the measure, and a round of another engagement
    other = agreed(engagement, "Agreed later", date(2014, 1, 1))
    with pytest.raises(ValidationError) as refused:
        record_report(other, round_, cast["manager"], date(2014, 2, 1))
    assert "does not ask about this measure" in refused.value.message_dict["measure"][0]
    assert not StatusUpdate.objects.exists()


def test_a_report_of_the_past_never_goes_into_a_round_the_portal_ran_and_closed(engagement, cast):
    measure = make_measure(engagement, title="Plan")
    today = timezone.localdate()
    closed = open_round(engagement, opens_on=today - timedelta(days=40), due_date=today - timedelta(days=10))
    services.round_close(round_=closed, by=cast["manager"])
    with pytest.raises(ValidationError) as refused:
        record_report(measure, closed, cast["manager"], today - timedelta(days=20))
    assert "a report of the past goes into a round recorded after the fact" in refused.value.message_dict["round"][0]
    assert not StatusUpdate.objects.exists()


def test_counterparts_never_report_into_a_round_of_the_past(engagement, cast):
    measure = agreed(engagement, "Plan", date(2013, 3, 1))
    round_ = record_round(engagement, cast["manager"])
    with pytest.raises(ValidationError) as refused:
        report(measure, round_, cast["counterpart"])
    assert "This round is closed" in refused.value.message_dict["round"][0]
    assert not StatusUpdate.objects.exists()


def test_only_the_engagements_managers_record_a_report_of_the_past(engagement, cast):
    measure = agreed(engagement, "Plan", date(2013, 3, 1))
    for who in (cast["counterpart"], cast["manager_co"]):
        with pytest.raises(PermissionDenied):
            record_report(measure, None, who, date(2014, 1, 1))
    assert not StatusUpdate.objects.exists()


def test_a_measure_of_the_past_cannot_be_agreed_in_the_future(engagement, cast):
    with pytest.raises(ValidationError) as refused:
        make_measure(engagement, title="Plan", agreed_on=timezone.localdate() + timedelta(days=1), by=cast["manager"])
    assert "agreed_on" in refused.value.message_dict
    assert not Measure.objects.exists()
