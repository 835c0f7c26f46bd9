"""In Debian's Chromium, one role at a time: sign in, land on "My work", click the first item and
arrive where that work is done. The home page reads the clock, so the data is built around today."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.roles import Role
from engagements.models import Country
from engagements.models import Engagement
from engagements.reference_data import load_countries
from tests.factories import PASSWORD
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.clock_sensitive, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)
    today = timezone.localdate()
    engagement = EngagementFactory(country_id="PE", title="Peru: precursor control", phase=Engagement.Phase.FOLLOW_UP)
    manager = make_user(Role.MANAGER, "PE", username="maria")
    counterpart = make_user(Role.COUNTERPART, "PE", username="rosa")
    trainer = make_user(Role.TRAINER, "PE", username="tomas")
    make_user(Role.VIEWER, "PE", username="vera")
    first = make_measure(engagement, title="Adopt an inspection plan", by=manager)
    make_measure(engagement, title="Train customs officers", by=manager)
    round_ = open_round(engagement, opens_on=today - timedelta(days=3), due_date=today + timedelta(days=20))
    report(first, round_, counterpart)
    session = SessionFactory(
        engagement=engagement,
        title="Customs course",
        start_date=today - timedelta(days=6),
        end_date=today - timedelta(days=5),
        trainers=[trainer],
    )
    EnrolmentFactory(session=session, person=PersonFactory(), days_attended=None)
    EnrolmentFactory(session=session, person=PersonFactory(), days_attended=Decimal(2))
    return {"round": round_, "session": session}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def first_work_item(page: Page, section: str):
    return page.get_by_role("region", name=section).get_by_role("listitem").first.get_by_role("link").first


def test_a_counterpart_goes_from_home_to_the_open_round_in_one_click(page: Page, live_server, scene):
    sign_in(page, live_server.url, "rosa")
    item = first_work_item(page, "National counterpart")
    expect(item).to_contain_text("round due")
    expect(page.get_by_text("20 days left; 1 measure still to report")).to_be_visible()

    item.click()

    expect(page).to_have_url(re.compile(rf"/followups/rounds/{scene['round'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow-up round due")


def test_a_manager_goes_from_home_to_the_verification_inbox_in_one_click(page: Page, live_server, scene):
    sign_in(page, live_server.url, "maria")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Verification inbox (1 waiting)")).to_be_visible()
    item = first_work_item(page, "Programme / project manager")
    expect(item).to_have_text("1 report awaiting verification")

    item.click()

    expect(page).to_have_url(re.compile(r"/followups/inbox/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verification inbox")
    expect(page.get_by_text("Adopt an inspection plan").first).to_be_visible()


def test_a_trainer_goes_from_home_to_the_missing_attendance_in_one_click(page: Page, live_server, scene):
    sign_in(page, live_server.url, "tomas")
    item = first_work_item(page, "Trainer")
    expect(item).to_have_text("Customs course: attendance missing")

    item.click()

    expect(page).to_have_url(re.compile(rf"/trainings/sessions/{scene['session'].pk}/attendance/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customs course")
    expect(page.get_by_role("table", name="Attendance per participant")).to_be_visible()


def test_a_viewer_goes_from_home_to_what_changed_in_their_country_in_one_click(page: Page, live_server, scene):
    sign_in(page, live_server.url, "vera")
    item = first_work_item(page, "Viewer (donor, analyst)")
    expect(item).to_have_text("Peru: new since your last visit")
    expect(page.get_by_text("1 training session held")).to_be_visible()

    item.click()

    expect(page).to_have_url(re.compile(r"/outcomes/countries/PE/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes: Peru")
