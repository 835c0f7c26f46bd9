"""In Debian's Chromium: a counterpart reports on a measure with an evidence file, and the
programme manager verifies the report from the inbox; the board then shows it verified."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.roles import Role
from engagements.models import Country
from engagements.reference_data import load_countries
from followups.demo import tiny_pdf
from followups.models import Measure
from followups.models import StatusUpdate
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)
    engagement = other_engagement("PE", title="Peru: precursor control follow-up")
    manager = make_user(Role.MANAGER, "PE", username="maria", first_name="María", last_name="Gestora")
    engagement.managers.add(manager)
    measure = make_measure(engagement, title="Adopt a risk-based inspection plan", by=manager)
    round_ = open_round(engagement, due_date=timezone.localdate() + timedelta(days=20))
    make_user(Role.COUNTERPART, "PE", username="rosa", first_name="Rosa", last_name="Quispe")
    evidence = tmp_path / "inspection-plan-2026.pdf"
    evidence.write_bytes(tiny_pdf("Inspection plan 2026"))
    return {"engagement": engagement, "measure": measure, "round": round_, "evidence": evidence}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_counterpart_reports_with_a_file_and_the_manager_verifies_it(page: Page, live_server, scene):
    base = live_server.url
    # given: the counterpart finds the open round from the main navigation
    sign_in(page, base, "rosa")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Follow-up").click()
    page.get_by_role("link", name="Report now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow-up round due")
    form = page.get_by_role("form", name="Report on Adopt a risk-based inspection plan")

    # when: they save a draft first, then complete and submit it with a file
    form.get_by_label("Status").select_option(label="In progress")
    form.get_by_label("Progress (%)").fill("40")
    form.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft on “Adopt a risk-based inspection plan” was saved.")).to_be_visible()
    form = page.get_by_role("form", name="Report on Adopt a risk-based inspection plan")
    expect(form.get_by_label("Progress (%)")).to_have_value("40")
    form.get_by_label("What was done since the last report").fill("The plan for Lima and Callao is approved.")
    form.get_by_label("Evidence files").set_input_files(str(scene["evidence"]))
    form.get_by_role("button", name="Submit report").click()

    # then: the report waits for verification
    expect(page.get_by_text("Your report on “Adopt a risk-based inspection plan” was submitted.")).to_be_visible()
    card = page.locator(f"#measure-{scene['measure'].pk}")
    expect(card.get_by_text("Awaiting verification").first).to_be_visible()
    expect(card.get_by_role("link", name="inspection-plan-2026.pdf")).to_be_visible()
    update = StatusUpdate.objects.get()
    assert (update.state, update.progress_pct, update.evidence.count()) == ("submitted", 40, 1)
    sign_out(page)

    # when: the manager opens the inbox, looks at the file and accepts the report
    sign_in(page, base, "maria")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Verification inbox").click()
    expect(page.get_by_role("rowheader", name="Adopt a risk-based inspection plan")).to_be_visible()
    page.get_by_role("link", name="Review").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="inspection-plan-2026.pdf").click()
    assert download.value.suggested_filename == "inspection-plan-2026.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")
    page.get_by_label("Accept: the report is verified").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The report is verified.")).to_be_visible()

    # then: the board shows the measure verified, and the inbox is empty
    page.goto(f"{base}/followups/engagements/{scene['engagement'].pk}/")
    row = page.get_by_role("row", name=re.compile("Adopt a risk-based inspection plan"))
    expect(row.locator(".badge", has_text="Verified")).to_be_visible()
    expect(row.get_by_text("In progress")).to_be_visible()
    measure = Measure.objects.get(pk=scene["measure"].pk)
    assert (measure.status, measure.verified_status) == ("in_progress", "in_progress")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Verification inbox").click()
    expect(page.get_by_text("Nothing to verify.")).to_be_visible()
