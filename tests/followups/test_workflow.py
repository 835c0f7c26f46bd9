"""The follow-up workflow through the services: statuses only through reports, two levels of
truth, rounds that complete, schedules that open rounds, and the figures outcomes build on."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from accounts.roles import Role
from followups import selectors
from followups import services
from followups.models import CoordinationResponse
from followups.models import FollowupRound
from followups.models import FollowupSchedule
from followups.models import Indicator
from followups.models import Measure
from followups.models import StatusUpdate
from followups.models import UpdateState
from followups.models import add_months
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return {
        "counterpart": make_user(Role.COUNTERPART, "PE", username="rosa"),
        "colleague": make_user(Role.COUNTERPART, "PE", username="luis"),
        "manager": make_user(Role.MANAGER, "PE", username="maria"),
        "counterpart_co": make_user(Role.COUNTERPART, "CO", username="camilo"),
        "viewer": make_user(Role.VIEWER, "PE", username="vic"),
    }


@pytest.fixture
def engagement(db):
    return other_engagement("PE")


def test_a_measure_starts_not_started_and_its_status_cannot_be_set_directly(engagement, cast):
    measure = make_measure(engagement)
    assert (measure.status, measure.verified_status, measure.progress_pct) == ("not_started", "", 0)
    assert "status" not in [f.name for f in Measure._meta.get_fields() if getattr(f, "editable", False)]


def test_a_report_is_what_the_counterpart_said_until_a_manager_verifies_it(engagement, cast):
    # given
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    # when: the counterpart reports
    update = report(measure, round_, cast["counterpart"], status="partially_implemented", pct=60)
    measure.refresh_from_db()
    # then: reported, not verified
    assert (measure.status, measure.progress_pct, measure.verified_status) == ("partially_implemented", 60, "")
    assert update.state == UpdateState.SUBMITTED and not measure.is_verified
    # when: the manager accepts
    services.status_update_review(update=update, by=cast["manager"], accept=True)
    measure.refresh_from_db()
    # then: both levels agree, with who and when
    assert (measure.status, measure.verified_status) == ("partially_implemented", "partially_implemented")
    assert measure.is_verified and measure.verified_at is not None
    update.refresh_from_db()
    assert (update.reviewed_by, update.state) == (cast["manager"], UpdateState.ACCEPTED)


def test_a_returned_report_no_longer_counts_as_the_status(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    first = report(measure, round_, cast["counterpart"], status="in_progress", pct=30)
    services.status_update_review(update=first, by=cast["manager"], accept=True)
    second = report(measure, round_, cast["counterpart"], status="implemented", pct=100)
    services.status_update_review(update=second, by=cast["manager"], accept=False, comment="Attach the decree.")
    measure.refresh_from_db()
    assert (measure.status, measure.verified_status) == ("in_progress", "in_progress")
    assert measure.latest_update == StatusUpdate.objects.get(pk=second.pk)
    # the history keeps both, with the review
    states = list(measure.updates.order_by("pk").values_list("state", "review_comment"))
    assert states == [("accepted", ""), ("returned", "Attach the decree.")]


def test_returning_needs_a_comment(engagement, cast):
    update = report(make_measure(engagement), open_round(engagement), cast["counterpart"])
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.status_update_review(update=update, by=cast["manager"], accept=False, comment="  ")
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_a_report_is_reviewed_once(engagement, cast):
    update = report(make_measure(engagement), open_round(engagement), cast["counterpart"])
    services.status_update_review(update=update, by=cast["manager"], accept=True)
    with pytest.raises(ValidationError, match="already reviewed"):
        services.status_update_review(update=update, by=cast["manager"], accept=False, comment="No")


def test_counterparts_cannot_verify_and_other_countries_cannot_report(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    update = report(measure, round_, cast["counterpart"])
    with pytest.raises(PermissionDenied):
        services.status_update_review(update=update, by=cast["colleague"], accept=True)
    with pytest.raises(PermissionDenied):
        report(measure, round_, cast["counterpart_co"])
    with pytest.raises(PermissionDenied):
        report(measure, round_, cast["viewer"])


def test_a_second_report_waits_for_the_review_of_the_first(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    report(measure, round_, cast["counterpart"])
    with pytest.raises(ValidationError, match="waiting for verification"):
        report(measure, round_, cast["colleague"], status="implemented", pct=100)
    assert measure.updates.count() == 1


def test_the_database_itself_refuses_two_pending_reports(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    update = report(measure, round_, cast["counterpart"])
    with pytest.raises(IntegrityError):
        StatusUpdate.objects.create(
            measure=measure,
            round=round_,
            state=UpdateState.SUBMITTED,
            status="in_progress",
            submitted_at=update.submitted_at,
        )


@pytest.mark.parametrize(
    ("status", "pct", "narrative", "field", "message"),
    [
        ("implemented", 80, "Done", "progress_pct", "An implemented measure is 100% done."),
        ("not_started", 10, "Nothing", "progress_pct", "A measure not started is 0% done."),
        ("in_progress", 101, "More", "progress_pct", "Progress is a whole number from 0 to 100."),
        ("in_progress", -1, "Less", "progress_pct", "Progress is a whole number from 0 to 100."),
        ("finished", 50, "?", "status", "Choose a status from the list."),
        ("cancelled", 0, "Dropped", "status", "Only a programme manager can cancel a measure."),
        ("in_progress", 50, "   ", "narrative", "Say what was done since the last report"),
    ],
)
def test_bad_reports_are_refused_with_a_clear_error(engagement, cast, status, pct, narrative, field, message):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    with pytest.raises(ValidationError) as raised:
        report(measure, round_, cast["counterpart"], status=status, pct=pct, narrative=narrative)
    assert message in " ".join(raised.value.message_dict[field])
    assert not StatusUpdate.objects.exists()


def test_a_manager_may_cancel_and_that_is_verified_at_once(engagement, cast):
    measure = make_measure(engagement)
    update = services.status_update_save(
        measure=measure, round_=None, by=cast["manager"], status="cancelled", progress_pct=0,
        narrative="Superseded by the new law.", submit=True,
    )  # fmt: skip
    measure.refresh_from_db()
    assert (update.state, measure.status, measure.verified_status) == ("accepted", "cancelled", "cancelled")
    assert not measure.is_open


def test_counterparts_report_within_a_round_that_is_not_closed(engagement, cast):
    measure = make_measure(engagement)
    with pytest.raises(ValidationError, match="within a follow-up round"):
        report(measure, None, cast["counterpart"])
    round_ = open_round(engagement)
    services.round_close(round_=round_, by=cast["manager"])
    with pytest.raises(ValidationError, match="This round is closed"):
        report(measure, round_, cast["counterpart"])
    elsewhere = open_round(other_engagement("PE"))
    with pytest.raises(ValidationError, match="another engagement"):
        report(measure, elsewhere, cast["counterpart"])


def test_a_draft_is_shared_by_the_countrys_counterparts_and_submitted_later(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    draft = report(measure, round_, cast["counterpart"], narrative="", submit=False)
    again = report(measure, round_, cast["colleague"], status="in_progress", pct=45, narrative="Half", submit=False)
    assert again.pk == draft.pk and again.state == UpdateState.DRAFT
    measure.refresh_from_db()
    assert measure.status == "not_started"  # a draft changes nothing
    submitted = services.status_update_submit(update=again, by=cast["colleague"])
    assert (submitted.pk, submitted.state, submitted.submitted_by) == (draft.pk, "submitted", cast["colleague"])


def test_a_round_is_submitted_once_every_measure_open_when_it_opened_has_a_report(engagement, cast):
    # given: three measures, one already implemented before the round opens
    first, second = make_measure(engagement, title="First"), make_measure(engagement, title="Second")
    done = make_measure(engagement, title="Done")
    services.status_update_save(
        measure=done, round_=None, by=cast["manager"], status="implemented", progress_pct=100, narrative="Done.",
        submit=True,
    )  # fmt: skip
    round_ = open_round(engagement)
    assert set(round_.measures.all()) == {first, second}
    # a measure added after the round opened is not waited for
    make_measure(engagement, title="Late addition")
    # when
    report(first, round_, cast["counterpart"])
    round_.refresh_from_db()
    assert round_.submitted_at is None
    report(second, round_, cast["colleague"], submit=False)
    round_.refresh_from_db()
    assert round_.submitted_at is None  # a draft is not a report
    services.status_update_submit(update=second.updates.get(), by=cast["colleague"])
    # then
    round_.refresh_from_db()
    assert round_.submitted_at is not None
    assert round_.status_on(timezone.localdate()) == "submitted"


def test_opening_a_round_closes_the_previous_one(engagement, cast):
    make_measure(engagement)
    first = open_round(engagement, opens_on=date(2026, 1, 5), due_date=date(2026, 2, 4))
    second = open_round(engagement, opens_on=date(2026, 7, 6), due_date=date(2026, 8, 5))
    first.refresh_from_db()
    assert first.closed_at is not None and second.closed_at is None
    assert selectors.current_round(engagement) == second


def test_round_statuses_follow_the_calendar(engagement, cast):
    measure = make_measure(engagement)
    round_ = open_round(engagement, opens_on=date(2026, 1, 5), due_date=date(2026, 2, 4))
    assert round_.status_on(date(2026, 2, 4)) == "open"
    assert round_.status_on(date(2026, 2, 5)) == "overdue"
    annotated = FollowupRound.objects.with_status(date(2026, 2, 5)).get(pk=round_.pk)
    assert annotated.round_status == "overdue"
    report(measure, round_, cast["counterpart"])
    assert FollowupRound.objects.with_status(date(2026, 2, 5)).get(pk=round_.pk).round_status == "submitted"
    services.round_close(round_=round_, by=cast["manager"])
    assert FollowupRound.objects.with_status(date(2026, 2, 5)).get(pk=round_.pk).round_status == "closed"


def test_a_round_with_a_due_date_before_it_opens_is_refused(engagement):
    with pytest.raises(ValidationError, match="must not be before the round opens"):
        open_round(engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 2, 1))
    assert not FollowupRound.objects.exists()


# ---- Schedules ------------------------------------------------------------------------------


def test_months_are_added_with_the_end_of_month_clamped():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_a_schedule_opens_each_round_once_on_its_day(engagement, cast):
    # given: a round every 3 months from 1 February, 21 days to answer, and one open measure
    make_measure(engagement)
    schedule = FollowupSchedule.objects.create(
        engagement=engagement, start_date=date(2026, 2, 1), cadence_months=3, response_days=21
    )
    # when / then
    assert services.open_scheduled_rounds(today=date(2026, 1, 31)) == []
    first = services.open_scheduled_rounds(today=date(2026, 2, 1))
    assert [(r.opens_on, r.due_date, r.period) for r in first] == [(date(2026, 2, 1), date(2026, 2, 22), 1)]
    assert services.open_scheduled_rounds(today=date(2026, 2, 1)) == []  # the same day again: nothing
    assert services.open_scheduled_rounds(today=date(2026, 4, 30)) == []
    second = services.open_scheduled_rounds(today=date(2026, 5, 1))
    assert [(r.opens_on, r.period) for r in second] == [(date(2026, 5, 1), 2)]
    first[0].refresh_from_db()
    assert first[0].closed_at is not None
    # a schedule with an end opens nothing after it
    schedule.end_date = date(2026, 6, 30)
    schedule.save()
    assert services.open_scheduled_rounds(today=date(2026, 8, 1)) == []


def test_a_period_missed_for_its_whole_window_is_skipped_not_opened_overdue(engagement, cast):
    make_measure(engagement)
    FollowupSchedule.objects.create(engagement=engagement, start_date=date(2025, 1, 10), cadence_months=6)
    # the job first runs in March 2026: the period of January 2026 ended in February
    assert services.open_scheduled_rounds(today=date(2026, 3, 1)) == []
    opened = services.open_scheduled_rounds(today=date(2026, 7, 10))
    assert [r.opens_on for r in opened] == [date(2026, 7, 10)]


def test_the_command_opens_the_scheduled_rounds_of_a_date(engagement, capsys):
    make_measure(engagement)
    FollowupSchedule.objects.create(engagement=engagement, start_date=date(2026, 2, 1))
    call_command("open_followup_rounds", "--date", "2026-02-01")
    assert "1 rounds opened" in capsys.readouterr().out
    assert FollowupRound.objects.get().opens_on == date(2026, 2, 1)


# ---- Figures for outcomes -------------------------------------------------------------------


def test_measure_status_counts_follow_the_api_definition(engagement, cast):
    statuses = ["implemented", "implemented", "partially_implemented", "in_progress", "cancelled", "not_started"]
    for status in statuses:
        measure = make_measure(engagement)
        if status != "not_started":
            services.status_update_save(
                measure=measure, round_=None, by=cast["manager"], status=status,
                progress_pct=100 if status == "implemented" else 0 if status == "cancelled" else 50,
                narrative="x", submit=True,
            )  # fmt: skip
    figures = selectors.measure_status_counts(Measure.objects.filter(engagement=engagement))
    assert figures["total"] == 6
    assert figures["by_status"] == {
        "not_started": 1,
        "in_progress": 1,
        "partially_implemented": 1,
        "implemented": 2,
        "not_implemented": 0,
        "cancelled": 1,
    }
    assert figures["implementation_rate"] == pytest.approx((2 + 0.5) / (6 - 1))


def test_implementation_rate_is_null_when_every_measure_is_cancelled_or_there_is_none(engagement, cast):
    assert selectors.measure_status_counts(Measure.objects.none())["implementation_rate"] is None
    measure = make_measure(engagement)
    services.status_update_save(
        measure=measure, round_=None, by=cast["manager"], status="cancelled", progress_pct=0, narrative="x", submit=True
    )
    figures = selectors.measure_status_counts(Measure.objects.filter(engagement=engagement))
    assert (figures["total"], figures["implementation_rate"]) == (1, None)


def test_compliance_counts_rounds_due_and_those_submitted_by_their_due_date(engagement, cast, settings):
    settings.TIME_ZONE = "America/Lima"
    rounds = [
        FollowupRound.objects.create(engagement=engagement, opens_on=date(2026, 1, 1), due_date=date(2026, 1, 31)),
        FollowupRound.objects.create(engagement=engagement, opens_on=date(2026, 2, 1), due_date=date(2026, 2, 28)),
        FollowupRound.objects.create(engagement=engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31)),
        FollowupRound.objects.create(engagement=engagement, opens_on=date(2026, 4, 1), due_date=date(2026, 4, 30)),
        FollowupRound.objects.create(engagement=engagement, opens_on=date(2026, 5, 1), due_date=date(2026, 5, 31)),
    ]
    # on time: 23:30 in Lima on the due date (already the next day in UTC)
    rounds[0].submitted_at = datetime(2026, 2, 1, 4, 30, tzinfo=UTC)
    rounds[1].submitted_at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # late
    # rounds[2] never submitted; rounds[3] due today (not yet due); rounds[4] in the future
    for round_ in rounds[:2]:
        round_.save()
    figures = selectors.followup_compliance(FollowupRound.objects.filter(engagement=engagement), date(2026, 4, 30))
    assert figures == {"rounds_due": 3, "rounds_submitted_on_time": 1, "compliance_rate": pytest.approx(1 / 3)}
    assert selectors.followup_compliance(FollowupRound.objects.none(), date(2026, 4, 30))["compliance_rate"] is None


def test_a_half_answered_questionnaire_is_refused_by_the_service_and_nothing_is_saved(engagement, cast):
    # given: two of the five questions answered
    round_ = open_round(engagement)

    # when / then
    with pytest.raises(ValidationError, match="Answer every question, or none"):
        services.round_indicators_save(
            round_=round_, by=cast["counterpart"], values={}, answers={"meetings": 4, "information_exchange": 3}
        )
    assert not CoordinationResponse.objects.filter(round=round_).exists()


def test_coordination_scores_and_indicator_values_per_round(engagement, cast):
    round_ = open_round(engagement)
    indicator = Indicator.objects.create(engagement=engagement, name="Inspections", unit="inspections")
    services.round_indicators_save(
        round_=round_,
        by=cast["counterpart"],
        values={indicator: (42, "Lima and Callao")},
        answers={"meetings": 4, "information_exchange": 3, "joint_operations": 2, "mechanism": 1, "industry": 0},
        comment="Quarterly meetings.",
    )
    rounds = FollowupRound.objects.filter(engagement=engagement)
    assert selectors.coordination_scores(rounds) == {round_.pk: 50.0}
    values = selectors.indicator_values_by_round(rounds)
    assert values[round_.pk][indicator.pk].value == 42
    assert selectors.indicator_totals(Indicator.objects.filter(pk=indicator.pk), rounds) == {indicator.pk: 42.0}
    assert round_.coordination.score == 50.0
