"""Authorization cases of every assessment, roundtable and report page and endpoint.

Assessments are read by admins and managers of the country, and by its counterparts once out of
draft (the world's assessments are in review); trainers and viewers do not see them (404).
Changes need admin or manager of the country: a counterpart gets 403 on what they can see.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from assessments.models import Assessment
from assessments.models import Framework
from reports.models import Report
from tests.assessments.factories import equip_world
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped

READ = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": same(404),
    "counterpart": scoped(200),
    "viewer": same(404),
}
EDIT = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": same(404),
    "counterpart": scoped(403),
    "viewer": same(404),
}
LIST_PAGE = {
    "admin": same(200),
    "manager": same(200),
    "trainer": same(403),
    "counterpart": same(200),
    "viewer": same(403),
}
CREATE_PAGE = {
    "admin": same(200),
    "manager": same(200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}
EVERYONE = {role: same(200) for role in ("admin", "manager", "trainer", "counterpart", "viewer")}
API_CREATE = {
    "admin": same(201),
    "manager": (201, 400),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}


def with_status(table: dict, status: int) -> dict:
    """The same permissions, with ``status`` where the request is allowed (instead of 200)."""
    return {role: tuple(status if s == 200 else s for s in pair) for role, pair in table.items()}


def setup(world) -> None:
    equip_world(world)
    for side in ("own", "other"):
        assessment = obj(world, side, "assessment")
        report = Report.objects.create(
            kind="assessment",
            owner_type_id=_content_type_id(),
            owner_id=assessment.pk,
            language="en",
            fingerprint="f" * 64,
            status=Report.Status.READY,
            filename="report.pdf",
        )
        report.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
        setattr(world, "report" if side == "own" else "other_report", report)


def _content_type_id() -> int:
    return ContentType.objects.get_for_model(Assessment).pk


def _page(route: str, name: str, *, kw: str = "pk"):
    return lambda w, s: reverse(route, kwargs={kw: obj(w, s, name).pk})


def _framework_pk(world, side) -> int:
    return Framework.objects.get(code="precursor-control", version=1).pk


def _assessment_post(world, side):
    engagement = world.engagement if side == "own" else world.other_engagement
    return {
        "engagement": engagement.pk,
        "framework": _framework_pk(world, side),
        "title": "New assessment",
        "start_date": "2026-02-02",
    }


def _roundtable_post(world, side):
    engagement = world.engagement if side == "own" else world.other_engagement
    return {"engagement": engagement.pk, "title": "New roundtable", "date": "2026-06-01", "venue": "Lima"}


def _api(path: str, name: str):
    return lambda w, s: path.format(pk=obj(w, s, name).pk)


CASES = [
    # Pages
    Case(
        "assessment list page",
        "assessments:list",
        "GET",
        lambda w, s: reverse("assessments:list"),
        LIST_PAGE,
        setup=setup,
    ),
    Case(
        "assessment create page",
        "assessments:create",
        "GET",
        lambda w, s: reverse("assessments:create"),
        CREATE_PAGE,
        setup=setup,
    ),
    Case(
        "assessment detail page",
        "assessments:detail",
        "GET",
        _page("assessments:detail", "assessment"),
        READ,
        setup=setup,
    ),
    Case("assessment edit page", "assessments:edit", "GET", _page("assessments:edit", "assessment"), EDIT, setup=setup),
    Case(
        "assessment status change",
        "assessments:status",
        "POST",
        _page("assessments:status", "assessment"),
        with_status(EDIT, 302),
        data=lambda w, s: {"status": "draft"},
        setup=setup,
    ),
    Case(
        "assessment scoring page",
        "assessments:scores",
        "GET",
        _page("assessments:scores", "assessment"),
        EDIT,
        setup=setup,
    ),
    Case(
        "assessment report request",
        "assessments:report",
        "POST",
        _page("assessments:report", "assessment"),
        with_status(READ, 302),
        data=lambda w, s: {"language": "en"},
        setup=setup,
    ),
    Case(
        "meeting create page",
        "assessments:meeting_create",
        "GET",
        _page("assessments:meeting_create", "assessment", kw="assessment_pk"),
        EDIT,
        setup=setup,
    ),
    Case(
        "meeting edit page",
        "assessments:meeting_edit",
        "GET",
        _page("assessments:meeting_edit", "meeting"),
        EDIT,
        setup=setup,
    ),
    Case(
        "meeting delete page",
        "assessments:meeting_delete",
        "GET",
        _page("assessments:meeting_delete", "meeting"),
        EDIT,
        setup=setup,
    ),
    Case(
        "instrument create page",
        "assessments:instrument_create",
        "GET",
        _page("assessments:instrument_create", "assessment", kw="assessment_pk"),
        EDIT,
        setup=setup,
    ),
    Case(
        "instrument edit page",
        "assessments:instrument_edit",
        "GET",
        _page("assessments:instrument_edit", "instrument"),
        EDIT,
        setup=setup,
    ),
    Case(
        "instrument delete page",
        "assessments:instrument_delete",
        "GET",
        _page("assessments:instrument_delete", "instrument"),
        EDIT,
        setup=setup,
    ),
    Case(
        "finding create page",
        "assessments:finding_create",
        "GET",
        _page("assessments:finding_create", "assessment", kw="assessment_pk"),
        EDIT,
        setup=setup,
    ),
    Case(
        "finding edit page",
        "assessments:finding_edit",
        "GET",
        _page("assessments:finding_edit", "finding"),
        EDIT,
        setup=setup,
    ),
    Case(
        "finding delete page",
        "assessments:finding_delete",
        "GET",
        _page("assessments:finding_delete", "finding"),
        EDIT,
        setup=setup,
    ),
    Case(
        "recommendation create page",
        "assessments:recommendation_create",
        "GET",
        _page("assessments:recommendation_create", "finding", kw="finding_pk"),
        EDIT,
        setup=setup,
    ),
    Case(
        "recommendation edit page",
        "assessments:recommendation_edit",
        "GET",
        _page("assessments:recommendation_edit", "recommendation"),
        EDIT,
        setup=setup,
    ),
    Case(
        "recommendation delete",
        "assessments:recommendation_delete",
        "POST",
        _page("assessments:recommendation_delete", "recommendation"),
        with_status(EDIT, 302),
        data=lambda w, s: {},
        setup=setup,
    ),
    Case(
        "framework list page",
        "assessments:framework_list",
        "GET",
        lambda w, s: reverse("assessments:framework_list"),
        EVERYONE,
    ),
    Case(
        "framework detail page",
        "assessments:framework_detail",
        "GET",
        lambda w, s: reverse("assessments:framework_detail", args=[_framework_pk(w, s)]),
        EVERYONE,
    ),
    Case(
        "roundtable list page",
        "assessments:roundtable_list",
        "GET",
        lambda w, s: reverse("assessments:roundtable_list"),
        LIST_PAGE,
        setup=setup,
    ),
    Case(
        "roundtable create page",
        "assessments:roundtable_create",
        "GET",
        lambda w, s: reverse("assessments:roundtable_create"),
        CREATE_PAGE,
        setup=setup,
    ),
    Case(
        "roundtable create",
        "assessments:roundtable_create",
        "POST",
        lambda w, s: reverse("assessments:roundtable_create"),
        {
            "admin": same(302),
            "manager": (302, 200),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        data=_roundtable_post,
        setup=setup,
    ),
    Case(
        "roundtable detail page",
        "assessments:roundtable_detail",
        "GET",
        _page("assessments:roundtable_detail", "roundtable"),
        READ,
        setup=setup,
    ),
    Case(
        "roundtable edit page",
        "assessments:roundtable_edit",
        "GET",
        _page("assessments:roundtable_edit", "roundtable"),
        EDIT,
        setup=setup,
    ),
    Case(
        "roundtable attendance page",
        "assessments:roundtable_attendance",
        "GET",
        _page("assessments:roundtable_attendance", "roundtable"),
        EDIT,
        setup=setup,
    ),
    Case(
        "roundtable invitation",
        "assessments:roundtable_invitation",
        "GET",
        _page("assessments:roundtable_invitation", "roundtable"),
        READ,
        setup=setup,
    ),
    Case("report download", "reports:download", "GET", _page("reports:download", "report"), READ, setup=setup),
    Case("report status", "reports:status", "GET", _page("reports:status", "report"), READ, setup=setup),
    # API
    Case("API framework list", "framework-list", "GET", lambda w, s: "/api/v1/frameworks/", EVERYONE, api=True),
    Case(
        "API framework detail",
        "framework-detail",
        "GET",
        lambda w, s: f"/api/v1/frameworks/{_framework_pk(w, s)}/",
        EVERYONE,
        api=True,
    ),
    Case(
        "API assessment list",
        "assessment-list",
        "GET",
        lambda w, s: "/api/v1/assessments/",
        EVERYONE,
        api=True,
        setup=setup,
    ),
    Case(
        "API assessment create",
        "assessment-list",
        "POST",
        lambda w, s: "/api/v1/assessments/",
        API_CREATE,
        api=True,
        data=_assessment_post,
        setup=setup,
    ),
    Case(
        "API assessment detail",
        "assessment-detail",
        "GET",
        _api("/api/v1/assessments/{pk}/", "assessment"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API assessment change",
        "assessment-detail",
        "PATCH",
        _api("/api/v1/assessments/{pk}/", "assessment"),
        EDIT,
        api=True,
        data=lambda w, s: {"title": "Renamed"},
        setup=setup,
    ),
    Case(
        "API scores",
        "assessment-scores",
        "GET",
        _api("/api/v1/assessments/{pk}/scores/", "assessment"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API scores replace",
        "assessment-scores",
        "PUT",
        _api("/api/v1/assessments/{pk}/scores/", "assessment"),
        EDIT,
        api=True,
        data=lambda w, s: [{"dimension": "legal", "level": 4, "rationale": "Better"}],
        setup=setup,
    ),
    Case(
        "API findings",
        "assessment-findings",
        "GET",
        _api("/api/v1/assessments/{pk}/findings/", "assessment"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API finding create",
        "assessment-findings",
        "POST",
        _api("/api/v1/assessments/{pk}/findings/", "assessment"),
        with_status(EDIT, 201),
        api=True,
        data=lambda w, s: {"dimension": "trade", "kind": "challenge", "priority": "high", "text": "No PEN use"},
        setup=setup,
    ),
    Case(
        "API recommendations",
        "assessment-recommendations",
        "GET",
        _api("/api/v1/assessments/{pk}/recommendations/", "assessment"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API recommendation create",
        "assessment-recommendations",
        "POST",
        _api("/api/v1/assessments/{pk}/recommendations/", "assessment"),
        with_status(EDIT, 201),
        api=True,
        data=lambda w, s: {"finding": obj(w, s, "finding").pk, "text": "Use PEN Online", "priority": "high"},
        setup=setup,
    ),
    Case(
        "API report request",
        "assessment-report",
        "POST",
        _api("/api/v1/assessments/{pk}/report/", "assessment"),
        with_status(READ, 202),
        api=True,
        data=lambda w, s: {"language": "en"},
        setup=setup,
    ),
    Case(
        "API report status",
        "assessment-report",
        "GET",
        _api("/api/v1/assessments/{pk}/report/?language=en", "assessment"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API report download",
        "api-report-download",
        "GET",
        _api("/api/v1/reports/{pk}/download/", "report"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API roundtable list",
        "roundtable-list",
        "GET",
        lambda w, s: "/api/v1/roundtables/",
        EVERYONE,
        api=True,
        setup=setup,
    ),
    Case(
        "API roundtable create",
        "roundtable-list",
        "POST",
        lambda w, s: "/api/v1/roundtables/",
        API_CREATE,
        api=True,
        data=_roundtable_post,
        setup=setup,
    ),
    Case(
        "API roundtable detail",
        "roundtable-detail",
        "GET",
        _api("/api/v1/roundtables/{pk}/", "roundtable"),
        READ,
        api=True,
        setup=setup,
    ),
    Case(
        "API roundtable change",
        "roundtable-detail",
        "PATCH",
        _api("/api/v1/roundtables/{pk}/", "roundtable"),
        EDIT,
        api=True,
        data=lambda w, s: {"minutes": "Agreed on three measures."},
        setup=setup,
    ),
]
