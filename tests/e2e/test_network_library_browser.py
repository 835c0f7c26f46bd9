"""In Chromium: a manager uploads a document restricted to Peru's users; a Peruvian counterpart
finds and downloads it, a Colombian counterpart finds nothing and the direct links answer 404.
The upload form and the document page pass axe-core's accessibility checks."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from network.models import Document
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.network.factories import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def countries():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def test_a_restricted_document_is_invisible_to_an_outsider(page: Page, live_server):
    make_user("manager", "PE", username="maria")
    make_user("counterpart", "PE", username="rosa")
    make_user("counterpart", "CO", username="camilo")
    base = live_server.url

    # given a manager who adds a document for Peru's users only
    sign_in(page, base, "maria")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Network", exact=True).click()
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_role("link", name="Add a document").click()
    page.get_by_label("Title").fill("Peru inspection protocol 2026")
    page.get_by_label("Kind").select_option("legislation")
    # the country picker appears only once that audience is chosen (a script file, no inline code)
    expect(page.get_by_label("Country of the audience")).to_be_hidden()
    page.locator("#id_audience").select_option("country")
    expect(page.get_by_label("Country of the audience")).to_be_visible()
    page.get_by_label("Country of the audience").select_option("PE")
    assert_accessible(page)
    page.get_by_label("File").set_input_files(
        {"name": "protocol.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Inspection protocol")}
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peru inspection protocol 2026")
    expect(page.get_by_text("Users of one country: Peru")).to_be_visible()
    assert_accessible(page)
    document = Document.objects.get(title="Peru inspection protocol 2026")
    detail_url = f"{base}/network/documents/{document.pk}/"
    download_url = f"{base}/network/documents/{document.pk}/download/"

    # then a Colombian counterpart finds nothing, by browsing or searching, and the links answer 404
    sign_in(page, base, "camilo")
    page.goto(f"{base}/network/documents/")
    expect(page.get_by_text("0 documents")).to_be_visible()
    page.get_by_role("textbox", name="Search").fill("inspection")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No documents match.")).to_be_visible()
    expect(page.get_by_text("Peru inspection protocol 2026")).to_have_count(0)
    assert page.goto(detail_url).status == 404
    assert page.request.get(download_url).status == 404
    assert page.request.get(f"{base}/api/v1/documents/{document.pk}/download/").status == 404

    # while a Peruvian counterpart finds it and downloads the PDF
    sign_in(page, base, "rosa")
    page.goto(f"{base}/network/documents/")
    page.get_by_role("textbox", name="Search").fill("inspection")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name="Peru inspection protocol 2026", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download", exact=True).first.click()
    download = download_info.value
    assert download.suggested_filename == "protocol.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
