"""Two-factor authentication (TOTP, django-otp): who needs it and the middleware that insists.

Any user may enrol an authenticator app; once enrolled, every sign-in asks for a code. Roles in
``OTP_REQUIRED_ROLES`` (administrators and managers in production) must enrol: after the password
they reach no page until they have set up and entered a code. The setting is empty under DEBUG and
tests, so the demo and the test suite sign in with a password alone unless a test turns it on.

The first enrolment of such a role needs more than the password, or whoever stole the password
would pick the second factor: the set-up page opens only after following a link e-mailed to the
user, or after entering a one-time code an administrator issued (accounts.services). Until then the
user waits on the enrolment page (``security_views.otp_enrol``).

API tokens follow the same rule: the token endpoint asks for an ``otp`` field from anyone who must
or did enrol (see ``token_api.py``); a token-authenticated request is not asked again, since the
token was issued only after both factors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404
from django.urls import resolve
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .scoping import has_role

# The session remembers whether the user has an enrolled device, so pages of users without one
# cost no extra query; it is set at sign-in and whenever a device is added or removed.
SESSION_HAS_DEVICE = "otp_has_device"
# The device whose set-up this session may open: the e-mailed link or an administrator's code put it
# here (see enrolment_proof_needed).
SESSION_ENROLMENT_DEVICE = "otp_enrolment_device"

# Pages a signed-in but not yet verified user may still reach.
ALLOWED_URL_NAMES = {
    "accounts:otp_enrol",
    "accounts:otp_enrol_link",
    "accounts:otp_setup",
    "accounts:otp_verify",
    "accounts:logout",
    "accounts:set_language",
    "set_language",
    "healthz",
}


def role_requires_otp(user) -> bool:
    roles = getattr(settings, "OTP_REQUIRED_ROLES", ())
    return bool(roles) and has_role(user, *roles)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_proof_needed(user) -> bool:
    """Whether setting up a device needs the e-mailed link or an administrator's code first: the
    role requires a second factor and none is set up yet, so the password is all the user has shown."""
    return role_requires_otp(user) and confirmed_device(user) is None


def pending_device(user) -> TOTPDevice:
    """The user's device awaiting confirmation, made on first need: the set-up page shows its key,
    and an enrolment link names it, so the link dies once that device is confirmed or removed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False, key=random_hex(20))
    return device


def grant_enrolment(request, device: TOTPDevice) -> None:
    request.session[SESSION_ENROLMENT_DEVICE] = device.pk


def granted_device(request) -> TOTPDevice | None:
    """The unconfirmed device of the signed-in user that this session may set up, if any."""
    pk = request.session.get(SESSION_ENROLMENT_DEVICE)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def otp_required_for(user, session=None) -> bool:
    """Whether this user must present a one-time code: their role demands it, or they enrolled."""
    if not user.is_authenticated:
        return False
    if role_requires_otp(user):
        return True
    if session is not None:
        if SESSION_HAS_DEVICE not in session:
            session[SESSION_HAS_DEVICE] = user_has_device(user)
        return session[SESSION_HAS_DEVICE]
    return user_has_device(user)


def verify_code(user, code: str) -> TOTPDevice | None:
    """The user's device that accepts this code, or None (wrong code, or throttled after failures)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@receiver(user_logged_in)
def remember_enrolment(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_HAS_DEVICE] = user_has_device(user)


class OTPRequiredMiddleware:
    """After a password sign-in, send users who need a second factor to set it up or enter a code.

    Runs after django-otp's OTPMiddleware (which knows whether this session was verified). API
    requests with a session get a 403 instead of a redirect; token-authenticated API requests are
    not seen here (DRF authenticates them later) and need no code, see the module docstring.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and otp_required_for(user, request.session)
        ):
            request.otp_pending = True
            if self._allowed(request):
                return self.get_response(request)
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor verification is required.")}, status=403)
            # Without a device, the enrolment page: it opens the set-up when the user may see it.
            target = "accounts:otp_verify" if confirmed_device(user) else "accounts:otp_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # nothing there: let it answer 404
        return match.view_name in ALLOWED_URL_NAMES
