"""Two-factor authentication: optional for everyone, required for the roles in OTP_REQUIRED_ROLES."""

import re

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit.models import FailedLogin
from tests.factories import PASSWORD
from tests.security.two_factor import code_for
from tests.security.two_factor import enrol
from tests.security.two_factor import sign_in


def test_a_password_alone_does_not_open_the_set_up_page(client, manager, otp_required):
    # given a manager (a role that must use a second factor, none set up yet) who signed in with the password
    sign_in(client, "maria")
    # when they ask for any page, they are sent to the page that waits for the e-mailed link
    for url in (reverse("home"), reverse("engagements:list"), reverse("audit:list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_enrol"))
    # and the set-up page itself shows neither QR code nor key: it sends them back there
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "we sent a link" in content and "<svg" not in content
    # until the second factor is given, nothing of what the account reaches
    assert page.context["nav_items"] == [] and "Audit trail" not in content
    # then even the right code of the device awaiting confirmation (were its key known) confirms nothing
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302


def test_an_enrolled_manager_enters_a_code_at_every_sign_in(client, manager, otp_required):
    device = enrol(manager)
    sign_in(client, "maria")
    session_key_after_password = client.session.session_key
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # a wrong code is refused and recorded
    response = client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    assert response.status_code == 200 and "wrong" in response.content.decode()
    assert FailedLogin.objects.get().reason == "bad_otp"
    assert client.get(reverse("home")).status_code == 302
    # the right code (after the throttle delay a failure imposes) opens the portal
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device), "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # and the session key changed, so one seen between the two steps is worthless
    assert client.session.session_key != session_key_after_password


def test_a_code_cannot_be_used_twice(client, manager, otp_required):
    device = enrol(manager)
    code = code_for(device)
    sign_in(client, "maria")
    assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    other = client.__class__()
    sign_in(other, "maria")
    response = other.post(reverse("accounts:otp_verify"), {"code": code})
    assert response.status_code == 200  # refused: the code was spent


def test_guessing_codes_is_throttled(client, manager, otp_required):
    device = enrol(manager)
    sign_in(client, "maria")
    client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    # Right after a failure even the right code is refused (django-otp's exponential back-off).
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert "Wait a few seconds" in response.content.decode()


def test_an_unverified_session_gets_403_from_the_api(client, manager, otp_required):
    enrol(manager)
    sign_in(client, "maria")
    response = client.get("/api/v1/engagements/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_other_roles_need_no_second_factor_but_may_choose_one(client, counterpart, otp_required):
    sign_in(client, "rosa")
    assert client.get(reverse("home")).status_code == 200
    # they enrol from their security page
    assert "Set up two-factor" in client.get(reverse("accounts:security")).content.decode()
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=counterpart)
    assert client.post(reverse("accounts:otp_setup"), {"code": code_for(device)}).status_code == 302
    # from then on their sign-ins ask for a code too
    fresh = client.__class__()
    sign_in(fresh, "rosa")
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))


def test_a_counterpart_may_turn_it_off_with_a_code_but_a_manager_may_not(client, counterpart, manager, otp_required):
    # given a counterpart signed in with both factors
    device = enrol(counterpart)
    sign_in(client, "rosa")
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    # a wrong code turns nothing off
    client.post(reverse("accounts:otp_disable"), {"code": "999999"})
    assert TOTPDevice.objects.filter(user=counterpart).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    # the next code does
    client.post(reverse("accounts:otp_disable"), {"code": code_for(device, offset_steps=1)})
    assert not TOTPDevice.objects.filter(user=counterpart).exists()
    assert client.get(reverse("home")).status_code == 200

    manager_device = enrol(manager)
    manager_client = client.__class__()
    sign_in(manager_client, "maria")
    manager_client.post(reverse("accounts:otp_verify"), {"code": code_for(manager_device)})
    response = manager_client.post(reverse("accounts:otp_disable"), {"code": code_for(manager_device, offset_steps=1)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_without_the_setting_managers_sign_in_with_a_password_alone(client, manager, settings):
    settings.OTP_REQUIRED_ROLES = []
    sign_in(client, "maria")
    assert client.get(reverse("home")).status_code == 200


def test_the_next_parameter_cannot_send_users_off_site(client, manager, otp_required):
    device = enrol(manager)
    sign_in(client, "maria")
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


# The API token endpoint


def ask_token(body):
    return APIClient().post("/api/v1/auth/token/", body, format="json")


def test_a_manager_without_a_device_gets_no_token(manager, otp_required):
    response = ask_token({"username": "maria", "password": PASSWORD})
    assert response.status_code == 400
    assert "two-factor" in response.json()["otp"][0]


def test_an_enrolled_manager_gets_a_token_only_with_a_right_code(manager, otp_required):
    device = enrol(manager)
    assert ask_token({"username": "maria", "password": PASSWORD}).status_code == 400
    wrong = ask_token({"username": "maria", "password": PASSWORD, "otp": "000000"})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = ask_token({"username": "maria", "password": PASSWORD, "otp": code_for(device)})
    assert right.status_code == 200 and re.fullmatch(r"[\w-]{40,}", right.json()["token"])


def test_roles_without_the_requirement_get_a_token_with_a_password(counterpart, otp_required):
    assert ask_token({"username": "rosa", "password": PASSWORD}).status_code == 200


def test_a_wrong_password_never_reveals_whether_a_code_is_needed(manager, otp_required):
    enrol(manager)
    response = ask_token({"username": "maria", "password": "wrong", "otp": "000000"})
    assert response.status_code == 400
    assert "otp" not in response.json()
