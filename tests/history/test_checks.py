"""The checks of a careful clerk: every error of every row at once, in the portal's own words; and
the importer's scope, where a country or record out of reach reads exactly like one that does not
exist."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.roles import Role
from assessments.services import unscored_message
from engagements.models import Engagement
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import MeasureStatus
from followups.models import StatusUpdate
from history import services
from history.models import HistoryImport
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.history.conftest import ASSESSMENT
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import MEASURE
from tests.history.conftest import ROUND
from tests.history.conftest import UPDATE
from tests.history.conftest import errors_of
from tests.history.conftest import run
from tests.history.conftest import small
from tests.history.conftest import upload
from tests.history.conftest import workbook

FUTURE = date(2999, 1, 1)
PAST_ONLY = "A day of the past cannot be in the future."
PHASES = "planning, assessment, roundtable, capacity_building, follow_up, closed"


def test_every_error_of_every_row_is_listed_at_once(manager):
    # given: a workbook with mistakes of every kind, several in some rows
    sheets = {
        "engagements": [
            ENGAGEMENT,  # row 2, fine
            {
                "ref": "E2",
                "country": "ZZ",
                "title": "Wrong in five ways",
                "programme": "nope",
                "start_date": date(2012, 5, 1),
                "end_date": date(2012, 1, 1),
                "phase": "finished",
                "phase_changed_on": FUTURE,
            },
            {**ENGAGEMENT, "title": None, "start_date": "soon"},  # row 4: E1 again
        ],
        "assessments": [
            {**ASSESSMENT, "status": "final"},  # row 2: no day it became final, one dimension scored
            {**ASSESSMENT, "ref": "A2", "engagement": "E9", "finalised_on": date(2011, 8, 1)},
            {
                **ASSESSMENT,
                "ref": "A3",
                "engagement": "E2",
                "start_date": date(2011, 5, 1),
                "end_date": date(2011, 4, 1),
            },
        ],
        "scores": [
            {"assessment": "A1", "dimension": "legal", "level": 2},
            {"assessment": "A1", "dimension": "legal", "level": 3},
            {"assessment": "A1", "dimension": "nonsense", "level": 2},
            {"assessment": "A1", "dimension": "trade", "level": 7},
            {"assessment": "A1", "dimension": "licensing", "level": "high"},
            {"assessment": "A9", "dimension": "legal", "level": 0},
        ],
        "measures": [
            MEASURE,
            {**MEASURE, "ref": "M2", "agreed_on": FUTURE, "due_date": date(2012, 1, 1), "priority": "urgent"},
        ],
        "rounds": [
            ROUND,
            {"ref": "R2", "engagement": "E1", "opened_on": date(2012, 9, 1), "due_date": date(2012, 8, 1)},
            {"ref": "R3", "engagement": "E2", "opened_on": FUTURE, "due_date": FUTURE},
        ],
        "updates": [
            UPDATE,  # row 2, fine
            {**UPDATE, "progress_pct": 150, "narrative": "", "verified_status": "implemented"},  # same pair as row 2
            {**UPDATE, "measure": "M2", "status": "implemented", "progress_pct": 80, "submitted_on": date(2012, 2, 1)}
            | {"verified_status": "implemented", "verified_on": date(2012, 1, 15)},
            {**UPDATE, "round": "R9", "status": "not_started", "progress_pct": 10, "submitted_on": FUTURE}
            | {"verified_status": None},
            {**UPDATE, "round": "R1", "measure": "M1", "status": "done", "progress_pct": "most"},
        ],
    }

    # when
    result = run(manager, workbook(**sheets), dry_run=True)

    # then: all of them, each on its sheet, row and column, and nothing saved
    legal = default_framework().dimensions.get(code="legal")
    assert result.status == "done"
    assert errors_of(result) == {
        ("engagements", 3, "country", "Unknown country “ZZ”."),
        ("engagements", 3, "programme", "Unknown programme “nope”."),
        ("engagements", 3, "end_date", "The end date must not be before the start date."),
        ("engagements", 3, "phase", f"“finished” is not one of: {PHASES}."),
        ("engagements", 3, "phase_changed_on", PAST_ONLY),
        ("engagements", 4, "ref", "The ref “E1” is already used on row 2 of this sheet."),
        ("engagements", 4, "title", "This cell is required."),
        ("engagements", 4, "start_date", "Not a date: give a date, or text such as 2014-03-31."),
        ("assessments", 2, "status", unscored_message(default_framework().dimensions.all(), {legal.pk})),
        ("assessments", 2, "finalised_on", "Give the day the assessment became final."),
        (
            "assessments",
            3,
            "engagement",
            "“E9” is neither a row of the “engagements” sheet nor a record imported before that you may change.",
        ),
        ("assessments", 3, "finalised_on", "Only a final assessment has a day it became final."),
        ("assessments", 4, "end_date", "The end date must not be before the start date."),
        ("scores", 3, "dimension", "This dimension is scored twice."),
        ("scores", 4, "dimension", "Unknown dimension “nonsense” for this framework."),
        ("scores", 5, "level", "The level must be a whole number from 1 to 5."),
        ("scores", 6, "level", "Not a whole number."),
        (
            "scores",
            7,
            "assessment",
            "“A9” is neither a row of the “assessments” sheet nor a record imported before that you may change.",
        ),
        ("scores", 7, "level", "The level must be a whole number from 1 to 5."),
        ("measures", 3, "priority", "“urgent” is not one of: high, medium, low."),
        ("measures", 3, "agreed_on", PAST_ONLY),
        ("measures", 3, "due_date", "The due date must not be before the day the measure was agreed."),
        ("rounds", 3, "due_date", "The due date must not be before the round opens."),
        ("rounds", 4, "opened_on", PAST_ONLY),
        ("rounds", 4, "due_date", PAST_ONLY),
        ("updates", 3, "measure", "This measure is already reported in this round on row 2."),
        ("updates", 3, "progress_pct", "Progress is a whole number from 0 to 100."),
        (
            "updates",
            3,
            "narrative",
            "Say what was done since the last report (the evidence alone is not enough).",
        ),
        (
            "updates",
            3,
            "verified_status",
            "A manager verifies the status reported: verified_status is the same as status.",
        ),
        ("updates", 4, "progress_pct", "An implemented measure is 100% done."),
        (
            "updates",
            4,
            "measure",
            "The measure was agreed after the round opened (2012-03-01): give the day it was agreed (agreed_on).",
        ),
        ("updates", 4, "submitted_on", "The report cannot be submitted before its round opened (2012-03-01)."),
        ("updates", 4, "verified_on", "The report cannot be verified before it was submitted."),
        (
            "updates",
            5,
            "round",
            "“R9” is neither a row of the “rounds” sheet nor a record imported before that you may change.",
        ),
        ("updates", 5, "progress_pct", "A measure not started is 0% done."),
        ("updates", 5, "submitted_on", "A report of the past cannot be dated in the future."),
        ("updates", 5, "verified_on", "Give both verified_status and verified_on, or neither."),
        ("updates", 5, "verified_on", "The report cannot be verified before it was submitted."),
        ("updates", 6, "measure", "This measure is already reported in this round on row 2."),
        ("updates", 6, "status", f"“done” is not one of: {', '.join(MeasureStatus.values)}."),
        ("updates", 6, "progress_pct", "Not a whole number."),
    }
    assert not Engagement.objects.filter(title=ENGAGEMENT["title"]).exists()


def test_the_errors_come_in_the_workbooks_order(manager):
    sheets = small(
        updates=[{**UPDATE, "progress_pct": 150}],
        engagements=[{**ENGAGEMENT, "country": "ZZ"}],
        measures=[{**MEASURE, "agreed_on": FUTURE}],
    )
    result = run(manager, workbook(**sheets), dry_run=True)
    assert [(e["sheet"], e["column"]) for e in result.errors] == [
        ("engagements", "country"),
        ("measures", "agreed_on"),
        ("measures", "due_date"),
        ("updates", "measure"),
        ("updates", "progress_pct"),
    ]


# ---- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TRAINER, Role.COUNTERPART, Role.VIEWER])
def test_only_managers_and_administrators_import(world, role):
    with pytest.raises(PermissionDenied):
        services.import_create(user=world.users[role], upload=upload(workbook(**small())), dry_run=True)
    assert not HistoryImport.objects.exists()


def _message(result, sheet: str, column: str, value: str) -> str:
    """The one error of the row, its value replaced by a placeholder."""
    (message,) = [e["message"] for e in result.errors if (e["sheet"], e["column"]) == (sheet, column)]
    return message.replace(value, "…")


def test_a_country_out_of_scope_reads_as_an_unknown_country(world, manager):
    other = run(manager, workbook(engagements=[{**ENGAGEMENT, "country": world.other}]))
    unknown = run(manager, workbook(engagements=[{**ENGAGEMENT, "country": "ZZ"}]))
    assert _message(other, "engagements", "country", world.other) == _message(unknown, "engagements", "country", "ZZ")
    assert not Engagement.objects.filter(title=ENGAGEMENT["title"]).exists()
    # and for whom it is in scope, it is a country like any other
    assert (
        run(world.users["global_manager"], workbook(engagements=[{**ENGAGEMENT, "country": world.other}])).errors == []
    )


def test_a_portal_id_out_of_scope_reads_as_a_missing_one(world, manager):
    # given: Colombia's engagement and measure, which Peru's manager does not reach, and an id nobody has
    theirs = make_measure(world.other_engagement, by=world.users["admin"])
    nobody = max(Engagement.objects.order_by("-pk").first().pk, theirs.pk) + 1000
    own = f"#{world.engagement.pk}"

    cases = [
        ("engagements", "ref", lambda pk: {**ENGAGEMENT, "ref": f"#{pk}"}, world.other_engagement.pk),
        ("measures", "engagement", lambda pk: {**MEASURE, "engagement": f"#{pk}"}, world.other_engagement.pk),
        ("measures", "ref", lambda pk: {**MEASURE, "ref": f"#{pk}", "engagement": own}, theirs.pk),
    ]
    for sheet, column, row, out_of_scope in cases:
        # when
        far = run(manager, workbook(**{sheet: [row(out_of_scope)]}))
        near = run(manager, workbook(**{sheet: [row(nobody)]}))
        # then
        assert _message(far, sheet, column, f"#{out_of_scope}") == _message(near, sheet, column, f"#{nobody}")
    theirs.refresh_from_db()
    assert theirs.title == "Adopt an inspection plan"


def test_a_ref_imported_in_a_country_out_of_scope_reads_as_an_unknown_ref(world, manager):
    # given: Colombia's history, imported by a manager of every country
    imported = run(
        world.users["global_manager"],
        workbook(engagements=[{**ENGAGEMENT, "ref": "CO-1", "country": world.other, "title": "Colombia"}]),
    )
    assert imported.errors == []

    # when: Peru's manager names that ref, and a ref nobody used
    far = run(manager, workbook(measures=[{**MEASURE, "engagement": "CO-1"}]))
    near = run(manager, workbook(measures=[{**MEASURE, "engagement": "XX-1"}]))

    # then: the same answer, and Colombia's engagement has no measure
    assert _message(far, "measures", "engagement", "CO-1") == _message(near, "measures", "engagement", "XX-1")
    assert not Measure.objects.filter(engagement__title="Colombia").exists()


def test_a_ref_of_several_countries_in_scope_asks_for_the_portal_id(world):
    manager = world.users["global_manager"]
    for country in (world.own, world.other):
        assert run(manager, workbook(engagements=[{**ENGAGEMENT, "country": country}])).errors == []
    result = run(manager, workbook(measures=[MEASURE]))
    assert errors_of(result) == {
        ("measures", 2, "engagement", "“E1” names records of several countries (CO, PE); give the portal id instead.")
    }


def test_records_made_in_the_portal_are_changed_only_as_the_portal_allows(world, manager):
    # given: a final assessment, and a round the portal ran, with a counterpart's report
    assessment = make_assessment(engagement=world.engagement, status="final", by=manager)
    measure = make_measure(world.engagement, by=manager)
    live = open_round(world.engagement, opens_on=date(2024, 1, 10), due_date=date(2024, 2, 10))
    counterpart_report = report(measure, live, world.users["counterpart"])
    engagement = f"#{world.engagement.pk}"
    in_live = {**UPDATE, "round": f"#{live.pk}", "measure": f"#{measure.pk}", "submitted_on": date(2024, 1, 20)}
    in_live |= {"verified_on": date(2024, 1, 25)}

    # when: a workbook changes the final assessment, and the report made in the portal
    result = run(
        manager,
        workbook(
            assessments=[
                {**ASSESSMENT, "ref": f"#{assessment.pk}", "engagement": engagement, "title": "Renamed"}
                | {"status": "final", "start_date": assessment.start_date, "end_date": assessment.end_date}
            ],
            updates=[in_live],
        ),
    )
    # and another moves the round
    moved = run(manager, workbook(rounds=[{**ROUND, "ref": f"#{live.pk}", "engagement": engagement}]))

    # then
    assert errors_of(result) == {
        ("assessments", 2, "status", "This assessment is final and can no longer be changed; reopen it first."),
        ("updates", 2, "round", "A report made in the portal cannot be changed by an import."),
    }
    assert errors_of(moved) == {
        ("rounds", 2, "ref", "This round was opened in the portal; an import cannot change it.")
    }
    assert FollowupRound.objects.get(pk=live.pk).opens_on == date(2024, 1, 10)
    assessment.refresh_from_db()
    counterpart_report.refresh_from_db()
    assert assessment.title != "Renamed" and counterpart_report.narrative == "Work started."


def test_a_report_of_the_past_goes_into_an_open_round_that_asks_about_its_measure(world, manager):
    # given: an open round of the portal asking about one measure, a measure it does not ask about,
    # and a round the portal closed
    asked = make_measure(world.engagement, title="Asked", by=manager)
    closed = open_round(world.engagement, opens_on=date(2023, 6, 1), due_date=date(2023, 7, 1))
    FollowupRound.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    live = open_round(world.engagement, opens_on=date(2024, 1, 10), due_date=date(2024, 2, 10))
    later = make_measure(world.engagement, title="Agreed later", by=manager)
    row = {**UPDATE, "round": f"#{live.pk}", "measure": f"#{asked.pk}", "submitted_on": date(2024, 1, 20)}
    row |= {"verified_on": date(2024, 1, 25)}

    # when
    refused = run(
        manager,
        workbook(
            updates=[
                {**row, "measure": f"#{later.pk}"},
                {**row, "round": f"#{closed.pk}", "submitted_on": date(2023, 6, 2)},
            ]
        ),
    )
    accepted = run(manager, workbook(updates=[row]))

    # then
    assert errors_of(refused) == {
        ("updates", 2, "measure", "This round does not ask about this measure."),
        (
            "updates",
            3,
            "round",
            "This round is closed: a report of the past goes into a round recorded after the fact, or into none.",
        ),
    }
    assert accepted.errors == []
    recorded = StatusUpdate.objects.get(round=live, measure=asked)
    assert (recorded.state, recorded.recorded_by, recorded.reviewed_by) == ("accepted", manager, manager)


def test_rows_of_one_engagement_cannot_name_another(manager):
    other = {**ENGAGEMENT, "ref": "E2", "title": "Second engagement"}
    sheets = small(
        engagements=[ENGAGEMENT, other],
        measures=[{**MEASURE, "engagement": "E2"}],
    )
    result = run(manager, workbook(**sheets))
    assert errors_of(result) == {("updates", 2, "round", "This round belongs to another engagement.")}


def test_a_report_in_a_round_whose_dates_cannot_be_read_gets_its_own_errors_only(manager):
    sheets = small(
        rounds=[{**ROUND, "opened_on": "last spring"}],
        updates=[{**UPDATE, "submitted_on": FUTURE, "verified_on": FUTURE}],
    )
    result = run(manager, workbook(**sheets))
    assert result.status == "done"
    assert errors_of(result) == {
        ("rounds", 2, "opened_on", "Not a date: give a date, or text such as 2014-03-31."),
        ("updates", 2, "submitted_on", "A report of the past cannot be dated in the future."),
        ("updates", 2, "verified_on", "A review of the past cannot be dated in the future."),
    }


def test_a_portal_id_too_big_for_any_record_is_a_missing_one(manager):
    huge = "#" + "9" * 30
    result = run(manager, workbook(measures=[{**MEASURE, "engagement": huge}]))
    assert errors_of(result) == {("measures", 2, "engagement", f"There is no record “{huge}” that you may change.")}


def test_hostile_numbers_and_ids_are_plain_errors(manager):
    sheets = small(
        measures=[{**MEASURE, "engagement": "#١٢"}],
        updates=[{**UPDATE, "progress_pct": "9" * 5000}],
        scores=[{"assessment": "#" + "1" * 5000, "dimension": "legal", "level": 2}],
    )
    result = run(manager, workbook(**sheets))
    assert result.status == "done"
    assert errors_of(result) == {
        ("scores", 2, "assessment", "A portal id is “#” followed by a number, such as #12."),
        ("measures", 2, "engagement", "A portal id is “#” followed by a number, such as #12."),
        ("updates", 2, "progress_pct", "Not a whole number."),
    }
