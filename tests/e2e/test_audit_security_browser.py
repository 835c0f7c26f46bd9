"""In Debian's Chromium, under the production content security policy: an administrator enrols a
second factor through the link e-mailed to them, uses the Swagger UI and the admin, and sees their
change in the audit trail; no page needs an inline script, and one injected into a page does not run.
The enrolment pages pass axe-core."""

import re
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.factories import make_user
from tests.mailserver import body_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page: Page):
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return messages


def totp_code(secret: str) -> str:
    key = b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def enrolment_link(smtp) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/security/2fa/enrol/\S+/)", body_of(smtp.messages[-1])).group(1)


def test_an_admin_enrols_2fa_uses_swagger_and_the_admin_under_the_csp(
    page: Page, live_server, settings, smtp, csp_violations
):
    # given an administrator who must use a second factor
    settings.OTP_REQUIRED_ROLES = ["admin", "manager"]
    admin = make_user("admin", username="ada", is_staff=True, is_superuser=True)
    base = live_server.url

    # when they sign in with their password, they are told a set-up link was e-mailed to them
    sign_in(page, base, "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_text("we sent a link to a…@example.org")).to_be_visible()
    expect(page.locator("figure.otp-qr")).to_have_count(0)
    assert [message["To"] for message in smtp.messages] == ["ada@example.org"]

    # following the link, they are asked to set up an authenticator app
    page.goto(f"{base}{enrolment_link(smtp)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.locator("figure.otp-qr svg")).to_be_visible()
    secret = page.locator("code").first.inner_text()

    # and with the app's code they reach the portal
    page.get_by_label("Code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")

    # the Swagger UI renders from local files and its start-up script file
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TA Portal API", timeout=15000)

    # the admin works, and a change made there lands in the audit trail with its author
    page.goto(f"{base}/admin/accounts/user/{admin.pk}/change/")
    page.get_by_label("First name").fill("Ada Lovelace")
    page.get_by_role("button", name=re.compile("^Save$")).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{base}/audit/?model=accounts.user&object={admin.pk}")
    row = page.get_by_role("row").filter(has_text="first_name")
    expect(row.first).to_contain_text("ada")
    expect(row.first).to_contain_text("changed")

    # then nothing on the way was refused by the policy
    assert csp_violations == []


def test_a_script_injected_into_a_page_does_not_run(page: Page, live_server, csp_violations):
    make_user("viewer", "PE", username="vera")
    page.goto(f"{live_server.url}/accounts/login/")
    # An attacker who slips markup into a page (stored XSS) gets an inline script without the nonce.
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__injected = true';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.__injected === true") is False
    assert any("script" in message for message in csp_violations)


def test_the_navigation_menu_script_runs_under_the_policy(page: Page, live_server, csp_violations):
    # Bootstrap's bundle is a same-origin file with the nonce: the collapsed menu opens.
    make_user("viewer", "PE", username="vera")
    page.set_viewport_size({"width": 480, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert csp_violations == []


def test_the_enrolment_pages_pass_axe(browser: Browser, live_server, settings, smtp):
    # Not in the accessibility crawl: the demo requires no second factor, so it never shows them.
    settings.OTP_REQUIRED_ROLES = ["admin", "manager"]
    make_user("manager", "PE", username="maria")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    problems = []
    try:
        sign_in(page, live_server.url, "maria")
        expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
        expect(page.get_by_label("Enrolment code from an administrator")).to_be_visible()
        visited = [page.url]
        violations = axe.run(page).response["violations"]
        page.goto(enrolment_link(smtp))
        expect(page.locator("figure.otp-qr svg")).to_be_visible()
        visited.append(page.url)
        violations += axe.run(page).response["violations"]
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in {"serious", "critical"}
        ]
    finally:
        context.close()
    assert len(visited) == 2 and problems == []
