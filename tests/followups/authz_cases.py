"""Authorization cases of every follow-up page and endpoint (see tests/authz.py).

Readers: every role of the country. Reporters (status updates, drafts, indicators): admins,
managers and counterparts. Verifiers and organisers (measures, schedules, rounds, reviews):
admins and managers. Evidence files: admins, managers and counterparts; anyone else gets 404.
"""

from datetime import date
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments.models import Roundtable
from followups.models import Measure
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped
from tests.followups.factories import setup_followups

# Their rounds open today and their forms post dates from today: the authorization matrix marks
# these cases clock_sensitive, so `make test-clocks` runs them on other days.
CLOCK_SENSITIVE = True

EVERYONE = {role: same(200) for role in ("admin", "manager", "trainer", "counterpart", "viewer")}
READ = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(200),
    "counterpart": scoped(200),
    "viewer": scoped(200),
}


def managing(status: int) -> dict:
    return {
        "admin": same(status),
        "manager": scoped(status),
        "trainer": scoped(403),
        "counterpart": scoped(403),
        "viewer": scoped(403),
    }


def reporting(status: int) -> dict:
    return {
        "admin": same(status),
        "manager": scoped(status),
        "trainer": scoped(403),
        "counterpart": scoped(status),
        "viewer": scoped(403),
    }


def evidence_readers(status: int) -> dict:
    return {
        "admin": same(status),
        "manager": scoped(status),
        "trainer": same(404),
        "counterpart": scoped(status),
        "viewer": same(404),
    }


def creating(status: int) -> dict:
    """API creation: a reference to the other country's object is refused as a field error (400)."""
    return {
        "admin": same(status),
        "manager": (status, 400),
        "trainer": same(403),
        "counterpart": same(403),
        "viewer": same(403),
    }


def setup(world) -> None:
    setup_followups(world)
    for side, engagement in (("", world.engagement), ("other_", world.other_engagement)):
        setattr(
            world,
            f"{side}roundtable",
            Roundtable.objects.create(engagement=engagement, title="Roundtable", date=date(2026, 3, 1)),
        )


def past_setup(world) -> None:
    """The standard follow-up data, its measures agreed in the past (so a round of the past may ask about them)."""
    setup(world)
    Measure.objects.filter(engagement__in=[world.engagement, world.other_engagement]).update(agreed_on=date(2025, 3, 1))


def _past_round_form(world, side):
    return {"opens_on": "2025-06-02", "due_date": "2025-06-30"}


def _past_report_form(world, side):
    return {
        "submitted_on": "2025-07-01",
        "status": "in_progress",
        "progress_pct": "10",
        "narrative": "Reported then.",
        "verified_on": "2025-07-02",
    }


def page(route: str, name: str, *extra: str):
    def url(world, side):
        return reverse(f"followups:{route}", args=[obj(world, side, name).pk, *(obj(world, side, e).pk for e in extra)])

    return url


def api(template: str, name: str):
    return lambda world, side: template.format(pk=obj(world, side, name).pk)


