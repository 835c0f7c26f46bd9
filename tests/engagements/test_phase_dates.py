"""A change of phase of the past carries its day, on the page and in the API: stored at noon of that
day in the portal's time zone; a day in the future, before the engagement started, or without a
change of phase is refused with nothing saved."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from engagements.models import Engagement
from engagements.models import PhaseChange
from tests.factories import EngagementFactory
from tests.factories import make_user

# The refusals of the future are dated from today.
pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria")


@pytest.fixture
def engagement(db):
    return EngagementFactory(country_id="PE", title="Peru 2011", start_date=date(2011, 1, 10), phase="assessment")


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def form_data(engagement, **changes):
    data = {
        "country": engagement.country_id,
        "title": engagement.title,
        "phase": engagement.phase,
        "start_date": engagement.start_date.isoformat(),
    }
    return {**data, **changes}


def test_a_change_of_phase_of_the_past_is_stored_on_its_day(client, manager, engagement, settings):
    settings.TIME_ZONE = "America/Lima"
    client.force_login(manager)
    response = client.post(
        reverse("engagements:edit", args=[engagement.pk]),
        form_data(engagement, phase="roundtable", phase_changed_on="2012-03-15"),
    )
    assert response.status_code == 302
    change = PhaseChange.objects.get(engagement=engagement)
    assert (change.from_phase, change.to_phase, change.changed_by) == ("assessment", "roundtable", manager)
    assert change.changed_at == datetime(2012, 3, 15, 12, tzinfo=ZoneInfo("America/Lima"))
    assert timezone.localdate(change.changed_at) == date(2012, 3, 15)


def test_without_a_day_the_change_of_phase_is_dated_now(client, manager, engagement):
    client.force_login(manager)
    before = timezone.now()
    client.post(reverse("engagements:edit", args=[engagement.pk]), form_data(engagement, phase="roundtable"))
    assert PhaseChange.objects.get(engagement=engagement).changed_at >= before


def test_a_new_engagement_of_the_past_starts_its_phase_on_the_day_given(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("engagements:create"),
        {
            "country": "PE",
            "title": "Peru 2011",
            "phase": "assessment",
            "start_date": "2011-01-10",
            "phase_changed_on": "2011-02-01",
        },
    )
    assert response.status_code == 302
    change = PhaseChange.objects.get()
    assert (change.from_phase, change.to_phase, timezone.localdate(change.changed_at)) == (
        "",
        "assessment",
        date(2011, 2, 1),
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"phase": "roundtable", "phase_changed_on": "tomorrow"}, "A day of the past cannot be in the future."),
        (
            {"phase": "roundtable", "phase_changed_on": "2010-12-31"},
            "The phase cannot change before the engagement started (2011-01-10).",
        ),
        (
            {"phase": "roundtable", "start_date": "2012-01-01", "phase_changed_on": "2011-06-01"},
            "The phase cannot change before the engagement started (2012-01-01).",
        ),
        ({"phase_changed_on": "2012-03-15"}, "The phase does not change: leave the day of the change empty."),
        ({"phase": "roundtable", "phase_changed_on": "15/03/2012"}, "Enter a valid date."),
    ],
)
def test_impossible_days_of_a_change_of_phase_are_refused_on_the_form(client, manager, engagement, changes, error):
    client.force_login(manager)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    changes = {name: tomorrow if value == "tomorrow" else value for name, value in changes.items()}
    response = client.post(reverse("engagements:edit", args=[engagement.pk]), form_data(engagement, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors["phase_changed_on"] == [error]
    engagement.refresh_from_db()
    assert engagement.phase == "assessment" and engagement.start_date == date(2011, 1, 10)
    assert not PhaseChange.objects.exists()


def test_the_api_takes_the_day_of_a_change_of_phase_of_the_past(api, engagement):
    response = api.patch(
        f"/api/v1/engagements/{engagement.pk}/", {"phase": "follow_up", "phase_changed_on": "2013-02-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["phase"] == "follow_up" and "phase_changed_on" not in response.json()
    change = PhaseChange.objects.get(engagement=engagement)
    assert timezone.localdate(change.changed_at) == date(2013, 2, 1)
    # creating an engagement of the past, likewise
    response = api.post(
        "/api/v1/engagements/",
        {
            "country": "PE",
            "title": "Peru 2014",
            "start_date": "2014-01-06",
            "phase": "assessment",
            "phase_changed_on": "2014-01-06",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = PhaseChange.objects.get(engagement_id=response.json()["id"])
    assert timezone.localdate(created.changed_at) == date(2014, 1, 6)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phase": "roundtable", "phase_changed_on": "tomorrow"}, "phase_changed_on"),
        ({"phase": "roundtable", "phase_changed_on": "2010-12-31"}, "phase_changed_on"),
        ({"phase_changed_on": "2012-03-15"}, "phase_changed_on"),
        ({"phase": "roundtable", "phase_changed_on": "2012-02-30"}, "phase_changed_on"),
        ({"phase": "roundtable", "phase_changed_on": 20120315}, "phase_changed_on"),
    ],
)
def test_impossible_days_of_a_change_of_phase_are_refused_by_the_api(api, engagement, body, field):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = {name: tomorrow if value == "tomorrow" else value for name, value in body.items()}
    response = api.patch(f"/api/v1/engagements/{engagement.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Engagement.objects.get(pk=engagement.pk).phase == "assessment"
    assert not PhaseChange.objects.exists()
