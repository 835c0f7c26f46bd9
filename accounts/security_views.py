"""Pages of a user's own security: two-factor enrolment and set-up, the code prompt after sign-in,
API tokens."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ta_portal.qr import qr_svg

from . import lockout
from . import services
from .apitokens import ApiToken
from .apitokens import api_token_revoke
from .apitokens import api_tokens_revoke_all
from .otp import SESSION_ENROLMENT_DEVICE
from .otp import SESSION_HAS_DEVICE
from .otp import confirmed_device
from .otp import enrolment_proof_needed
from .otp import grant_enrolment
from .otp import granted_device
from .otp import pending_device
from .otp import role_requires_otp
from .otp import verify_code

# This session already mailed its user the enrolment link once (the page mails it on first sight).
SESSION_ENROLMENT_LINK_SENT = "otp_enrolment_link_sent"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Enrolment code from an administrator"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    return "/"


def _wrong_code_message(device: TOTPDevice | None) -> str:
    if device is not None and not device.verify_is_allowed()[0]:
        # django-otp doubles the wait after each wrong code, so guessing six digits is hopeless.
        return _("Too many wrong codes. Wait a few seconds before trying again.")
    return _("The code is wrong or has expired. Check the time on your phone and try again.")


def _mark_verified(request, device: TOTPDevice) -> None:
    otp_login(request, device)
    # A new session key once fully signed in, so a key seen before the second factor is worthless.
    request.session.cycle_key()
    request.session[SESSION_HAS_DEVICE] = True
    request.session.pop(SESSION_ENROLMENT_DEVICE, None)


def _with_next(route: str, next_url: str) -> str:
    return f"{reverse(route)}?{urlencode({'next': next_url})}" if next_url != "/" else reverse(route)


def _masked(email: str) -> str:
    """Enough of the address for its owner to recognise it, little for anyone else."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


NO_ADDRESS_MESSAGE = gettext_lazy("Your account has no e-mail address: ask an administrator for an enrolment code.")
TOO_MANY_LINKS_MESSAGE = gettext_lazy(
    "Too many links were sent to your address. Try again later, or ask an administrator for an enrolment code."
)
WRONG_ENROLMENT_CODE_MESSAGE = gettext_lazy(
    "The enrolment code is wrong, used or expired. Check it with your administrator."
)


@login_required
def otp_enrol(request):
    """Where a role that requires two factors waits, after the password, for the e-mailed link (sent
    on arrival, and again on request) or enters an administrator's enrolment code."""
    user = request.user
    next_url = _next_url(request)
    if not enrolment_proof_needed(user) or granted_device(request) is not None:
        return redirect(_with_next("accounts:otp_setup", next_url))
    if request.method == "POST" and request.POST.get("action") == "resend":
        _send_enrolment_link(request)
        return redirect(_with_next("accounts:otp_enrol", next_url))
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if lockout.is_locked(user.get_username(), lockout.client_ip(request)):
            form.add_error("code", lockout.locked_message())
        elif device := services.otp_enrolment_code_redeem(user=user, code=form.cleaned_data["code"]):
            grant_enrolment(request, device)
            return redirect(_with_next("accounts:otp_setup", next_url))
        else:
            # Counted with the wrong one-time codes: the same lock stops guessing either.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username(), "otp": "********"}, request=request
            )
            form.add_error("code", WRONG_ENROLMENT_CODE_MESSAGE)
    elif not form.is_bound and user.email and not request.session.get(SESSION_ENROLMENT_LINK_SENT):
        request.session[SESSION_ENROLMENT_LINK_SENT] = True
        services.otp_enrolment_link_send(user=user)
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "email": _masked(user.email) if user.email else "",
            "next": next_url,
        },
    )


def _send_enrolment_link(request) -> None:
    user = request.user
    if not user.email:
        messages.error(request, NO_ADDRESS_MESSAGE)
    elif services.otp_enrolment_link_send(user=user):
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": _masked(user.email)})
    else:
        messages.error(request, TOO_MANY_LINKS_MESSAGE)


@login_required
def otp_enrol_link(request, token: str):
    """The e-mailed enrolment link: followed while signed in as its user, it opens the set-up."""
    try:
        device = services.otp_enrolment_link_confirm(user=request.user, token=token)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:otp_enrol")
    grant_enrolment(request, device)
    return redirect("accounts:otp_setup")


@login_required
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with a code.

    A role that requires two factors sees it only once the enrolment link or code opened it."""
    user = request.user
    if confirmed_device(user) is not None:
        messages.info(request, _("Two-factor authentication is already set up."))
        return redirect("accounts:security")
    if enrolment_proof_needed(user):
        device = granted_device(request)
        if device is None:
            return redirect(_with_next("accounts:otp_enrol", _next_url(request)))
    else:
        device = pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip().replace(" ", "")):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            _mark_verified(request, device)
            messages.success(request, _("Two-factor authentication is set up. Every sign-in will ask for a code."))
            return redirect(_next_url(request))
        form.add_error("code", _wrong_code_message(device))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(qr_svg(device.config_url)),  # noqa: S308 (SVG we generated ourselves)
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": role_requires_otp(user),
            "next": _next_url(request),
        },
    )


@login_required
def otp_verify(request):
    """The second step of signing in: the code of the enrolled authenticator app."""
    user = request.user
    if confirmed_device(user) is None:
        return redirect("accounts:otp_setup")
    ip = lockout.client_ip(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if lockout.is_locked(user.get_username(), ip):
            form.add_error("code", lockout.locked_message())
        else:
            device = verify_code(user, form.cleaned_data["code"])
            if device is not None:
                _mark_verified(request, device)
                return redirect(_next_url(request))
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username(), "otp": "********"}, request=request
            )
            form.add_error("code", _wrong_code_message(confirmed_device(user)))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def otp_disable(request):
    """Remove one's authenticator app (not allowed for roles that require two factors)."""
    if role_requires_otp(request.user):
        raise PermissionDenied
    form = CodeForm(request.POST)
    if form.is_valid() and verify_code(request.user, form.cleaned_data["code"]) is not None:
        TOTPDevice.objects.filter(user=request.user).delete()
        request.session[SESSION_HAS_DEVICE] = False
        messages.success(request, _("Two-factor authentication is turned off."))
    else:
        messages.error(request, _("The code is wrong or has expired; two-factor authentication stays on."))
    return redirect("accounts:security")


@login_required
def security(request):
    """Two-factor status and the user's live API tokens, each revocable."""
    tokens = ApiToken.objects.active().filter(user=request.user)
    return render(
        request,
        "accounts/security.html",
        {
            "device": confirmed_device(request.user),
            "required": role_requires_otp(request.user),
            "tokens": tokens,
            "code_form": CodeForm(),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.active().visible_to(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The API token was revoked."))
    return redirect("accounts:security")


@login_required
@require_POST
def tokens_revoke_all(request):
    count = api_tokens_revoke_all(user=request.user, by=request.user)
    messages.success(request, _("%(count)d API tokens were revoked.") % {"count": count})
    return redirect("accounts:security")
