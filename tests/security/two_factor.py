"""Steps the two-factor tests share: a user's TOTP codes, an enrolled device, the password step."""

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password step succeeds"
    return response


def sign_in_with_code(client, username, device: TOTPDevice):
    sign_in(client, username)
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert response.status_code == 302, "the code step succeeds"
