"""In-app notifications, their e-mail digests, and each user's calendar subscription.

This app knows no domain, like ``audit``: a notification stores what happened as a kind and its
parameters (never a rendered sentence), so each reader sees it in their own language; the apps
that raise notifications declare their kinds in a ``notices.py`` (see ``notifications.kinds``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.outbox import ClaimedEmail


class DigestFrequency(models.TextChoices):
    NONE = "none", _("No e-mail")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class NotificationPreference(models.Model):
    """A user's choice of e-mail digest (kept here, not on the user: accounts knows no notifications)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    digest = models.CharField(
        _("e-mail digest"),
        max_length=8,
        choices=DigestFrequency.choices,
        default=DigestFrequency.NONE,
        help_text=_("A summary of your unread notifications, in your language."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.digest}"


class DigestEmail(ClaimedEmail):
    """One digest e-mail to one user for one period (a day, or the week starting ``period_start``).

    The unique constraint is the guarantee that a user gets at most one digest per period: a run
    claims its digests by inserting these rows, and a second run finds them taken. The
    notifications it summarises point at it, so none is e-mailed twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_digests",
        verbose_name=_("recipient"),
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=DigestFrequency.choices)
    period_start = models.DateField(_("period starting"))

    class Meta(ClaimedEmail.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification digest")
        verbose_name_plural = _("notification digests")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "frequency", "period_start"], name="digest_once_per_recipient_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="digest_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.frequency} {self.period_start}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Each user's own notifications, nobody else's (administrators included)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something that happened which concerns one user: its kind, its parameters and where to see it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest = optional_link(
        DigestEmail, on_delete=models.SET_NULL, related_name="notifications", verbose_name=_("e-mailed in")
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(digest__isnull=True, read_at__isnull=True),
                name="notification_not_emailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.kind}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


def new_feed_nonce() -> str:
    return secrets.token_hex(16)


class CalendarFeed(models.Model):
    """A user's calendar subscription. The secret of its address is derived from ``nonce`` and the
    site's SECRET_KEY (``notifications.feeds``): the database alone holds no usable address, the
    page can show it again, and revoking (a new nonce) makes the old address answer 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    nonce = models.CharField(_("nonce"), max_length=64, default=new_feed_nonce, editable=False)
    created_at = created_at_field()
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return f"{self.user}"
