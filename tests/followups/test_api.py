"""The follow-up API (measures/, followup-rounds/, status-updates/): the docs/API.md fields, scoping,
and a clear 400 that saves nothing for every kind of bad input."""

from datetime import timedelta

import pytest
from django.urls import include
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from accounts.roles import Role
from followups import api as followups_api
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import StatusUpdate
from tests.factories import AgencyFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def api(db):
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def scene(db):
    engagement = other_engagement("PE", title="Peru follow-up")
    measure = make_measure(engagement, title="Adopt the plan")
    round_ = open_round(engagement)
    return {
        "engagement": engagement,
        "measure": measure,
        "round": round_,
        "manager": make_user(Role.MANAGER, "PE"),
        "counterpart": make_user(Role.COUNTERPART, "PE"),
        "counterpart_co": make_user(Role.COUNTERPART, "CO"),
        "viewer": make_user(Role.VIEWER, "PE"),
    }


def test_measures_have_the_api_fields(api, scene):
    body = api(scene["viewer"]).get(f"/api/v1/measures/{scene['measure'].pk}/").json()
    for field in (
        "id", "engagement", "title", "description", "recommendation", "roundtable", "responsible_agency",
        "priority", "due_date", "status",
    ):  # fmt: skip
        assert field in body
    assert (body["status"], body["engagement"], body["country"]) == ("not_started", scene["engagement"].pk, "PE")


