"""Brute-force protection for every password check (sign-in page, admin, API token endpoint).

After ``LOGIN_FAILURE_LIMIT`` failed attempts for one (username, client address) pair within
``LOGIN_FAILURE_WINDOW`` seconds, that pair is locked for ``LOGIN_LOCKOUT_SECONDS``. The lock is
keyed on the pair, never on the username alone: someone guessing a victim's password from their own
address locks only themselves out, and the victim signs in from theirs as usual. (A guesser spread
over many addresses is slowed by the per-pair limit and stopped by the second factor that privileged
roles must use.) IPv6 clients are counted per /64 network, which one subscriber usually holds whole.

Counters live in the cache (Redis in production), so every web process shares them.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

LOCKED_MESSAGE = ngettext_lazy(
    "Too many failed sign-in attempts for this account from your network. Try again in %(minutes)d minute.",
    "Too many failed sign-in attempts for this account from your network. Try again in %(minutes)d minutes.",
    "minutes",
)


@dataclass(frozen=True)
class LoginFailure:
    """What the failed attempt was, left on the request for the audit log."""

    username: str
    ip: str
    locked: bool  # the pair was already locked: the password was not even checked
    reason: str = "bad_credentials"


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry a trusted proxy added to X-Forwarded-For.

    Only the last ``TRUSTED_PROXY_COUNT`` hops are ours; anything left of them is client-supplied
    and could name any address, so it is never used.
    """
    if request is None:
        return ""
    meta = request.META
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return meta.get("REMOTE_ADDR", "") or ""


def _network(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(*parts: str) -> str:
    """Cache keys hold a digest, never a username, an address or an e-mail as such."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _keys(username: str, ip: str) -> tuple[str, str]:
    digest = _digest(username.casefold(), _network(ip))
    return f"lockout:count:{digest}", f"lockout:lock:{digest}"


def lockout_seconds() -> int:
    return settings.LOGIN_LOCKOUT_SECONDS


def is_locked(username: str, ip: str) -> bool:
    return bool(cache.get(_keys(username, ip)[1]))


def count_in_window(key: str, window: int) -> int:
    """Count one more event under ``key``; returns how many there were in the window so far
    (the window starts with the first event and lasts ``window`` seconds)."""
    # add() is atomic: only the first event of a window creates the counter (and its expiry).
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def register_failure(username: str, ip: str) -> bool:
    """Count a failed attempt; returns True when this attempt locked the pair."""
    count_key, lock_key = _keys(username, ip)
    count = count_in_window(count_key, settings.LOGIN_FAILURE_WINDOW)
    if count >= settings.LOGIN_FAILURE_LIMIT:
        cache.set(lock_key, 1, timeout=lockout_seconds())
        cache.delete(count_key)
        return True
    return False


def reset(username: str, ip: str) -> None:
    cache.delete_many(_keys(username, ip))


def locked_message() -> str:
    return LOCKED_MESSAGE % {"minutes": max(1, round(lockout_seconds() / 60))}


class LockoutGuardBackend:
    """First in AUTHENTICATION_BACKENDS: refuses a locked (username, address) pair before any
    password is checked, for every caller of ``authenticate()`` (sign-in, admin, API token)."""

    def authenticate(self, request, username=None, **credentials):
        if request is not None and username and is_locked(username, client_ip(request)):
            # PermissionDenied stops authenticate() from trying the other backends.
            raise PermissionDenied

    # No get_user(): this backend never signs anyone in, and without it Django's test client and
    # login() pick the next backend (ModelBackend) for sessions.


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    if request is None or not username:
        return
    ip = client_ip(request)
    # A wrong one-time code after a right password is sent with an "otp" credential (see otp.py).
    reason = "bad_otp" if "otp" in credentials else "bad_credentials"
    locked = is_locked(username, ip)
    if not locked:
        register_failure(username, ip)
    request.login_failure = LoginFailure(username=username[:150], ip=ip, locked=locked, reason=reason)


@receiver(user_logged_in)
def forget_failures_on_login(sender, request, user, **kwargs):
    if request is not None:
        reset(user.get_username(), client_ip(request))


class LockoutAuthenticationForm(auth_forms.AuthenticationForm):
    """The sign-in form, telling a locked-out client why it is refused (only that client sees it)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username") or ""
            if username and is_locked(username, client_ip(self.request)):
                raise ValidationError(locked_message(), code="locked") from None
            raise


# Password-reset requests. Each one mails a link, so unthrottled they let anyone flood a mailbox and
# the mail server's reputation. Per e-mail address, requests over the limit send nothing (the page
# says the same as ever, so it reveals nothing about accounts); per client network, requests over the
# limit are refused with a message (that tells the client only about its own requests).
RESET_REFUSED_MESSAGE = _("Too many password reset requests from your network. Try again later.")


def reset_request_allowed_from(ip: str) -> bool:
    """Count a reset request from this client network; False once it is over the limit."""
    key = f"reset:client:{_digest(_network(ip))}"
    return count_in_window(key, settings.PASSWORD_RESET_WINDOW) <= settings.PASSWORD_RESET_LIMIT_PER_CLIENT


def _mail_allowed_to(kind: str, email: str) -> bool:
    key = f"{kind}:address:{_digest(email.casefold())}"
    return count_in_window(key, settings.PASSWORD_RESET_WINDOW) <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS


def reset_mail_allowed_to(email: str) -> bool:
    """Count a reset e-mail to this address; False once it is over the limit."""
    return _mail_allowed_to("reset", email)


def enrolment_mail_allowed_to(email: str) -> bool:
    """Count a two-factor enrolment link mailed to this address (accounts.services), within the same
    limits as reset e-mails but counted apart: one kind of request never uses up the other's."""
    return _mail_allowed_to("enrol", email)
