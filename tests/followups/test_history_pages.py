"""The pages of records of the past: a manager records a round and its reports with their days,
they are shown as recorded after the fact, and bad input gets the form's errors with nothing saved."""

from datetime import date
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import Role
from followups import services
from followups.models import FollowupRound
from followups.models import StatusUpdate
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import pdf_upload

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def scene(db):
    engagement = EngagementFactory(country_id="PE", title="Peru 2011", start_date=date(2011, 1, 10), phase="follow_up")
    manager = make_user(Role.MANAGER, "PE", username="maria", first_name="María", last_name="Quispe")
    return {
        "engagement": engagement,
        "plan": make_measure(engagement, title="Adopt the plan", agreed_on=date(2013, 3, 1)),
        "training": make_measure(engagement, title="Train inspectors", agreed_on=date(2013, 4, 1)),
        "current": open_round(engagement),
        "manager": manager,
        "counterpart": make_user(Role.COUNTERPART, "PE", username="rosa"),
    }


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_manager_records_a_round_of_the_past_and_its_reports_in_the_pages(
    client, scene, django_capture_on_commit_callbacks
):
    client = signed_in(client, scene["manager"])
    engagement = scene["engagement"]
    # the board offers it
    board = client.get(reverse("followups:board", args=[engagement.pk]))
    assert reverse("followups:round_record", args=[engagement.pk]) in board.content.decode()
    # when: the round of June 2013, asking about the plan only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("followups:round_record", args=[engagement.pk]),
            {"opens_on": "2013-06-01", "due_date": "2013-06-30", "measures": [scene["plan"].pk]},
        )
    round_ = FollowupRound.objects.get(opens_on=date(2013, 6, 1))
    assert response.status_code == 302 and response["Location"] == round_.get_absolute_url()
    assert list(round_.measures.all()) == [scene["plan"]]
    # then: its page says who recorded it and when; the manager may record its reports
    page = text(client.get(round_.get_absolute_url()))
    today = timezone.localdate()
    assert f"Recorded after the fact by María Quispe on {date_format(today, 'DATE_FORMAT')}" in page
    record_url = reverse("followups:update_record", args=[scene["plan"].pk]) + f"?round={round_.pk}"
    assert record_url in client.get(round_.get_absolute_url()).content.decode()
    # when: its report, submitted on 20 June and verified on 2 July, with the scanned original
    form = client.get(record_url)
    assert form.status_code == 200
    assert f'<option value="{round_.pk}" selected>' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            record_url,
            {
                "round": round_.pk,
                "submitted_on": "2013-06-20",
                "status": "partially_implemented",
                "progress_pct": "60",
                "narrative": "The plan was drafted.",
                "verified_on": "2013-07-02",
                "files": [pdf_upload("report-2013.pdf")],
            },
        )
    update = StatusUpdate.objects.get(measure=scene["plan"])
    assert response.status_code == 302 and response["Location"] == update.get_absolute_url()
    assert update.evidence.count() == 1 and update.state == "accepted"
    # then: the report, the measure's history and the round show it as recorded after the fact
    for url in (update.get_absolute_url(), scene["plan"].get_absolute_url(), round_.get_absolute_url()):
        assert "Recorded after the fact by María Quispe on" in text(client.get(url)), url
    assert "June 20, 2013" in text(client.get(update.get_absolute_url()))
    assert "Reported on June 20, 2013" in text(client.get(scene["plan"].get_absolute_url()))
    round_.refresh_from_db()
    assert round_.submitted_on_time is True
    # nobody was e-mailed and the current round is still open
    assert mail.outbox == []
    scene["current"].refresh_from_db()
    assert scene["current"].closed_at is None


def test_the_round_page_of_a_round_of_the_past_says_counterparts_do_not_report_in_it(client, scene):
    round_ = services.round_record(
        engagement=scene["engagement"], opens_on=date(2013, 6, 1), due_date=date(2013, 6, 30), by=scene["manager"]
    )
    page = text(signed_in(client, scene["counterpart"]).get(round_.get_absolute_url()))
    assert "A round of the past: counterparts do not report in it and it sends no e-mail." in page
    assert "Record a report of the past" not in page
    assert "Recorded after the fact by María Quispe" in page


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"opens_on": "2013-06-01", "due_date": "2013-05-01"}, "The due date must not be before the round opens."),
        ({"opens_on": "2010-06-01", "due_date": "2010-06-30"}, "The round cannot open before the engagement started"),
        ({"opens_on": "tomorrow", "due_date": "tomorrow"}, "A day of the past cannot be in the future."),
        ({"opens_on": "2013-02-01", "due_date": "2013-02-28"}, "No measure of the engagement was open on 2013-02-01"),
        ({"opens_on": "not a date", "due_date": "2013-06-30"}, "Enter a valid date."),
        ({"opens_on": "2013-06-01", "due_date": "2013-06-30", "measures": ["x"]}, "is not a valid value"),
        ({"opens_on": "2013-06-01", "due_date": "2013-06-30", "measures": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_rounds_of_the_past_get_the_forms_errors_and_nothing_is_saved(client, scene, data, field_error):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {name: tomorrow if value == "tomorrow" else value for name, value in data.items()}
    response = signed_in(client, scene["manager"]).post(
        reverse("followups:round_record", args=[scene["engagement"].pk]), data
    )
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert FollowupRound.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"submitted_on": "tomorrow"}, "A report of the past cannot be dated in the future."),
        ({"verified_on": "2014-01-31"}, "The report cannot be verified before it was submitted."),
        ({"submitted_on": ""}, "This field is required."),
        ({"status": "implemented"}, "An implemented measure is 100% done."),
        ({"narrative": ""}, "Say what was done since the last report"),
        ({"verified_on": "tomorrow"}, "A review of the past cannot be dated in the future."),
        ({"round": "current"}, "Select a valid choice"),  # the current round does not ask about it
        ({"round": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_reports_of_the_past_get_the_forms_errors_and_nothing_is_saved(client, scene, changes, error):
    # a measure added since the current round opened (which does not ask about it)
    added = make_measure(scene["engagement"], title="Added since", agreed_on=date(2014, 1, 1))
    data = {"submitted_on": "2014-02-01", "status": "in_progress", "progress_pct": "30", "narrative": "Reported."}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for name, value in changes.items():
        data[name] = {"tomorrow": tomorrow, "current": scene["current"].pk}.get(value, value)
    response = signed_in(client, scene["manager"]).post(reverse("followups:update_record", args=[added.pk]), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_the_measure_form_takes_the_day_it_was_agreed(client, scene):
    client = signed_in(client, scene["manager"])
    # the measure form offers the day it was agreed
    response = client.post(
        reverse("followups:measure_edit", args=[scene["plan"].pk]),
        {"title": "Adopt the plan", "priority": "high", "agreed_on": "2012-12-01"},
    )
    assert response.status_code == 302
    scene["plan"].refresh_from_db()
    assert scene["plan"].agreed_on == date(2012, 12, 1)
    assert "Dec. 1, 2012" in text(client.get(scene["plan"].get_absolute_url()))
