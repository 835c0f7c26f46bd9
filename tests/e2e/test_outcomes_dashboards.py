"""In Debian's Chromium: a programme manager opens the programme dashboard, sees where it is behind,
goes to a country's dashboard and downloads its tables; both pages fit a phone screen and pass axe."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from outcomes.models import OutcomeTarget
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.outcomes.factories import generate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)
    data = generate(size=1, seed=61)
    OutcomeTarget.objects.create(
        programme=data.programme,
        title="Post-test mean of at least 99 %",
        metric="post_mean_pct",
        comparator="gte",
        target_value=99,
        period_start=date(2023, 1, 1),
        period_end=date(2027, 12, 31),
    )
    make_user("manager", "PE", "CO", username="maria")
    return data.programme


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_manager_finds_where_the_programme_is_behind_and_downloads_a_country_export(
    page: Page, live_server, programme
):
    base = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # given: the manager signs in and opens the outcomes from the main navigation
    sign_in(page, base, "maria")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Outcomes").click()
    page.get_by_role("link", name=programme.name).click()

    # when: they look at 2025
    page.get_by_label("Year", exact=True).select_option("2025")
    page.get_by_role("button", name="Show").click()

    # then: targets against actuals, with the chart and its table, and the countries behind
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.name)
    expect(page.get_by_role("heading", name="Targets against actuals, 2025")).to_be_visible()
    expect(page.get_by_role("img", name="Targets against actuals, 2025")).to_be_visible()
    targets = page.get_by_role("table", name="Targets against actuals")
    expect(targets.get_by_role("row", name="Post-test mean of at least 99 %")).to_contain_text("Behind")
    behind = page.locator("section", has=page.get_by_role("heading", name="Where the programme is behind in 2025"))
    expect(behind.get_by_role("link", name="Peru")).to_be_visible()
    expect(behind.get_by_role("link", name="Colombia")).to_be_visible()
    assert_accessible(page)

    # when: they open Peru from the grid of countries
    page.get_by_role("list", name="Countries at a glance").get_by_role("link", name="Peru").click()

    # then: the country dashboard, for 2025; they widen it to every year
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes: Peru")
    expect(page.get_by_label("Year", exact=True)).to_have_value("2025")
    page.get_by_label("Year", exact=True).select_option("")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Every year.", exact=True)).to_be_visible()
    # and see each chart with its table
    expect(page.get_by_role("img", name="Engagements through the four phases")).to_be_visible()
    expect(page.get_by_role("img", name="Pre- and post-test mean by sex (%)")).to_be_visible()
    expect(page.get_by_role("table", name="Training gains by sex")).to_contain_text("All participants")
    expect(page.get_by_role("table", name="Measures by status")).to_contain_text("Implemented")
    assert_accessible(page)

    # when: they download every table of the page
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Every table of this page (Excel, XLSX)").click()
    download = download_info.value

    # then: a workbook with one sheet per table
    assert download.suggested_filename.startswith("outcomes-pe-") and download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert workbook.sheetnames == [
        "Engagements",
        "Maturity",
        "Training by sex",
        "Training by agency",
        "Measures",
        "Rounds",
        "Indicators",
    ]
    assert workbook["Training by sex"]["A2"].value == "All participants"

    # and on a phone both dashboards fit the screen (wide tables scroll inside their box)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _fits_the_screen(page)
    page.goto(f"{base}/outcomes/programmes/{programme.code}/?year=2025")
    assert _fits_the_screen(page)
    assert errors == []
