"""In Debian's Chromium: a programme manager enters the past of an engagement (a round of 2013 and
its report) from the follow-up board; the pages say they were recorded after the fact, the round is
late by its own dates, and the current round stays open."""

from datetime import date

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.roles import Role
from engagements.models import Country
from engagements.reference_data import load_countries
from followups.models import FollowupRound
from followups.models import StatusUpdate
from tests.e2e.test_followups_report_and_verify import sign_in
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_countries(Country)  # transactional tests start from an empty database
    engagement = EngagementFactory(
        country_id="PE", title="Peru: precursor control 2011", start_date=date(2011, 1, 10), phase="follow_up"
    )
    manager = make_user(Role.MANAGER, "PE", username="maria", first_name="María", last_name="Gestora")
    engagement.managers.add(manager)
    measure = make_measure(
        engagement, title="Adopt a risk-based inspection plan", agreed_on=date(2013, 3, 1), by=manager
    )
    return {"engagement": engagement, "measure": measure, "current": open_round(engagement)}


@pytest.mark.clock_sensitive
def test_a_manager_records_a_round_of_the_past_and_its_late_report(page: Page, live_server, scene):
    base = live_server.url
    sign_in(page, base, "maria")
    page.goto(f"{base}/followups/engagements/{scene['engagement'].pk}/")

    # when: the round of June 2013, from the board
    page.get_by_role("link", name="Record a round of the past").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a round of the past")
    page.get_by_label("Opened on").fill("2013-06-01")
    page.get_by_label("Due date").fill("2013-06-30")
    page.get_by_role("button", name="Record the round").click()

    # then: its page says so, and offers to record its reports
    expect(page.get_by_text("The round of the past was recorded; nobody was e-mailed.")).to_be_visible()
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    expect(page.get_by_text(f"Recorded after the fact by María Gestora on {today}")).to_be_visible()
    expect(page.get_by_text("A round of the past: counterparts do not report in it")).to_be_visible()

    # when: the report that came on 15 July 2013, verified on 20 July
    page.get_by_role("link", name="Record a report of the past on Adopt a risk-based inspection plan").click()
    expect(page.get_by_label("Round", exact=True)).to_have_value(
        str(FollowupRound.objects.get(recorded_at__isnull=False).pk)
    )
    page.get_by_label("Submitted on").fill("2013-07-15")
    page.get_by_label("Status").select_option(label="Partially implemented")
    page.get_by_label("Progress (%)").fill("50")
    page.get_by_label("What was reported").fill("The plan covers Lima and Callao.")
    page.get_by_label("Verified on").fill("2013-07-20")
    page.get_by_role("button", name="Record the report").click()

    # then: the report page shows its days and who recorded it
    expect(page.get_by_text("The report of the past was recorded; nobody was e-mailed.")).to_be_visible()
    expect(page.get_by_text("July 15, 2013")).to_be_visible()
    expect(page.get_by_text(f"Recorded after the fact by María Gestora on {today}")).to_be_visible()
    update = StatusUpdate.objects.get()
    assert (update.state, timezone.localdate(update.reviewed_at)) == ("accepted", date(2013, 7, 20))

    # and the round was submitted late, by its own dates, while the current round is still open
    page.get_by_role("link", name=f"due {date_format(date(2013, 6, 30), 'SHORT_DATE_FORMAT')}").click()
    expect(page.get_by_text("late", exact=True)).to_be_visible()
    scene["current"].refresh_from_db()
    assert scene["current"].closed_at is None
