"""In Chromium: a counterpart types words in the header's search box, lands on the results (which
pass axe-core and show only their country's records, the words highlighted) and opens a result."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def countries():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)


def test_a_counterpart_searches_from_the_header_and_opens_a_result(page: Page, live_server):
    admin = make_user("admin", username="ada")
    make_user("counterpart", "PE", username="rosa")
    own = make_measure(EngagementFactory(country_id="PE"), title="Register the acetone importers", by=admin)
    make_measure(EngagementFactory(country_id="CO"), title="Audit the acetone distributors", by=admin)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # when she types in the header's search box and presses Enter
    box = page.get_by_role("search").get_by_role("searchbox", name="Search the portal")
    box.fill("acetone")
    box.press("Enter")

    # then the results show her country's measure only, the word highlighted
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.locator(".search-results mark").first).to_have_text(re.compile("acetone", re.IGNORECASE))
    expect(page.get_by_text("Audit the acetone distributors")).to_have_count(0)
    assert_accessible(page)

    # and one click opens it
    page.get_by_role("link", name="Register the acetone importers").click()
    expect(page).to_have_url(re.compile(rf"{own.get_absolute_url()}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register the acetone importers")
