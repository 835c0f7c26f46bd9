"""Importing a history workbook: what it creates, with the dates given; a dry run that saves
nothing; importing again; portal ids; the audit trail; a big workbook."""

from datetime import date
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment
from assessments.models import DimensionScore
from assessments.models import StatusChange
from audit.models import AuditEntry
from engagements.models import Engagement
from engagements.models import PhaseChange
from followups import selectors
from followups import services as followup_services
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import RoundMeasure
from followups.models import StatusUpdate
from followups.models import UpdateState
from history.models import HistoryRef
from history.samples import sample_rows
from history.samples import sample_workbook
from history.services import audit_context
from tests.assessments.factories import default_framework
from tests.followups.factories import make_measure
from tests.history.conftest import ASSESSMENT
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import MEASURE
from tests.history.conftest import ROUND
from tests.history.conftest import UPDATE
from tests.history.conftest import errors_of
from tests.history.conftest import run
from tests.history.conftest import small
from tests.history.conftest import workbook

MODELS = (Engagement, PhaseChange, Assessment, StatusChange, DimensionScore, Measure, FollowupRound, StatusUpdate)
# The records the audit trail covers (phase and status changes are themselves a history).
AUDITED = (Engagement, Assessment, DimensionScore, Measure, FollowupRound, StatusUpdate)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (*MODELS, RoundMeasure, HistoryRef)}


def local_day(moment):
    return timezone.localdate(moment)


def final_assessment(**changes) -> dict:
    return {**ASSESSMENT, "status": "final", "finalised_on": date(2011, 8, 1), **changes}


def every_dimension(assessment: str = "A1", level: int = 3) -> list[dict]:
    return [
        {"assessment": assessment, "dimension": d.code, "level": level, "rationale": f"On {d.code}."}
        for d in default_framework().dimensions.all()
    ]


