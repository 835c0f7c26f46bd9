"""The log of every follow-up e-mail, claimed before it is sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGING_ROLES
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import optional_link

from .rounds import FollowupRound
from .updates import StatusUpdate


class ReminderKind:
    """Kinds of follow-up e-mail. ``before_<n>`` is sent n days before the due date (n from settings)."""

    OPENED = "opened"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    RETURNED = "returned"

    @staticmethod
    def before(days: int) -> str:
        return f"before_{days}"


class ReminderLogQuerySet(ScopedQuerySet):
    country_path = "round__engagement__country"
    read_roles = MANAGING_ROLES


class ReminderLog(models.Model):
    """One follow-up e-mail to one person, claimed before it is sent.

    The unique constraints are the guarantee that a (round, recipient, kind) is e-mailed at most
    once: a job claims its e-mails by inserting these rows, and a second job (or a second copy of
    the same job running at the same moment) finds them taken. The status records what happened.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        SKIPPED = "skipped", _("Not sent (no longer needed)")
        INTERRUPTED = "interrupted", _("Interrupted while sending (may not have arrived)")

    round = optional_link(FollowupRound, on_delete=models.CASCADE, related_name="reminders")
    status_update = optional_link(StatusUpdate, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followup_emails", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20)
    email = models.EmailField(_("address"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.UUIDField(_("claimed by run"), db_index=True)
    # Set with ``sending``: which worker's batch took the e-mail (see reminders.deliver).
    send_token = models.UUIDField(_("taken by batch"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = scoped_manager(ReminderLogQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up e-mail")
        verbose_name_plural = _("follow-up e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "recipient", "kind"],
                condition=Q(status_update__isnull=True),
                name="reminder_once_per_round_recipient_kind",
            ),
            models.UniqueConstraint(
                fields=["status_update", "recipient", "kind"],
                condition=Q(status_update__isnull=False),
                name="notice_once_per_update_recipient_kind",
            ),
            models.CheckConstraint(
                condition=Q(round__isnull=False) | Q(status_update__isnull=False), name="reminder_has_subject"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="reminder_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.status})"

    @property
    def kind_label(self) -> str:
        labels = {
            ReminderKind.OPENED: _("Round opened"),
            ReminderKind.OVERDUE: _("Overdue"),
            ReminderKind.ESCALATION: _("Escalation to the managers"),
            ReminderKind.RETURNED: _("Report returned"),
        }
        if self.kind in labels:
            return labels[self.kind]
        if self.kind.startswith("before_"):
            return _("%(days)s days before the due date") % {"days": self.kind.removeprefix("before_")}
        return self.kind