def test_a_manager_creates_a_measure_and_filters_by_engagement_and_status(api, scene):
    agency = AgencyFactory(country_id="PE")
    response = api(scene["manager"]).post(
        "/api/v1/measures/",
        {"engagement": scene["engagement"].pk, "title": "Train inspectors", "responsible_agency": agency.pk,
         "priority": "high", "due_date": "2027-03-31"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "not_started"
    listed = api(scene["counterpart"]).get(f"/api/v1/measures/?engagement={scene['engagement'].pk}&status=not_started")
    assert {m["title"] for m in listed.json()["results"]} == {"Adopt the plan", "Train inspectors"}
    assert api(scene["counterpart_co"]).get("/api/v1/measures/?country=pe").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "X", "status": "implemented"}, "status", "changes only through status updates"),
        ({"title": ""}, "title", "may not be blank"),
        ({"title": "X", "priority": "urgent"}, "priority", "is not a valid choice"),
        ({"title": "X", "due_date": "31/12/2026"}, "due_date", "Date has wrong format"),
        ({"title": "X", "engagement": 999999}, "engagement", "does not exist"),
    ],
)
def test_bad_measures_are_refused_and_nothing_is_saved(api, scene, body, field, message):
    payload = {"engagement": scene["engagement"].pk, **body}
    response = api(scene["manager"]).post("/api/v1/measures/", payload, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert Measure.objects.count() == 1


def test_an_agency_of_another_country_is_refused_for_a_measure(api, scene):
    foreign = AgencyFactory(country_id="CO")
    admin = make_user(Role.ADMIN)
    response = api(admin).patch(
        f"/api/v1/measures/{scene['measure'].pk}/", {"responsible_agency": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"responsible_agency": ["The agency belongs to another country."]}


def test_a_measure_status_cannot_be_patched(api, scene):
    response = api(scene["manager"]).patch(
        f"/api/v1/measures/{scene['measure'].pk}/", {"status": "implemented"}, format="json"
    )
    assert response.status_code == 400
    scene["measure"].refresh_from_db()
    assert scene["measure"].status == "not_started"


def test_a_measure_cannot_move_to_another_engagement(api, scene):
    elsewhere = other_engagement("PE")
    response = api(scene["manager"]).patch(
        f"/api/v1/measures/{scene['measure'].pk}/", {"engagement": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert "cannot move" in response.json()["engagement"][0]


def test_a_counterpart_reports_over_the_api_and_the_manager_returns_it(api, scene, mailoutbox):
    # when: the counterpart posts a report
    posted = api(scene["counterpart"]).post(
        "/api/v1/status-updates/",
        {"measure": scene["measure"].pk, "round": scene["round"].pk, "status": "in_progress", "progress_pct": 35,
         "narrative": "Draft plan written."},
        format="json",
    )  # fmt: skip
    assert posted.status_code == 201, posted.json()
    body = posted.json()
    assert (body["state"], body["status"], body["progress_pct"], body["submitted_by"]) == (
        "submitted",
        "in_progress",
        35,
        scene["counterpart"].pk,
    )
    assert body["submitted_at"]
    # then: the measure's status changed, through the report
    measure = api(scene["viewer"]).get(f"/api/v1/measures/{scene['measure'].pk}/").json()
    assert (measure["status"], measure["verified_status"]) == ("in_progress", "")
    # when: the manager returns it
    reviewed = api(scene["manager"]).post(
        f"/api/v1/status-updates/{body['id']}/review/",
        {"decision": "return", "comment": "Attach the plan."},
        format="json",
    )
    assert reviewed.status_code == 200
    assert (reviewed.json()["state"], reviewed.json()["review_comment"]) == ("returned", "Attach the plan.")


def test_a_draft_over_the_api_is_submitted_later(api, scene):
    client = api(scene["counterpart"])
    draft = client.post(
        "/api/v1/status-updates/",
        {"measure": scene["measure"].pk, "round": scene["round"].pk, "status": "in_progress", "progress_pct": 10,
         "narrative": "", "draft": True},
        format="json",
    )  # fmt: skip
    assert draft.status_code == 201 and draft.json()["state"] == "draft"
    assert api(scene["viewer"]).get(f"/api/v1/status-updates/{draft.json()['id']}/").status_code == 404
    empty = client.post(f"/api/v1/status-updates/{draft.json()['id']}/submit/")
    assert empty.status_code == 400 and "narrative" in empty.json()
    client.post(
        "/api/v1/status-updates/",
        {"measure": scene["measure"].pk, "round": scene["round"].pk, "status": "in_progress", "progress_pct": 10,
         "narrative": "Now with words.", "draft": True},
        format="json",
    )  # fmt: skip
    submitted = client.post(f"/api/v1/status-updates/{draft.json()['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert StatusUpdate.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"progress_pct": 120}, "progress_pct"),
        ({"progress_pct": "half"}, "progress_pct"),
        ({"status": "done"}, "status"),
        ({"status": "cancelled", "progress_pct": 0}, "status"),
        ({"status": "implemented", "progress_pct": 90}, "progress_pct"),
        ({"narrative": ""}, "narrative"),
        ({"round": None}, "round"),
        ({"measure": 999999}, "measure"),
    ],
)
def test_bad_reports_over_the_api_are_refused_and_nothing_is_saved(api, scene, body, field):
    payload = {
        "measure": scene["measure"].pk,
        "round": scene["round"].pk,
        "status": "in_progress",
        "progress_pct": 50,
        "narrative": "Something was done.",
        **body,
    }
    response = api(scene["counterpart"]).post("/api/v1/status-updates/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not StatusUpdate.objects.exists()


def test_a_counterpart_cannot_report_on_another_countrys_measure(api, scene):
    response = api(scene["counterpart_co"]).post(
        "/api/v1/status-updates/",
        {"measure": scene["measure"].pk, "round": scene["round"].pk, "status": "in_progress", "progress_pct": 5,
         "narrative": "Trying."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "does not exist" in response.json()["measure"][0]  # the same answer as for an id that does not exist
    update = report(scene["measure"], scene["round"], scene["counterpart"])
    assert api(scene["counterpart_co"]).get(f"/api/v1/status-updates/{update.pk}/").status_code == 404
    assert api(scene["counterpart_co"]).get(f"/api/v1/measures/{scene['measure'].pk}/").status_code == 404
    assert not StatusUpdate.objects.exclude(pk=update.pk).exists()


def test_a_counterpart_cannot_report_in_a_round_on_a_measure_it_does_not_ask_about(api, scene):
    # given: a measure of the same engagement added after the round opened (the round does not ask about it)
    later = make_measure(scene["engagement"], title="Added after the round opened")
    # when: the counterpart reports on it in the round
    response = api(scene["counterpart"]).post(
        "/api/v1/status-updates/",
        {"measure": later.pk, "round": scene["round"].pk, "status": "implemented", "progress_pct": 100,
         "narrative": "Done."},
        format="json",
    )  # fmt: skip
    # then: refused with the reason, nothing saved, the measure's reported status unchanged
    assert response.status_code == 400
    assert response.json()["measure"] == ["This round does not ask about this measure."]
    assert not StatusUpdate.objects.filter(measure=later).exists()
    later.refresh_from_db()
    assert later.status == "not_started"


def test_a_review_needs_a_known_decision(api, scene):
    update = report(scene["measure"], scene["round"], scene["counterpart"])
    bad = api(scene["manager"]).post(
        f"/api/v1/status-updates/{update.pk}/review/", {"decision": "maybe"}, format="json"
    )
    silent = api(scene["manager"]).post(
        f"/api/v1/status-updates/{update.pk}/review/", {"decision": "return"}, format="json"
    )
    assert bad.status_code == 400 and "decision" in bad.json()
    assert silent.status_code == 400 and "comment" in silent.json()
    update.refresh_from_db()
    assert update.state == "submitted"


def test_rounds_have_the_api_fields_and_status(api, scene):
    body = api(scene["counterpart"]).get(f"/api/v1/followup-rounds/{scene['round'].pk}/").json()
    assert (body["engagement"], body["status"]) == (scene["engagement"].pk, "open")
    assert body["measures"] == [scene["measure"].pk]
    assert body["due_date"] == scene["round"].due_date.isoformat()
    assert api(scene["counterpart"]).get("/api/v1/followup-rounds/?status=open").json()["count"] == 1
    assert api(scene["counterpart"]).get("/api/v1/followup-rounds/?status=overdue").json()["count"] == 0


def test_a_manager_opens_a_round_over_the_api(api, scene, django_capture_on_commit_callbacks, mailoutbox):
    make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org")
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(scene["manager"]).post(
            "/api/v1/followup-rounds/", {"engagement": scene["engagement"].pk, "due_date": due}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["due_date"]) == ("open", due)
    scene["round"].refresh_from_db()
    assert scene["round"].closed_at is not None
    # the counterparts are told at once that the round is open
    assert "rosa@example.org" in [m.to[0] for m in mailoutbox]


@pytest.mark.parametrize(
    ("due", "message"),
    [("2001-01-01", "must not be in the past"), ("tomorrow", "Date has wrong format"), (None, "may not be null")],
)
def test_a_round_with_a_bad_due_date_is_refused(api, scene, due, message):
    response = api(scene["manager"]).post(
        "/api/v1/followup-rounds/", {"engagement": scene["engagement"].pk, "due_date": due}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["due_date"][0]
    assert FollowupRound.objects.count() == 1


def test_closing_a_closed_round_is_a_clear_error(api, scene):
    client = api(scene["manager"])
    assert client.post(f"/api/v1/followup-rounds/{scene['round'].pk}/close/").status_code == 200
    again = client.post(f"/api/v1/followup-rounds/{scene['round'].pk}/close/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This round is already closed."]}


def test_the_schema_documents_the_follow_up_endpoints():
    router = DefaultRouter()
    followups_api.register(router)
    patterns = [path("api/v1/", include([*followups_api.urlpatterns, *router.urls]))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    for url in (
        "/api/v1/measures/",
        "/api/v1/followup-rounds/",
        "/api/v1/followup-rounds/{id}/close/",
        "/api/v1/status-updates/",
        "/api/v1/status-updates/{id}/review/",
        "/api/v1/status-updates/{id}/evidence/",
        "/api/v1/followup-evidence/{id}/download/",
    ):
        assert url in schema["paths"], url
    measure = schema["components"]["schemas"]["Measure"]["properties"]
    assert measure["status"]["readOnly"] is True
