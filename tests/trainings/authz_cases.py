"""Every trainings page and endpoint, for each role, on a session of the own country (PE, with the
PE trainer assigned) and one of the other country (CO, nobody of the world assigned).

Readers of a session: admins, managers, counterparts and viewers of its countries, and its
assigned trainers. Those who run it (names, scores, certificates): admins, managers of its
countries and its trainers; counterparts and viewers see figures only (403 on those pages).
"""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped
from tests.trainings.factories import CourseFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from tests.trainings.factories import exam_form
from trainings.models import Certificate

READERS = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(200),
    "counterpart": scoped(200),
    "viewer": scoped(200),
}
RUNNERS = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(200),
    "counterpart": scoped(403),
    "viewer": scoped(403),
}
RUNNERS_REDIRECT = {role: tuple(302 if s == 200 else s for s in pair) for role, pair in RUNNERS.items()}
PLANNERS = {
    "admin": same(200),
    "manager": same(200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}
EVERYONE = {role: same(200) for role in READERS}
# Revoking a certificate: managers of the session's countries and admins, not its trainers.
REVOKERS = {**RUNNERS, "trainer": scoped(403)}


def setup(world):
    """A course, and in each country a session with one scored participant, an exam form and a certificate."""
    world.course = CourseFactory(title="Risk profiling of chemical shipments")
    world.other_course = world.course  # the catalogue is shared: same answers on both sides
    world.session = SessionFactory(
        course=world.course, engagement=world.engagement, trainers=[world.users["trainer"]], title="Own session"
    )
    world.other_session = SessionFactory(course=world.course, engagement=world.other_engagement, title="Other session")
    for side in ("", "other_"):
        session = getattr(world, f"{side}session")
        person = getattr(world, f"{side}person")
        enrolment = EnrolmentFactory(
            session=session, person=person, pre_score=Decimal(20), post_score=Decimal(40), days_attended=5
        )
        setattr(world, f"{side}enrolment", enrolment)
        setattr(world, f"{side}exam_form", exam_form(session))
        setattr(world, f"{side}certificate", Certificate.objects.create(enrolment=enrolment))


def session_url(name, *extra):
    return lambda w, s: reverse(f"trainings:{name}", args=[obj(w, s, "session").pk, *extra])


def _certificate_url(name):
    return lambda w, s: reverse(f"trainings:{name}", args=[obj(w, s, "session").pk, obj(w, s, "certificate").pk])


def _form_url(name, *extra):
    return lambda w, s: reverse(f"trainings:{name}", args=[obj(w, s, "session").pk, obj(w, s, "exam_form").pk, *extra])


def _result_rows(world, side):
    person = obj(world, side, "person")
    return [{"person": {"id": person.pk}, "pre_score": 25, "post_score": 45}]


def _quiz_upload(world, side):
    """A Moodle quiz Grades report (the sessions are graded out of 50) with the side's participant."""
    person = obj(world, side, "person")
    text = (
        "Surname,First name,Email address,State,Started on,Completed,Time taken,Grade/50.00\n"
        f"Doe,Jane,{person.email},Finished,3 March 2025  10:15 AM,3 March 2025  10:40 AM,25 mins,41.00\n"
    )
    return {
        "file": SimpleUploadedFile("grades.csv", text.encode(), content_type="text/csv"),
        "exam": "post",
        "source": "moodle",
        "dry_run": "true",
    }


def _case(name, route, url, expected, **kwargs):
    return Case(name, route, kwargs.pop("method", "GET"), url, expected, setup=setup, **kwargs)


CASES = [
    # Pages
    _case("session list page", "trainings:session_list", lambda w, s: reverse("trainings:session_list"), EVERYONE),
    _case("training statistics page", "trainings:statistics", lambda w, s: reverse("trainings:statistics"), EVERYONE),
    _case(
        "session create page", "trainings:session_create", lambda w, s: reverse("trainings:session_create"), PLANNERS
    ),
    _case("session detail page", "trainings:session_detail", session_url("session_detail"), READERS),
    _case("session edit page", "trainings:session_edit", session_url("session_edit"), RUNNERS),
    _case("session invitation", "trainings:session_invitation", session_url("session_invitation"), READERS),
    _case("participants page", "trainings:participants", session_url("participants"), RUNNERS),
    _case("new participant page", "trainings:participant_create", session_url("participant_create"), RUNNERS),
    _case(
        "remove participant",
        "trainings:participant_remove",
        lambda w, s: reverse("trainings:participant_remove", args=[obj(w, s, "session").pk, obj(w, s, "enrolment").pk]),
        RUNNERS_REDIRECT,
        method="POST",
        data=lambda w, s: {},
    ),
    _case("attendance page", "trainings:attendance", session_url("attendance"), RUNNERS),
    _case("score grid page", "trainings:scores", session_url("scores"), RUNNERS),
    _case(
        "score grid preview",
        "trainings:score_preview",
        session_url("score_preview"),
        RUNNERS,
        method="POST",
        data=lambda w, s: {f"pre_score-{obj(w, s, 'enrolment').pk}": "30"},
    ),
    _case(
        "score grid save",
        "trainings:scores",
        session_url("scores"),
        RUNNERS_REDIRECT,
        method="POST",
        data=lambda w, s: {
            f"pre_score-{obj(w, s, 'enrolment').pk}": "30",
            f"post_score-{obj(w, s, 'enrolment').pk}": "45",
        },
    ),
    _case("score history page", "trainings:score_history", session_url("score_history"), RUNNERS),
    _case("import page", "trainings:import", session_url("import"), RUNNERS),
    _case("online quiz import page", "trainings:quiz_import", session_url("quiz_import"), RUNNERS),
    _case(
        "online quiz import check",
        "trainings:quiz_import",
        session_url("quiz_import"),
        RUNNERS,
        method="POST",
        data=_quiz_upload,
    ),
    _case("results template (XLSX)", "trainings:results_download", session_url("results_download", "xlsx"), RUNNERS),
    _case("results export (CSV)", "trainings:results_download", session_url("results_download", "csv"), RUNNERS),
    _case("exam forms page", "trainings:exam_forms", session_url("exam_forms"), RUNNERS),
    _case("exam form questions page", "trainings:exam_form_edit", _form_url("exam_form_edit"), RUNNERS),
    _case("question scores page", "trainings:item_scores", _form_url("item_scores", "post"), RUNNERS),
    _case("session results page", "trainings:session_results", session_url("session_results"), READERS),
    _case("certificates page", "trainings:certificates", session_url("certificates"), RUNNERS),
    _case(
        "prepare a certificate's PDF",
        "trainings:certificate_action",
        lambda w, s: reverse(
            "trainings:certificate_action",
            args=[obj(w, s, "session").pk, obj(w, s, "certificate").pk, "pdf"],
        ),
        RUNNERS_REDIRECT,
        method="POST",
        data=lambda w, s: {},
    ),
    _case("revoke certificate page", "trainings:certificate_revoke", _certificate_url("certificate_revoke"), REVOKERS),
    _case(
        "revoke certificate",
        "trainings:certificate_revoke",
        _certificate_url("certificate_revoke"),
        {role: tuple(302 if s == 200 else s for s in pair) for role, pair in REVOKERS.items()},
        method="POST",
        data=lambda w, s: {"reason": "Issued to the wrong participant."},
    ),
    _case("course list page", "trainings:course_list", lambda w, s: reverse("trainings:course_list"), EVERYONE),
    _case(
        "course detail page",
        "trainings:course_detail",
        lambda w, s: reverse("trainings:course_detail", args=[w.course.pk]),
        EVERYONE,
    ),
    _case("course create page", "trainings:course_create", lambda w, s: reverse("trainings:course_create"), PLANNERS),
    _case(
        "course edit page",
        "trainings:course_edit",
        lambda w, s: reverse("trainings:course_edit", args=[w.course.pk]),
        PLANNERS,
    ),
    _case(
        "public certificate check",
        "reports:verify",
        lambda w, s: reverse("reports:verify", args=[obj(w, s, "certificate").code]),
        EVERYONE,
        anonymous=200,
    ),
    _case(
        "public certificate check form",
        "reports:verify_form",
        lambda w, s: reverse("reports:verify_form"),
        EVERYONE,
        anonymous=200,
    ),
    # API
    _case("API course list", "course-list", lambda w, s: "/api/v1/courses/", EVERYONE, api=True),
    _case("API course detail", "course-detail", lambda w, s: f"/api/v1/courses/{w.course.pk}/", EVERYONE, api=True),
    _case(
        "API training session list",
        "trainingsession-list",
        lambda w, s: "/api/v1/training-sessions/",
        EVERYONE,
        api=True,
    ),
    _case(
        "API training session detail",
        "trainingsession-detail",
        lambda w, s: f"/api/v1/training-sessions/{obj(w, s, 'session').pk}/",
        READERS,
        api=True,
    ),
    _case(
        "API training session change",
        "trainingsession-detail",
        lambda w, s: f"/api/v1/training-sessions/{obj(w, s, 'session').pk}/",
        RUNNERS,
        api=True,
        method="PATCH",
        data=lambda w, s: {"venue": "Lima, Hotel Bolívar"},
    ),
    _case(
        "API training session create",
        "trainingsession-list",
        lambda w, s: "/api/v1/training-sessions/",
        {
            "admin": same(201),
            "manager": (201, 400),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        api=True,
        method="POST",
        data=lambda w, s: {
            "title": "Webinar on pre-export notifications",
            "kind": "webinar",
            "modality": "virtual",
            "start_date": "2026-03-02",
            "end_date": "2026-03-02",
            "countries": [w.own if s == "own" else w.other],
        },
    ),
    _case(
        "API session results list",
        "trainingsession-results",
        lambda w, s: f"/api/v1/training-sessions/{obj(w, s, 'session').pk}/results/",
        RUNNERS,
        api=True,
    ),
    _case(
        "API session results upsert",
        "trainingsession-results",
        lambda w, s: f"/api/v1/training-sessions/{obj(w, s, 'session').pk}/results/",
        RUNNERS,
        api=True,
        method="POST",
        data=_result_rows,
    ),
    _case(
        "API online quiz results import (dry run)",
        "trainingsession-results-import",
        lambda w, s: f"/api/v1/training-sessions/{obj(w, s, 'session').pk}/results/import/",
        RUNNERS,
        api=True,
        method="POST",
        data=_quiz_upload,
        extra={"format": "multipart"},
    ),
    _case(
        "API session outcome",
        "outcome-training-session",
        lambda w, s: f"/api/v1/outcomes/training-sessions/{obj(w, s, 'session').pk}/",
        READERS,
        api=True,
    ),
    _case(
        "API session outcome as CSV",
        "outcome-training-session",
        lambda w, s: f"/api/v1/outcomes/training-sessions/{obj(w, s, 'session').pk}/?format=csv",
        READERS,
        api=True,
    ),
]
