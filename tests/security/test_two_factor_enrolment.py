"""The first two-factor enrolment of a role that requires it: the password alone does not open the
set-up page (tests/security/test_two_factor.py); a link e-mailed to the user does, or a one-time code
from an administrator. E-mail goes over real SMTP on loopback."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OtpEnrolmentCode
from accounts.services import otp_enrolment_code_issue
from audit.models import FailedLogin
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.mailserver import body_of
from tests.security.two_factor import code_for
from tests.security.two_factor import enrol
from tests.security.two_factor import sign_in
from tests.security.two_factor import sign_in_with_code

# Links and codes expire relative to the clock: make test-clocks runs these on other dates too.
pytestmark = pytest.mark.clock_sensitive

LINK = re.compile(r"https?://[^/\s]+(/accounts/security/2fa/enrol/[^/\s]+/)")
ADMIN_CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """Runs the request's on-commit work (the e-mail task) as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def wait_for_link(client, smtp, mailed) -> str:
    """Sign-in done: the first page the user asks for is the waiting page, which mails the link."""
    with mailed():
        page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
    return LINK.search(body_of(smtp.messages[-1])).group(1)


def confirm_device(client, user, next_url="/"):
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": code_for(device), "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return device


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_e_mailed_link_opens_the_set_up_and_then_the_portal(client, manager, otp_required, smtp, mailed):
    # given a manager with no second factor who signed in with the password
    sign_in(client, "maria")
    # when they reach the waiting page, it says where the link went, and the link arrives there
    with mailed():
        page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
    assert "m…@example.org" in page.content.decode()
    [message] = smtp.messages
    assert message["To"] == "maria@example.org"
    assert message["Subject"] == "Set up two-factor authentication for the TA Portal"
    link = LINK.search(body_of(message)).group(1)
    # following it opens the set-up page with the QR code and the key
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    # then the code of the app confirms the device and opens the portal
    device = confirm_device(client, manager, next_url="/engagements/")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("engagements:list")).status_code == 200


def test_a_link_followed_before_signing_in_leads_through_the_sign_in(client, manager, otp_required, smtp, mailed):
    sign_in(client, "maria")
    link = wait_for_link(client, smtp, mailed)
    # given the link is opened in another browser, where nobody is signed in
    other_browser = client.__class__()
    response = other_browser.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    # when they sign in there, they come back to the link, and it opens the set-up
    response = other_browser.post(response["Location"], {"username": "maria", "password": PASSWORD})
    assert response["Location"] == link
    assert other_browser.get(link)["Location"] == reverse("accounts:otp_setup")
    assert other_browser.get(reverse("accounts:otp_setup")).status_code == 200


def test_a_link_opens_nothing_for_another_user(client, manager, otp_required, smtp, mailed):
    sign_in(client, "maria")
    link = wait_for_link(client, smtp, mailed)
    # given another manager, signed in with their password
    make_user("manager", "PE", username="marco", email="marco@example.org")
    other = client.__class__()
    sign_in(other, "marco")
    # when they follow Maria's link: a clear error, and still no set-up page for them
    page = other.get(link, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
    assert "This link was sent to another account." in shown_messages(page)[0]
    assert other.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))
    # and Maria's link still works for her
    assert client.get(link)["Location"] == reverse("accounts:otp_setup")


def test_an_expired_link_opens_nothing(client, manager, otp_required, smtp, mailed):
    sign_in(client, "maria")
    link = wait_for_link(client, smtp, mailed)
    # when the link is followed a day and a minute later (signed in again: sessions are shorter)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        sign_in(client, "maria")
        page = client.get(link, follow=True)
        # then a clear error on the waiting page, and no set-up page
        assert page.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
        assert "This link has expired" in shown_messages(page)[0]
        assert client.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))


def test_a_tampered_link_opens_nothing(client, manager, otp_required, smtp, mailed):
    sign_in(client, "maria")
    link = wait_for_link(client, smtp, mailed)
    page = client.get(link[:-3] + "xx/", follow=True)
    assert "This link is not valid" in shown_messages(page)[0]
    assert client.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))


def test_a_link_does_not_work_again_once_a_device_was_set_up_with_it(client, manager, otp_required, smtp, mailed):
    # given Maria set up her device through the link
    sign_in(client, "maria")
    link = wait_for_link(client, smtp, mailed)
    client.get(link)
    confirm_device(client, manager)
    # when she follows it again: no new device
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert TOTPDevice.objects.filter(user=manager).count() == 1
    # and after an administrator resets her second factor (she lost her phone), the old link is dead
    TOTPDevice.objects.filter(user=manager).delete()
    fresh = client.__class__()
    sign_in(fresh, "maria")
    page = fresh.get(link, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
    assert "This link is not valid any more" in shown_messages(page)[0]
    assert fresh.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))


