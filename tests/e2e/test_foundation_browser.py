"""In Debian's Chromium: a manager creates an engagement and finds it in the list; a counterpart of
another country cannot open it."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.models import Engagement
from engagements.reference_data import load_countries
from tests.factories import PASSWORD
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)
    return {
        "manager": make_user("manager", "PE", username="maria", first_name="María", last_name="Gestora"),
        "counterpart_co": make_user("counterpart", "CO", username="camilo"),
    }


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_manager_creates_an_engagement_that_another_countrys_counterpart_cannot_open(page: Page, live_server, people):
    base = live_server.url
    # given: the manager signs in and opens the engagements from the main navigation
    sign_in(page, base, "maria")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Engagements").click()
    page.get_by_role("link", name="New engagement").click()

    # when: they fill in and save the form
    page.get_by_label("Country").select_option(label="Peru")
    page.get_by_label("Title").fill("Peru: browser-made engagement")
    page.get_by_role("combobox", name="Phase").select_option(label="Assessment")
    page.get_by_label("Start date").fill("2026-05-04")
    page.get_by_role("button", name="Save").click()

    # then: the engagement's page shows it, and the list finds it by search
    expect(page.get_by_role("heading", level=1)).to_have_text("Peru: browser-made engagement")
    expect(page.get_by_text("The engagement was saved.")).to_be_visible()
    engagement = Engagement.objects.get(title="Peru: browser-made engagement")
    assert (engagement.country_id, engagement.phase) == ("PE", "assessment")
    page.get_by_role("link", name="Engagements").first.click()
    page.get_by_role("textbox", name="Search").fill("browser-made")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("cell", name="Peru: browser-made engagement")).to_be_visible()
    expect(page.get_by_text("1 engagement", exact=True)).to_be_visible()
    sign_out(page)

    # when: a counterpart of Colombia signs in and tries the engagement's address
    sign_in(page, base, "camilo")
    response = page.goto(f"{base}/engagements/{engagement.pk}/")

    # then: it is not found, and their own list does not show it
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto(f"{base}/engagements/")
    expect(page.get_by_text("No engagements match.")).to_be_visible()
