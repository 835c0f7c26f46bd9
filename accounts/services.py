import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ta_portal.mail import render_subject
from ta_portal.mail import render_text
from ta_portal.mail import site_url

from . import tokencache
from .lockout import enrolment_mail_allowed_to
from .models import Membership
from .models import OtpEnrolmentCode
from .models import User
from .otp import confirmed_device
from .otp import pending_device
from .roles import Role
from .scoping import forget_roles
from .tasks import send_email

# A new e-mail address takes effect only once its owner follows the link sent to it: whoever holds
# a session cannot move password resets to an address of theirs. The link is signed (nothing is
# stored) and names the address it replaces, so it dies as soon as the address changes otherwise.
EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_LINK_AGE = timedelta(days=2)

# The first two-factor set-up of a role that requires it opens through a link mailed to the user
# (proof of the mailbox, not only of the password) or a code an administrator issued. The link is
# signed the same way and names the device awaiting confirmation: once that device is confirmed (or
# removed, say by an administrator resetting a lost phone) the link is dead.
OTP_ENROLMENT_SALT = "accounts.otp-enrolment"
OTP_ENROLMENT_LINK_AGE = timedelta(days=1)  # the e-mail and the enrolment page say "one day"
OTP_ENROLMENT_CODE_AGE = timedelta(days=3)
# No 0/O or 1/I to misread when the code is spelled out; 12 of these 32 symbols hold 60 bits.
OTP_ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OTP_ENROLMENT_CODE_LENGTH = 12


@transaction.atomic
def user_set_role(*, user: User, role: str, country_codes: Iterable[str]) -> None:
    """Give the user exactly this role, for these countries (none: every country).

    Other roles the user holds are left alone; re-running with the same arguments changes nothing.
    """
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    codes = sorted(set(country_codes))
    wanted = set(codes) or {None}
    existing = dict(user.memberships.filter(role=role).values_list("pk", "country_id"))
    Membership.objects.filter(pk__in=[pk for pk, code in existing.items() if code not in wanted]).delete()
    current = set(existing.values())
    Membership.objects.bulk_create([Membership(user=user, role=role, country_id=code) for code in wanted - current])
    tokencache.auth_changed()  # bulk_create sends no signal
    forget_roles(user)


@transaction.atomic
def user_assign_sole_role(*, user: User, role: str, country_codes: Iterable[str]) -> None:
    """Make this role, for these countries, the only one the user holds (what operators script).

    Administrators also get the Django admin site (staff and superuser); anyone else loses it.
    """
    user.memberships.exclude(role=role).delete()
    user_set_role(user=user, role=role, country_codes=country_codes)
    is_admin = role == Role.ADMIN
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


def _mail(*, user: User, to: str, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_subject(f"accounts/email/{template}_subject.txt", context)
        body = render_text(f"accounts/email/{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.delay(subject=subject, body=body, to=[to]))


def email_change_request(*, user: User, new_email: str) -> None:
    """Send the confirmation link to the new address, and tell the current one (if any)."""
    token = signing.dumps({"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    context = {"user": user, "new_email": new_email, "link": site_url(reverse("accounts:email_confirm", args=[token]))}
    _mail(user=user, to=new_email, template="email_change_confirm", context=context)
    if user.email:
        _mail(user=user, to=user.email, template="email_change_notice", context=context)


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> str:
    """Apply the change the link was made for; returns the new address."""
    try:
        claim = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_LINK_AGE)
    except signing.BadSignature:  # also SignatureExpired
        claim = None
    user = User.objects.select_for_update().get(pk=user.pk)
    if not claim or claim.get("user") != user.pk or claim.get("old") != user.email:
        raise ValidationError(_("This link is not valid any more: ask for the change again on your profile."))
    user.email = claim["new"]
    user.save(update_fields=["email"])
    return user.email


def otp_enrolment_link_send(*, user: User) -> bool:
    """Mail the user the link that opens their two-factor set-up; False when nothing was sent (the
    account has no address, or the address had as many such e-mails as the reset limits allow)."""
    if not user.email or not enrolment_mail_allowed_to(user.email):
        return False
    device = pending_device(user)
    token = signing.dumps({"user": user.pk, "device": device.pk}, salt=OTP_ENROLMENT_SALT)
    context = {"user": user, "link": site_url(reverse("accounts:otp_enrol_link", args=[token]))}
    _mail(user=user, to=user.email, template="otp_enrolment", context=context)
    return True


def otp_enrolment_link_confirm(*, user: User, token: str) -> TOTPDevice:
    """The device the link opens the set-up of, for this user; ValidationError says why not."""
    try:
        claim = signing.loads(token, salt=OTP_ENROLMENT_SALT, max_age=OTP_ENROLMENT_LINK_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired: ask for a new one below.")) from None
    except signing.BadSignature:
        claim = None
    if not isinstance(claim, dict):
        raise ValidationError(_("This link is not valid: use the latest one sent to you, or ask for a new one."))
    if claim.get("user") != user.pk:
        raise ValidationError(
            _("This link was sent to another account. Sign out, then sign in as the person it was sent to.")
        )
    device = TOTPDevice.objects.filter(pk=claim.get("device"), user=user, confirmed=False).first()
    if device is None or confirmed_device(user) is not None:
        raise ValidationError(_("This link is not valid any more: two-factor authentication was set up with it."))
    return device


def _enrolment_code_digest(code: str) -> str:
    # What the user typed, without the separators and case it may have been spelled with.
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


@transaction.atomic
def otp_enrolment_code_issue(*, user: User, by: User | None) -> str:
    """Issue a one-time enrolment code for the user (any earlier unused one stops working); returns
    the code, which is stored only as a digest and cannot be shown again."""
    now = timezone.now()
    OtpEnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = "".join(secrets.choice(OTP_ENROLMENT_CODE_ALPHABET) for _ in range(OTP_ENROLMENT_CODE_LENGTH))
    OtpEnrolmentCode.objects.create(
        user=user, digest=_enrolment_code_digest(code), created_by=by, expires_at=now + OTP_ENROLMENT_CODE_AGE
    )
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def otp_enrolment_code_redeem(*, user: User, code: str) -> TOTPDevice | None:
    """Spend the user's live code; returns the device whose set-up it opens, or None (wrong, used or
    expired). The conditional update spends a code once, even when two requests race."""
    now = timezone.now()
    spent = OtpEnrolmentCode.objects.filter(
        user=user, digest=_enrolment_code_digest(code), used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    return pending_device(user) if spent else None
