"""The API of records of the past: POST followup-rounds/ with "recorded_after_the_fact", POST
status-updates/ with "submitted_on" (and "verified_on"), the read-only recorded_by/recorded_at,
and clear refusals that save nothing."""

from datetime import date
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from followups.models import FollowupRound
from followups.models import StatusUpdate
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round

pytestmark = pytest.mark.clock_sensitive

ROUNDS = "/api/v1/followup-rounds/"
UPDATES = "/api/v1/status-updates/"


@pytest.fixture
def api(db):
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def scene(db):
    engagement = EngagementFactory(country_id="PE", start_date=date(2011, 1, 10), phase="follow_up")
    return {
        "engagement": engagement,
        "measure": make_measure(engagement, title="Adopt the plan", agreed_on=date(2013, 3, 1)),
        "later": make_measure(engagement, title="Agreed later", agreed_on=date(2015, 3, 1)),
        "current": open_round(engagement),
        "manager": make_user(Role.MANAGER, "PE", username="maria"),
        "manager_co": make_user(Role.MANAGER, "CO", username="carlos"),
        "counterpart": make_user(Role.COUNTERPART, "PE", username="rosa"),
    }


def past_round(scene, **extra):
    return {
        "engagement": scene["engagement"].pk,
        "recorded_after_the_fact": True,
        "opens_on": "2013-06-01",
        "due_date": "2013-06-30",
        **extra,
    }