def _due(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _report_form(world, side):
    return {"action": "draft", "status": "in_progress", "progress_pct": "20", "narrative": "Working on it."}


def _measure_form(world, side):
    return {"title": "A new measure", "priority": "medium"}


def _schedule_form(world, side):
    return {
        "start_date": timezone.localdate().isoformat(),
        "cadence_months": "6",
        "response_days": "30",
        "active": "on",
    }


def _indicator_form(world, side):
    return {"name": "Seizures", "unit": "kg", "order": "0", "active": "on"}


def _status_update_post(world, side):
    return {
        "measure": obj(world, side, "second_measure").pk,
        "round": obj(world, side, "round").pk,
        "status": "in_progress",
        "progress_pct": 10,
        "narrative": "Started.",
    }


CASES = [
    Case(
        "followups follow-up overview",
        "followups:index",
        "GET",
        lambda w, s: reverse("followups:index"),
        EVERYONE,
        setup=setup,
    ),
    Case(
        "followups verification inbox",
        "followups:inbox",
        "GET",
        lambda w, s: reverse("followups:inbox"),
        {"admin": same(200), "manager": same(200), "trainer": same(403), "counterpart": same(403), "viewer": same(403)},
        setup=setup,
    ),
    Case("followups follow-up board", "followups:board", "GET", page("board", "engagement"), READ, setup=setup),
    Case(
        "followups new measure page",
        "followups:measure_create",
        "GET",
        page("measure_create", "engagement"),
        managing(200),
    ),
    Case(
        "followups new measure",
        "followups:measure_create",
        "POST",
        page("measure_create", "engagement"),
        managing(302),
        data=_measure_form,
    ),
    Case(
        "followups schedule page", "followups:schedule_edit", "GET", page("schedule_edit", "engagement"), managing(200)
    ),
    Case(
        "followups schedule saved",
        "followups:schedule_edit",
        "POST",
        page("schedule_edit", "engagement"),
        managing(302),
        data=_schedule_form,
    ),
    Case(
        "followups open round page",
        "followups:round_create",
        "GET",
        page("round_create", "engagement"),
        managing(200),
        setup=setup,
    ),
    Case(
        "followups round opened",
        "followups:round_create",
        "POST",
        page("round_create", "engagement"),
        managing(302),
        data=lambda w, s: {"due_date": _due()},
        setup=setup,
    ),
    Case(
        "followups record a round of the past page",
        "followups:round_record",
        "GET",
        page("round_record", "engagement"),
        managing(200),
        setup=setup,
    ),
    Case(
        "followups round of the past recorded",
        "followups:round_record",
        "POST",
        page("round_record", "engagement"),
        managing(302),
        data=_past_round_form,
        setup=past_setup,
    ),
    Case(
        "followups indicators page", "followups:indicators", "GET", page("indicators", "engagement"), READ, setup=setup
    ),
    Case(
        "followups new indicator page",
        "followups:indicator_create",
        "GET",
        page("indicator_create", "engagement"),
        managing(200),
    ),
    Case(
        "followups indicator created",
        "followups:indicator_create",
        "POST",
        page("indicator_create", "engagement"),
        managing(302),
        data=_indicator_form,
    ),
    Case(
        "followups indicator edit page",
        "followups:indicator_edit",
        "GET",
        page("indicator_edit", "indicator"),
        managing(200),
        setup=setup,
    ),
    Case(
        "followups measure history",
        "followups:measure_detail",
        "GET",
        page("measure_detail", "measure"),
        READ,
        setup=setup,
    ),
    Case(
        "followups status recorded by a manager",
        "followups:measure_detail",
        "POST",
        page("measure_detail", "second_measure"),
        managing(302),
        data=lambda w, s: {"status": "cancelled", "progress_pct": "0", "narrative": "No longer relevant."},
        setup=setup,
    ),
    Case(
        "followups measure edit page",
        "followups:measure_edit",
        "GET",
        page("measure_edit", "measure"),
        managing(200),
        setup=setup,
    ),
    Case(
        "followups measure edited",
        "followups:measure_edit",
        "POST",
        page("measure_edit", "measure"),
        managing(302),
        data=lambda w, s: {"title": "Renamed measure", "priority": "high"},
        setup=setup,
    ),
    Case(
        "followups record a report of the past page",
        "followups:update_record",
        "GET",
        page("update_record", "measure"),
        managing(200),
        setup=setup,
    ),
    Case(
        "followups report of the past recorded",
        "followups:update_record",
        "POST",
        page("update_record", "second_measure"),
        managing(302),
        data=_past_report_form,
        setup=setup,
    ),
    Case("followups round page", "followups:round_detail", "GET", page("round_detail", "round"), READ, setup=setup),
    Case(
        "followups report form",
        "followups:update_save",
        "GET",
        page("update_save", "round", "second_measure"),
        reporting(200),
        setup=setup,
    ),
    Case(
        "followups report draft saved",
        "followups:update_save",
        "POST",
        page("update_save", "round", "second_measure"),
        reporting(302),
        data=_report_form,
        setup=setup,
    ),
    Case(
        "followups indicators and questionnaire form",
        "followups:round_indicators",
        "GET",
        page("round_indicators", "round"),
        reporting(200),
        setup=setup,
    ),
    Case(
        "followups indicators and questionnaire saved",
        "followups:round_indicators",
        "POST",
        page("round_indicators", "round"),
        reporting(302),
        data=lambda w, s: {f"value_{obj(w, s, 'indicator').pk}": "12"},
        setup=setup,
    ),
    Case(
        "followups round closed",
        "followups:round_close",
        "POST",
        page("round_close", "round"),
        managing(302),
        setup=setup,
    ),
    Case("followups report page", "followups:update_detail", "GET", page("update_detail", "update"), READ, setup=setup),
    Case(
        "followups report verified",
        "followups:update_detail",
        "POST",
        page("update_detail", "update"),
        managing(302),
        data=lambda w, s: {"decision": "accept"},
        setup=setup,
    ),
    Case(
        "followups draft report page (drafts are for reporters)",
        "followups:update_detail",
        "GET",
        page("update_detail", "draft"),
        {**reporting(200), "trainer": same(404), "viewer": same(404)},
        setup=setup,
    ),
    Case(
        "followups evidence download",
        "followups:evidence_download",
        "GET",
        page("evidence_download", "evidence"),
        evidence_readers(200),
        setup=setup,
    ),
    Case(
        "followups evidence removed from a draft",
        "followups:evidence_delete",
        "POST",
        page("evidence_delete", "draft_evidence"),
        evidence_readers(302),
        setup=setup,
    ),
    Case(
        "followups roundtable measures page",
        "followups:roundtable_measures",
        "GET",
        page("roundtable_measures", "roundtable"),
        {
            "admin": same(200),
            "manager": scoped(200),
            "trainer": same(404),
            "counterpart": scoped(200),
            "viewer": same(404),
        },
        setup=setup,
    ),
    Case(
        "followups roundtable measure added",
        "followups:roundtable_measures",
        "POST",
        page("roundtable_measures", "roundtable"),
        {
            "admin": same(302),
            "manager": scoped(302),
            "trainer": same(404),
            "counterpart": scoped(403),
            "viewer": same(404),
        },
        data=lambda w, s: {"title": "Agreed measure", "priority": "medium"},
        setup=setup,
    ),
    # API
    Case(
        "followups API measure list",
        "measure-list",
        "GET",
        lambda w, s: "/api/v1/measures/",
        EVERYONE,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API measure create",
        "measure-list",
        "POST",
        lambda w, s: "/api/v1/measures/",
        creating(201),
        data=lambda w, s: {"engagement": obj(w, s, "engagement").pk, "title": "New measure"},
        api=True,
    ),
    Case(
        "followups API measure detail",
        "measure-detail",
        "GET",
        api("/api/v1/measures/{pk}/", "measure"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API measure change",
        "measure-detail",
        "PATCH",
        api("/api/v1/measures/{pk}/", "measure"),
        managing(200),
        data=lambda w, s: {"title": "Renamed"},
        api=True,
        setup=setup,
    ),
    Case(
        "followups API round list",
        "followup-round-list",
        "GET",
        lambda w, s: "/api/v1/followup-rounds/",
        EVERYONE,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API round open",
        "followup-round-list",
        "POST",
        lambda w, s: "/api/v1/followup-rounds/",
        creating(201),
        data=lambda w, s: {"engagement": obj(w, s, "engagement").pk, "due_date": _due()},
        api=True,
    ),
    Case(
        "followups API round of the past recorded",
        "followup-round-list",
        "POST",
        lambda w, s: "/api/v1/followup-rounds/",
        creating(201),
        data=lambda w, s: {
            "engagement": obj(w, s, "engagement").pk,
            "recorded_after_the_fact": True,
            "opens_on": "2025-06-02",
            "due_date": "2025-06-30",
        },
        api=True,
        setup=past_setup,
    ),
    Case(
        "followups API round detail",
        "followup-round-detail",
        "GET",
        api("/api/v1/followup-rounds/{pk}/", "round"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API round close",
        "followup-round-close",
        "POST",
        api("/api/v1/followup-rounds/{pk}/close/", "round"),
        managing(200),
        api=True,
        setup=setup,
    ),
    Case(
        "followups API status update list",
        "status-update-list",
        "GET",
        lambda w, s: "/api/v1/status-updates/",
        EVERYONE,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API status update posted",
        "status-update-list",
        "POST",
        lambda w, s: "/api/v1/status-updates/",
        {
            "admin": same(201),
            "manager": (201, 400),
            "trainer": same(403),
            "counterpart": (201, 400),
            "viewer": same(403),
        },
        data=_status_update_post,
        api=True,
        setup=setup,
    ),
    Case(
        # Recording a report of the past is a manager's task: a counterpart is refused before validation.
        "followups API report of the past recorded",
        "status-update-list",
        "POST",
        lambda w, s: "/api/v1/status-updates/",
        creating(201),
        data=lambda w, s: {
            "measure": obj(w, s, "second_measure").pk,
            "status": "in_progress",
            "progress_pct": 10,
            "narrative": "Reported then.",
            "submitted_on": "2025-07-01",
            "verified_on": "2025-07-02",
        },
        api=True,
        setup=setup,
    ),
    Case(
        "followups API status update detail",
        "status-update-detail",
        "GET",
        api("/api/v1/status-updates/{pk}/", "update"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "followups API draft submitted",
        "status-update-submit",
        "POST",
        api("/api/v1/status-updates/{pk}/submit/", "draft"),
        {**reporting(200), "trainer": same(404), "viewer": same(404)},
        api=True,
        setup=setup,
    ),
    Case(
        "followups API report reviewed",
        "status-update-review",
        "POST",
        api("/api/v1/status-updates/{pk}/review/", "update"),
        managing(200),
        data=lambda w, s: {"decision": "accept"},
        api=True,
        setup=setup,
    ),
    Case(
        # A JSON body carries no file: allowed callers get 400 (file missing), the others 403/404 first.
        "API evidence added to a draft",
        "status-update-evidence",
        "POST",
        api("/api/v1/status-updates/{pk}/evidence/", "draft"),
        {**reporting(400), "trainer": same(404), "viewer": same(404)},
        api=True,
        setup=setup,
    ),
    Case(
        "followups API evidence download",
        "followup-evidence-download",
        "GET",
        api("/api/v1/followup-evidence/{pk}/download/", "evidence"),
        evidence_readers(200),
        api=True,
        setup=setup,
    ),
]
