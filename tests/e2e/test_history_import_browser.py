"""In Chromium: a manager uploads a small history workbook, sees the dry run's summary with no errors,
imports it for real from the button and sees the import done; a workbook with errors shows them in a
table; the page of a running import follows it with its progress bar (a script file, no inline code)
and shows the result once it is done. The pages pass axe-core's accessibility checks."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Engagement
from history import progress
from history.exporter import write_history_workbook
from history.models import HistoryImport
from history.samples import sample_rows
from ta_portal.tabular import XLSX_CONTENT_TYPE
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.history.factories import make_import

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def upload(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("History workbook (XLSX)").set_input_files(
        {"name": name, "mimeType": XLSX_CONTENT_TYPE, "buffer": content}
    )
    page.get_by_role("button", name="Upload").click()


def test_a_manager_dry_runs_a_workbook_then_imports_it_for_real(page: Page, live_server):
    make_user("manager", "PE", username="maria")
    rows = sample_rows(rows=60, country="PE")
    base = live_server.url

    # given the manager on the history page, reached from the navigation
    sign_in(page, base, "maria")
    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_role("button", name="More").click()  # History is one of the registers under "More"
    navigation.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme history")
    expect(page.get_by_label("Dry run first")).to_be_checked()
    expect(page.get_by_role("link", name="Download the template (XLSX)")).to_be_visible()
    assert_accessible(page)

    # when they upload a small valid workbook with the dry run ticked (the default)
    upload(page, "peru-2011-2016.xlsx", write_history_workbook(rows))

    # then the dry run's page shows its summary and no errors, and offers the real import
    expect(page.get_by_role("heading", level=1)).to_have_text("peru-2011-2016.xlsx")
    expect(page.get_by_text("Dry run: the workbook is checked and nothing is saved.")).to_be_visible()
    summary = page.get_by_role(
        "table", name="Records per sheet that the import would create, update or leave unchanged"
    )
    expect(summary.get_by_role("row", name=f"measures {len(rows['measures'])} 0 0")).to_be_visible()
    expect(page.get_by_role("table", name="Errors by sheet, row and column")).to_have_count(0)
    expect(page.locator("progress")).to_have_count(0)
    assert not Engagement.objects.exists()
    assert_accessible(page)

    # when they import it for real
    page.get_by_role("button", name="Import for real").click()

    # then the real import's page shows it done with its summary, and the records are there
    expect(page.get_by_text("The workbook is being imported for real.")).to_be_visible()
    expect(page.get_by_text("Import: the workbook's records are saved, all or nothing.")).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("Done")
    summary = page.get_by_role("table", name="Records per sheet created, updated or left unchanged")
    expect(summary.get_by_role("row", name=f"engagements {len(rows['engagements'])} 0 0")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
    expect(page.get_by_role("button", name="Import for real")).to_have_count(0)
    assert Engagement.objects.filter(country_id="PE").count() == len(rows["engagements"])
    assert HistoryImport.objects.get(dry_run=False).status == HistoryImport.Status.DONE
    assert_accessible(page)


def test_a_workbook_with_errors_shows_them_in_a_table(page: Page, live_server):
    make_user("manager", "PE", username="maria")
    rows = sample_rows(rows=60, country="PE")
    rows["measures"][0]["priority"] = "urgent"
    sign_in(page, live_server.url, "maria")
    page.goto(f"{live_server.url}/history/")

    upload(page, "with-errors.xlsx", write_history_workbook(rows))

    errors = page.get_by_role("table", name="Errors by sheet, row and column")
    expect(errors).to_be_visible()
    row = errors.get_by_role("row").filter(has_text="priority")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text("measures")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")
    expect(page.get_by_role("button", name="Import for real")).to_have_count(0)
    assert_accessible(page)


def test_the_page_of_a_running_import_follows_it_until_it_is_done(page: Page, live_server):
    manager = make_user("manager", "PE", username="maria")
    running = make_import(manager, status=HistoryImport.Status.RUNNING, summary={}, file_name="big.xlsx")
    sign_in(page, live_server.url, "maria")

    # given the page of an import still running: a labelled progress bar and a way to refresh by hand
    page.goto(f"{live_server.url}{running.get_absolute_url()}")
    bar = page.get_by_label("Rows of the workbook read")
    expect(bar).to_be_visible()
    expect(page.get_by_role("link", name="Refresh the page")).to_be_visible()
    assert_accessible(page)

    # when the worker has read some rows, the bar and its text move without a reload
    progress.report(running.pk, done=300, total=1200)
    expect(page.get_by_text("300 of 1200 rows read (25 %).")).to_be_visible(timeout=15_000)
    expect(bar).to_have_attribute("max", "1200")
    assert page.evaluate("document.getElementById('import-progress').value") == 300

    # when it is done, the page shows the result by itself
    HistoryImport.objects.filter(pk=running.pk).update(
        status=HistoryImport.Status.DONE,
        rows_done=1200,
        rows_total=1200,
        summary={"measures": {"created": 1200, "updated": 0, "unchanged": 0}},
        finished_at=timezone.now(),
    )
    progress.report(running.pk, done=1200, total=1200)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=20_000)
    expect(page.locator("progress")).to_have_count(0)
    expect(page.locator("#import-status")).to_have_text("Done")
