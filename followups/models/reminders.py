"""The log of every follow-up e-mail, claimed before it is sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGING_ROLES
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import optional_link
from ta_portal.outbox import ClaimedEmail

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


class ReminderLog(ClaimedEmail):
    """One follow-up e-mail to one person, claimed before it is sent.

    The unique constraints are the guarantee that a (round, recipient, kind) is e-mailed at most
    once: a job claims its e-mails by inserting these rows, and a second job (or a second copy of
    the same job running at the same moment) finds them taken. The status records what happened.
    """

    round = optional_link(FollowupRound, on_delete=models.CASCADE, related_name="reminders")
    status_update = optional_link(StatusUpdate, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followup_emails", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20)

    objects = scoped_manager(ReminderLogQuerySet)

    class Meta(ClaimedEmail.Meta):
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