def test_a_workbook_becomes_records_with_the_dates_it_gives(manager):
    # given: a programme with a final assessment and a round answered late
    rounds = [ROUND, {"ref": "R2", "engagement": "E1", "opened_on": date(2012, 9, 1), "due_date": date(2012, 9, 30)}]
    second = {"ref": "M2", "engagement": "E1", "title": "Train inspectors", "agreed_on": date(2011, 9, 15)}
    updates = [
        UPDATE,
        {**UPDATE, "measure": "M2", "status": "not_started", "progress_pct": 0, "submitted_on": date(2012, 3, 25)}
        | {"verified_status": "not_started"},
        {**UPDATE, "round": "R2", "status": "implemented", "progress_pct": 100, "submitted_on": date(2012, 10, 12)}
        | {"verified_status": "implemented", "verified_on": date(2012, 10, 15)},
        {**UPDATE, "round": "R2", "measure": "M2", "status": "in_progress", "progress_pct": 10}
        | {"submitted_on": date(2012, 10, 20), "verified_status": None, "verified_on": None},
    ]
    data = workbook(
        **small(
            assessments=[final_assessment()],
            scores=every_dimension(),
            measures=[MEASURE, second],
            rounds=rounds,
            updates=updates,
        )
    )

    # when
    result = run(manager, data)

    # then: done, no errors, every row created
    assert (result.status, result.errors) == ("done", [])
    assert result.summary["updates"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert result.summary["scores"]["created"] == default_framework().dimensions.count()
    engagement = Engagement.objects.get(title=ENGAGEMENT["title"])
    assert (engagement.country_id, engagement.phase, engagement.start_date) == ("PE", "follow_up", date(2011, 3, 1))
    # the phase was entered on the day given, at noon of that local day
    change = engagement.phase_changes.get()
    assert (change.from_phase, change.to_phase, local_day(change.changed_at)) == ("", "follow_up", date(2012, 2, 1))
    assert timezone.localtime(change.changed_at).hour == 12 and change.changed_by == manager
    # the assessment became final on its day, through review, with the default framework
    assessment = Assessment.objects.get(engagement=engagement)
    assert (assessment.status, assessment.framework) == ("final", default_framework())
    steps = [(c.from_status, c.to_status, local_day(c.changed_at)) for c in assessment.status_changes.all()]
    assert steps == [
        ("", "draft", date(2011, 4, 4)),
        ("draft", "in_review", date(2011, 8, 1)),
        ("in_review", "final", date(2011, 8, 1)),
    ]
    # rounds: of the past, closed, asking about the measures reported, submitted on the last report
    first, late = FollowupRound.objects.filter(engagement=engagement).order_by("opens_on")
    assert (first.opens_on, first.due_date, local_day(first.opened_at)) == (
        date(2012, 3, 1),
        date(2012, 3, 31),
        date(2012, 3, 1),
    )
    assert first.recorded_by == manager and first.recorded_at is not None and first.schedule is None
    assert first.closed_at is not None and late.closed_at is not None
    assert set(first.measures.values_list("title", flat=True)) == {"Adopt an inspection plan", "Train inspectors"}
    assert local_day(first.submitted_at) == date(2012, 3, 25) and first.submitted_on_time
    assert local_day(late.submitted_at) == date(2012, 10, 20) and not late.submitted_on_time
    # compliance, from the existing selector: one round of two submitted on time
    rounds_of = FollowupRound.objects.filter(engagement=engagement)
    assert selectors.followup_compliance(rounds_of, date(2013, 1, 1)) == {
        "rounds_due": 2,
        "rounds_submitted_on_time": 1,
        "compliance_rate": 0.5,
    }
    # reports: dates as given, verified ones accepted, recorded after the fact by the importer
    report = StatusUpdate.objects.get(round=first, measure__title="Adopt an inspection plan")
    assert (local_day(report.submitted_at), local_day(report.reviewed_at)) == (date(2012, 3, 20), date(2012, 4, 2))
    assert (report.state, report.recorded_by, report.created_by) == (UpdateState.ACCEPTED, manager, manager)
    pending = StatusUpdate.objects.get(round=late, measure__title="Train inspectors")
    assert (pending.state, pending.reviewed_at) == (UpdateState.SUBMITTED, None)
    # measures: agreed on the day given; their status derived from the reports
    inspection = Measure.objects.get(title="Adopt an inspection plan")
    assert (inspection.agreed_on, inspection.priority, inspection.status) == (date(2011, 9, 15), "high", "implemented")
    assert (inspection.verified_status, local_day(inspection.verified_at)) == ("implemented", date(2012, 10, 15))
    training = Measure.objects.get(title="Train inspectors")
    assert (training.status, training.progress_pct, training.verified_status) == ("in_progress", 10, "not_started")


def test_the_bulk_derivation_of_a_measure_status_is_the_portals(manager):
    # given: imported reports, some verified, the latest of each measure waiting
    result = run(manager, sample_workbook(rows=300))
    assert result.errors == []

    # then: each measure says what its reports say, as the portal has always read them
    for measure in Measure.objects.all():
        updates = StatusUpdate.objects.filter(measure=measure).order_by("-submitted_at", "-pk")
        reported = updates.filter(state__in=[UpdateState.SUBMITTED, UpdateState.ACCEPTED]).first()
        verified = updates.filter(state=UpdateState.ACCEPTED).first()
        assert (measure.status, measure.progress_pct) == (reported.status, reported.progress_pct)
        assert (measure.verified_status, measure.verified_at) == (verified.status, verified.reviewed_at)
        assert measure.latest_update_id == updates.first().pk
    statuses = set(Measure.objects.values_list("status", flat=True))
    assert statuses == {"implemented", "partially_implemented", "in_progress"}
    # and each round is submitted as the portal judges it, one round at a time
    for round_ in FollowupRound.objects.all():
        submitted = round_.submitted_at
        assert submitted is not None
        followup_services.round_refresh_submission(round_)
        round_.refresh_from_db()
        assert round_.submitted_at == submitted


def test_a_dry_run_reports_the_same_and_saves_nothing(manager):
    # given
    before = counts()
    data = workbook(**small())

    # when
    dry = run(manager, data, dry_run=True)

    # then: the summary a real import gives, and nothing in the database
    assert (dry.status, dry.errors, dry.dry_run) == ("done", [], True)
    assert counts() == before
    real = run(manager, data)
    assert real.summary == dry.summary
    assert counts() != before


def test_a_workbook_with_one_error_saves_nothing_at_all(manager):
    before = counts()
    result = run(manager, workbook(**small(updates=[{**UPDATE, "progress_pct": 140}])))
    assert result.status == "done"
    assert errors_of(result) == {("updates", 2, "progress_pct", "Progress is a whole number from 0 to 100.")}
    assert counts() == before


def test_importing_the_same_workbook_again_creates_nothing(manager):
    # given
    data = workbook(**small(assessments=[final_assessment()], scores=every_dimension()))
    first = run(manager, data)
    assert first.errors == []
    before = counts()

    # when
    again = run(manager, data)

    # then
    assert again.errors == []
    assert counts() == before
    assert all(figures["created"] == figures["updated"] == 0 for figures in again.summary.values())
    assert again.summary["scores"]["unchanged"] == default_framework().dimensions.count()


def test_an_edited_workbook_updates_the_records_it_names(manager):
    # given: imported
    run(manager, workbook(**small()))
    measure = Measure.objects.get(title=MEASURE["title"])

    # when: a title, a phase and a report change
    edited = small(
        engagements=[{**ENGAGEMENT, "phase": "closed", "phase_changed_on": date(2016, 12, 15)}],
        measures=[{**MEASURE, "title": "Adopt and apply an inspection plan"}],
        updates=[{**UPDATE, "status": "implemented", "progress_pct": 100, "verified_status": "implemented"}],
    )
    result = run(manager, workbook(**edited))

    # then: the same records, changed
    assert result.errors == []
    assert result.summary["measures"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.summary["rounds"] == {"created": 0, "updated": 0, "unchanged": 1}
    measure.refresh_from_db()
    assert (measure.title, measure.status, measure.verified_status) == ("Adopt and apply an inspection plan",) + (
        "implemented",
    ) * 2
    changes = [(c.from_phase, c.to_phase, local_day(c.changed_at)) for c in PhaseChange.objects.order_by("changed_at")]
    assert changes == [("", "follow_up", date(2012, 2, 1)), ("follow_up", "closed", date(2016, 12, 15))]


# The world's engagement starts on 15 January 2025: its rounds of the past come after.
IN_2025 = {"opened_on": date(2025, 3, 1), "due_date": date(2025, 3, 31)}
REPORTED_IN_2025 = {"submitted_on": date(2025, 3, 20), "verified_on": date(2025, 4, 2)}


def test_portal_ids_name_records_already_in_the_portal(world, manager):
    # given: an engagement and a measure made in the portal
    measure = make_measure(world.engagement, title="Made in the portal", by=manager)

    # when: a workbook adds an assessment and a past round to them, and renames the measure
    result = run(
        manager,
        workbook(
            assessments=[{**ASSESSMENT, "engagement": f"#{world.engagement.pk}"}],
            measures=[
                {"ref": f"#{measure.pk}", "engagement": f"#{world.engagement.pk}", "title": "Renamed"}
                | {"agreed_on": date(2025, 2, 1)}
            ],
            rounds=[{"ref": "R1", "engagement": f"#{world.engagement.pk}"} | IN_2025],
            updates=[{**UPDATE, "measure": f"#{measure.pk}"} | REPORTED_IN_2025],
        ),
    )

    # then
    assert result.errors == []
    assert result.summary["measures"] == {"created": 0, "updated": 1, "unchanged": 0}
    measure.refresh_from_db()
    assert (measure.title, measure.status) == ("Renamed", "in_progress")
    assert Assessment.objects.get(title=ASSESSMENT["title"]).engagement == world.engagement
    # no ref is recorded for a record named by its id
    assert not HistoryRef.objects.filter(sheet="measures").exists()


def test_every_imported_row_is_in_the_audit_trail_as_the_import(postgres, manager):
    # given
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in AUDITED}
    result = run(manager, workbook(**small()))
    assert result.errors == []
    context = audit_context(result.sha256)
    assert context == f"history import {result.sha256}" and len(result.sha256) == 64

    # then: each record created is an entry of the importer with the workbook's checksum
    entries = AuditEntry.objects.filter(context=context, action=AuditEntry.Action.INSERT)
    for model in AUDITED:
        for obj in model.objects.exclude(pk__in=before[model]):
            entry = entries.get(model=model._meta.label_lower, object_pk=str(obj.pk))
            assert entry.actor_id == manager.pk
            assert entry.countries == ",PE,"
    # and the derived status of the measure is an update under the same context
    measure = Measure.objects.get()
    assert AuditEntry.objects.filter(
        context=context, action=AuditEntry.Action.UPDATE, model="followups.measure", object_pk=str(measure.pk)
    ).exists()


def test_a_ten_thousand_row_sample_imports_in_a_fixed_number_of_queries(postgres, manager):
    # given: the benchmark's workbook (and a tenth of it)
    rows = sample_rows(rows=10_000)
    assert 9_900 <= sum(len(sheet) for sheet in rows.values()) <= 10_100
    assert len(rows["measures"]) + len(rows["rounds"]) + len(rows["updates"]) > 9_000

    # when
    with CaptureQueriesContext(connection) as big:
        result = run(manager, sample_workbook(rows=10_000))
    with CaptureQueriesContext(connection) as small_one:
        other = run(manager, sample_workbook(rows=1_000, prefix="S"))

    # then: every row created; the queries grow with the batches written, not with the rows
    assert (result.status, result.errors, other.errors) == ("done", [], [])
    assert sum(figures["created"] for figures in result.summary.values()) == sum(len(s) for s in rows.values())
    assert len(big) < 120
    assert len(big) - len(small_one) < 40


@pytest.mark.clock_sensitive
def test_a_round_of_the_past_is_recorded_closed_and_never_reminds(manager):
    # given: a round of last month, whose report came a day after it opened
    opened = timezone.localdate() - timedelta(days=40)
    data = workbook(
        engagements=[ENGAGEMENT],
        measures=[MEASURE],
        rounds=[{**ROUND, "opened_on": opened, "due_date": opened + timedelta(days=30)}],
        updates=[{**UPDATE, "submitted_on": opened + timedelta(days=1), "verified_on": opened + timedelta(days=2)}],
    )

    # when
    result = run(manager, data)

    # then: closed as it was recorded, submitted on the day of its report, waiting for nobody
    assert result.errors == []
    round_ = FollowupRound.objects.get()
    assert round_.closed_at == round_.recorded_at
    assert (round_.opened_by, round_.recorded_by) == (manager, manager)
    assert local_day(round_.submitted_at) == opened + timedelta(days=1)
    assert not FollowupRound.objects.active().exists()


def test_a_record_deleted_since_its_import_is_made_again_under_its_ref(manager):
    # given: imported, then the measure deleted in the portal
    data = workbook(engagements=[ENGAGEMENT], measures=[MEASURE])
    run(manager, data)
    Measure.objects.get(title=MEASURE["title"]).delete()

    # when
    again = run(manager, data)

    # then: made again, and its ref now names the new one
    assert again.errors == []
    assert again.summary["measures"] == {"created": 1, "updated": 0, "unchanged": 0}
    measure = Measure.objects.get(title=MEASURE["title"])
    assert HistoryRef.objects.get(sheet="measures", ref="M1").object_id == measure.pk
    assert run(manager, data).summary["measures"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_round_of_the_past_keeps_the_portals_rules_for_one(manager):
    rounds = [
        ROUND,
        {**ROUND, "ref": "R2"},  # the same day as R1
        {**ROUND, "ref": "R3", "opened_on": date(2010, 1, 1), "due_date": date(2010, 2, 1)},
    ]
    result = run(manager, workbook(engagements=[ENGAGEMENT], rounds=rounds))
    assert errors_of(result) == {
        ("rounds", 3, "opened_on", "The engagement already has a round opening on this day."),
        ("rounds", 4, "opened_on", "The round cannot open before the engagement started (2011-03-01)."),
    }
