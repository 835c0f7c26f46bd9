from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ta_portal.mail import render_subject, render_text, site_url

from .models import Membership, User
from .roles import Role
from .scoping import forget_roles
from .tasks import send_email

# A new e-mail address takes effect only once its owner follows the link sent to it: whoever holds
# a session cannot move password resets to an address of theirs. The link is signed (nothing is
# stored) and names the address it replaces, so it dies as soon as the address changes otherwise.
EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_LINK_AGE = timedelta(days=2)


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