def test_a_round_of_the_past_is_recorded_closed_with_its_days_and_who_recorded_it(
    api, scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(scene["manager"]).post(ROUNDS, past_round(scene), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["opens_on"], body["due_date"], body["status"]) == ("2013-06-01", "2013-06-30", "closed")
    assert body["measures"] == [scene["measure"].pk]
    assert body["recorded_by"] == scene["manager"].pk and body["recorded_at"]
    assert body["submitted_at"] is None and body["closed_at"]
    assert "recorded_after_the_fact" not in body
    # the current round stays open, and nobody was e-mailed
    scene["current"].refresh_from_db()
    assert scene["current"].closed_at is None
    assert mail.outbox == []
    # a round opened now reads as one: no recorder
    current = api(scene["counterpart"]).get(f"{ROUNDS}{scene['current'].pk}/").json()
    assert (current["recorded_by"], current["recorded_at"]) == (None, None)


def test_the_measures_of_a_round_of_the_past_may_be_given(api, scene):
    response = api(scene["manager"]).post(ROUNDS, past_round(scene, measures=[scene["measure"].pk]), format="json")
    assert response.status_code == 201
    assert response.json()["measures"] == [scene["measure"].pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opens_on": None}, "opens_on"),
        ({"opens_on": "2010-06-01", "due_date": "2010-06-30"}, "opens_on"),  # before the engagement started
        ({"due_date": "2013-05-01"}, "due_date"),  # before it opened
        ({"opens_on": "tomorrow", "due_date": "tomorrow"}, "opens_on"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"opens_on": "2013-02-30"}, "opens_on"),
        ({"opens_on": "1066-10-14"}, "opens_on"),
        ({"measures": "later"}, "measures"),  # agreed after the round opened
        ({"measures": [999999]}, "measures"),
        ({"measures": []}, "measures"),
    ],
)
def test_bad_rounds_of_the_past_are_refused_with_a_field_error_and_nothing_is_saved(api, scene, changes, field):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = past_round(scene)
    for name, value in changes.items():
        if value is None:
            data.pop(name)
        elif value == "tomorrow":
            data[name] = tomorrow
        elif value == "later":
            data[name] = [scene["later"].pk]
        else:
            data[name] = value
    response = api(scene["manager"]).post(ROUNDS, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert FollowupRound.objects.count() == 1  # the current round only


def test_a_round_opened_now_refuses_the_days_and_measures_of_a_round_of_the_past(api, scene):
    client = api(scene["manager"])
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    engagement = scene["engagement"].pk
    # without the flag, a past due date is refused as before, and so are an opening day other than today and measures
    for data, field in (
        ({"engagement": engagement, "due_date": "2013-06-30"}, "due_date"),
        ({"engagement": engagement, "due_date": due, "opens_on": "2013-06-01"}, "opens_on"),
        ({"engagement": engagement, "due_date": due, "measures": [scene["measure"].pk]}, "measures"),
    ):
        response = client.post(ROUNDS, data, format="json")
        assert response.status_code == 400 and field in response.json(), response.content
    assert FollowupRound.objects.count() == 1
    # opening today, as before
    response = client.post(
        ROUNDS, {"engagement": engagement, "due_date": due, "opens_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 201 and response.json()["recorded_by"] is None


def test_only_managers_of_the_country_record_a_round_of_the_past(api, scene):
    assert api(scene["counterpart"]).post(ROUNDS, past_round(scene), format="json").status_code == 403
    assert api(scene["manager_co"]).post(ROUNDS, past_round(scene), format="json").status_code == 400  # not in scope
    assert FollowupRound.objects.count() == 1


# ---- Reports of the past -------------------------------------------------------------------------


def test_a_report_of_the_past_is_recorded_with_its_days(api, scene, django_capture_on_commit_callbacks):
    round_id = api(scene["manager"]).post(ROUNDS, past_round(scene), format="json").json()["id"]
    data = {
        "measure": scene["measure"].pk,
        "round": round_id,
        "status": "partially_implemented",
        "progress_pct": 60,
        "narrative": "Reported in 2013.",
        "submitted_on": "2013-06-20",
        "verified_on": "2013-07-01",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api(scene["manager"]).post(UPDATES, data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "accepted" and body["round"] == round_id
    assert body["submitted_at"].startswith("2013-06-20") and body["reviewed_at"].startswith("2013-07-01")
    assert (body["submitted_by"], body["reviewed_by"]) == (None, scene["manager"].pk)
    assert body["recorded_by"] == scene["manager"].pk and body["recorded_at"]
    assert not {"submitted_on", "verified_on"} & set(body)
    assert mail.outbox == []
    # the round of the past was submitted when its only measure got its report, before it was due
    round_ = api(scene["counterpart"]).get(f"{ROUNDS}{round_id}/").json()
    assert round_["submitted_at"].startswith("2013-06-20") and round_["submitted_on_time"] is True


def test_without_verified_on_a_report_of_the_past_awaits_verification(api, scene):
    data = {
        "measure": scene["measure"].pk,
        "status": "in_progress",
        "progress_pct": 30,
        "narrative": "Reported by e-mail.",
        "submitted_on": "2014-02-01",
    }
    response = api(scene["manager"]).post(UPDATES, data, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["state"], response.json()["round"], response.json()["reviewed_at"]) == (
        "submitted",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"submitted_on": "tomorrow"}, "submitted_on"),
        ({"submitted_on": "2014-02-01", "verified_on": "2014-01-31"}, "verified_on"),
        ({"verified_on": "tomorrow"}, "verified_on"),
        ({"submitted_on": "2014-13-01"}, "submitted_on"),
        ({"submitted_on": None, "verified_on": "2014-02-01"}, "submitted_on"),
        ({"draft": True}, "draft"),
        ({"status": "implemented", "progress_pct": 70}, "progress_pct"),
        ({"narrative": ""}, "narrative"),
        ({"round": "current_closed"}, "round"),
    ],
)
def test_bad_reports_of_the_past_are_refused_with_a_field_error_and_nothing_is_saved(api, scene, changes, field):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {
        "measure": scene["measure"].pk,
        "status": "in_progress",
        "progress_pct": 30,
        "narrative": "Reported by e-mail.",
        "submitted_on": "2014-02-01",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name)
        elif value == "tomorrow":
            data[name] = tomorrow
        elif value == "current_closed":
            # a round the portal ran and closed takes no report of the past
            scene["current"].closed_at = timezone.now()
            scene["current"].save(update_fields=["closed_at"])
            data[name] = scene["current"].pk
        else:
            data[name] = value
    response = api(scene["manager"]).post(UPDATES, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not StatusUpdate.objects.exists()


def test_a_counterpart_sending_the_day_of_a_past_report_is_refused_not_ignored(api, scene):
    data = {
        "measure": scene["measure"].pk,
        "round": scene["current"].pk,
        "status": "in_progress",
        "progress_pct": 30,
        "narrative": "Started.",
        "submitted_on": "2014-02-01",
    }
    for extra in ({}, {"submitted_on": None, "verified_on": "2014-02-02"}):
        response = api(scene["counterpart"]).post(UPDATES, {**data, **extra}, format="json")
        assert response.status_code == 403, response.content
        assert "Only programme managers record reports of the past" in response.json()["detail"]
    assert not StatusUpdate.objects.exists()
    # without it, the same report is theirs to make, dated now
    data.pop("submitted_on")
    response = api(scene["counterpart"]).post(UPDATES, data, format="json")
    assert response.status_code == 201 and response.json()["recorded_by"] is None


def test_a_manager_of_another_country_cannot_record_a_report_of_the_past_here(api, scene):
    data = {
        "measure": scene["measure"].pk,
        "status": "in_progress",
        "progress_pct": 30,
        "narrative": "x",
        "submitted_on": "2014-02-01",
    }
    response = api(scene["manager_co"]).post(UPDATES, data, format="json")
    assert response.status_code == 400 and "measure" in response.json()
    assert not StatusUpdate.objects.exists()


def test_a_measure_carries_the_day_it_was_agreed(api, scene):
    client = api(scene["manager"])
    body = client.get(f"/api/v1/measures/{scene['measure'].pk}/").json()
    assert body["agreed_on"] == "2013-03-01"
    response = client.patch(f"/api/v1/measures/{scene['measure'].pk}/", {"agreed_on": "2012-11-30"}, format="json")
    assert response.status_code == 200 and response.json()["agreed_on"] == "2012-11-30"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.patch(f"/api/v1/measures/{scene['measure'].pk}/", {"agreed_on": tomorrow}, format="json")
    assert response.status_code == 400 and "agreed_on" in response.json()
