from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link

from .roles import Role


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships (see scoping.py)."""

    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and e-mails use this language; empty means the browser's."),
    )
    # The latest sign-in, kept apart from ``last_login`` (which the sign-in itself overwrites), so the
    # home page can tell what changed since the visit before this one (accounts.visits).
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """One role of a user, for one country or, with no country, for all of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    country = optional_link(
        "engagements.Country",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("country"),
        help_text=_("Empty means every country (a global role)."),
    )
    created_at = created_at_field()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "country"],
                condition=Q(country__isnull=False),
                name="membership_unique_per_country",
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(country__isnull=True), name="membership_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.country_id or _('all countries')}"


class OtpEnrolmentCode(models.Model):
    """A one-time code an administrator gives a user (in person, by phone) to open the two-factor
    set-up instead of the e-mailed link (accounts.services). Stored only as a SHA-256 digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="otp_enrolment_codes", verbose_name=_("user"))
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = created_at_field()
    created_by = acting_user_field(_("issued by"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor enrolment code")
        verbose_name_plural = _("two-factor enrolment codes")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


from .apitokens import ApiToken  # noqa: E402, F401 (the model lives beside its services)