def test_the_link_is_sent_again_on_request_within_the_reset_limits(
    client, manager, otp_required, smtp, mailed, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    sign_in(client, "maria")
    wait_for_link(client, smtp, mailed)
    # when she asks for the link again, twice: two more e-mails
    for _ in range(2):
        with mailed():
            page = client.post(reverse("accounts:otp_enrol"), {"action": "resend"}, follow=True)
        assert "We sent a new link" in shown_messages(page)[0]
    # then a fourth request within the hour sends nothing and says why
    with mailed():
        page = client.post(reverse("accounts:otp_enrol"), {"action": "resend"}, follow=True)
    assert "Too many links" in shown_messages(page)[0]
    assert len(smtp.messages) == 3
    # signing in again does not get round the limit
    again = client.__class__()
    sign_in(again, "maria")
    with mailed():
        assert again.get(reverse("accounts:otp_enrol")).status_code == 200
    assert len(smtp.messages) == 3
    # any of the links sent works
    assert client.get(LINK.search(body_of(smtp.messages[0])).group(1))["Location"] == reverse("accounts:otp_setup")


def test_without_an_e_mail_address_the_page_says_to_ask_an_administrator(client, db, otp_required, smtp, mailed):
    make_user("manager", "PE", username="maria", email="")
    sign_in(client, "maria")
    with mailed():
        page = client.get(reverse("home"), follow=True)
        assert "Your account has no e-mail address" in page.content.decode()
        page = client.post(reverse("accounts:otp_enrol"), {"action": "resend"}, follow=True)
    assert "Your account has no e-mail address" in shown_messages(page)[0]
    assert smtp.messages == []


# ---- A one-time code from an administrator ---------------------------------------------------


def test_an_administrator_issues_a_code_that_opens_the_set_up_once(client, manager, otp_required):
    # given an administrator, signed in with both factors
    admin = make_user("admin", username="ada", is_staff=True, is_superuser=True)
    admin_client = client.__class__()
    sign_in_with_code(admin_client, "ada", enrol(admin))
    # when they issue an enrolment code for Maria from the users' list of the admin
    page = admin_client.post(
        "/admin/accounts/user/",
        {"action": "issue_otp_enrolment_code", "_selected_action": [manager.pk]},
        follow=True,
    )
    [shown] = [m for m in shown_messages(page) if "maria" in m]
    code = ADMIN_CODE.search(shown).group(0)
    # then only its digest is stored
    stored = OtpEnrolmentCode.objects.get(user=manager)
    assert code not in stored.digest and code.replace("-", "") not in stored.digest
    assert stored.created_by == admin

    # Maria, signed in with her password, gives a wrong code: refused and recorded
    sign_in(client, "maria")
    response = client.post(reverse("accounts:otp_enrol"), {"code": "ABCD-EFGH-JKLM"})
    assert response.status_code == 200
    assert "The enrolment code is wrong" in response.content.decode()
    assert FailedLogin.objects.get().reason == "bad_otp"
    assert client.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))
    # the right one (typed in lower case, with spaces) opens the set-up
    response = client.post(reverse("accounts:otp_enrol"), {"code": f" {code.lower().replace('-', ' ')} "})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_setup"))
    # but only once: in another session the same code opens nothing
    other = client.__class__()
    sign_in(other, "maria")
    assert other.post(reverse("accounts:otp_enrol"), {"code": code}).status_code == 200
    assert other.get(reverse("accounts:otp_setup"))["Location"].startswith(reverse("accounts:otp_enrol"))
    # and with her app's code Maria reaches the portal
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    confirm_device(client, manager)
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolment_code_expires_and_a_new_one_replaces_the_old(client, manager, otp_required):
    admin = make_user("admin", username="ada")
    first = otp_enrolment_code_issue(user=manager, by=admin)
    second = otp_enrolment_code_issue(user=manager, by=admin)
    sign_in(client, "maria")
    # the first code was replaced by the second
    assert client.post(reverse("accounts:otp_enrol"), {"code": first}).status_code == 200
    # and the second has expired three days and a minute later
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1), tick=False):
        sign_in(client, "maria")
        response = client.post(reverse("accounts:otp_enrol"), {"code": second})
        assert response.status_code == 200
        assert "The enrolment code is wrong" in response.content.decode()


def test_only_administrators_may_issue_enrolment_codes(client, manager, db):
    # A manager without the admin site gets no further than the admin's sign-in page.
    client.force_login(manager)
    response = client.post(
        "/admin/accounts/user/", {"action": "issue_otp_enrolment_code", "_selected_action": [manager.pk]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not OtpEnrolmentCode.objects.exists()
