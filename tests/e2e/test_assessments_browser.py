"""In Debian's Chromium: a manager creates an assessment from the engagement's page, scores every
dimension on one page, sees the radar chart against the baseline, and downloads the PDF report."""

import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from assessments.models import Assessment
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import PASSWORD
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    manager = make_user("manager", "PE", username="maria", first_name="María", last_name="Gestora", language="en")
    engagement = EngagementFactory(country_id="PE", title="Peru: precursor control")
    AgencyFactory(country_id="PE", name="Customs", acronym="SUNAT")
    # A final baseline from 2024, so the new assessment is a re-assessment.
    make_assessment(
        engagement=engagement,
        title="Peru baseline 2024",
        start=date(2024, 4, 8),
        end=None,
        status=Assessment.Status.FINAL,
        levels={d.code: 2 for d in default_framework().dimensions.all()},
    )
    return {"manager": manager, "engagement": engagement}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def test_a_manager_creates_scores_and_downloads_the_report_of_an_assessment(
    page: Page, live_server, setting, pdftotext, tmp_path
):
    base = live_server.url
    engagement = setting["engagement"]
    # given: the manager opens the engagement and starts a new assessment from it
    sign_in(page, base, "maria")
    page.goto(f"{base}{engagement.get_absolute_url()}")
    page.get_by_role("link", name="New assessment").click()
    expect(page.get_by_label("Engagement")).to_have_value(str(engagement.pk))
    page.get_by_label("Title").fill("Peru re-assessment 2026")
    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_label("End date").fill("2026-04-17")
    page.get_by_label(re.compile("SUNAT")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peru re-assessment 2026")

    # when: they score every dimension on one page
    page.get_by_role("link", name="Score dimensions").click()
    dimensions = list(default_framework().dimensions.all())
    for index, dimension in enumerate(dimensions):
        group = page.get_by_role("group", name=f"{index + 1}. {dimension.name}", exact=True)
        group.get_by_role("radio", name=re.compile(rf"^{2 + index % 3}\. ")).check()
    page.get_by_label("Rationale").first.fill("The law covers Tables I and II; emergency scheduling added in 2025.")
    page.get_by_role("button", name="Save scores").click()

    # then: the radar chart and its table compare with the baseline
    expect(page.get_by_text("The scores were saved.")).to_be_visible()
    radar = page.locator("#radar-chart svg[role=img]")
    expect(radar).to_be_visible()
    assert "Baseline (2024)" in radar.inner_html()
    expect(page.locator("#maturity-table tbody tr")).to_have_count(13)
    expect(page.locator("#maturity-table")).to_contain_text("Baseline 2024")
    radar.screenshot(path="/tmp/assessment-radar.png")
    page.screenshot(path="/tmp/assessment-page.png", full_page=True)

    # when: they ask for the PDF report and download it
    page.get_by_role("button", name="Make the PDF report").click()
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)

    # then: it is the assessment's report, with its title and the dimensions
    assert path.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename.startswith("assessment-PE-2026-")
    text = subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Peru re-assessment 2026" in text
    assert dimensions[0].name in text
    assessment = Assessment.objects.get(title="Peru re-assessment 2026")
    assert assessment.scores.count() == 13
