from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import is_admin
from accounts.scoping import scope_for


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see every entry; managers those of their countries; nobody else any."""
        if is_admin(user):
            return self.all()
        scope = scope_for(user, (Role.MANAGER,))
        if scope.everywhere:
            return self.exclude(countries__isnull=True)
        return self.filter(self.in_countries_q(scope.countries))

    @staticmethod
    def in_countries_q(codes) -> models.Q:
        q = models.Q(pk__in=[])
        for code in sorted(codes):
            q |= models.Q(countries__contains=f",{code},")
        return q

    def in_country(self, code: str) -> "AuditEntryQuerySet":
        return self.filter(countries__contains=f",{code.upper()},")

    def for_object(self, model_label: str, pk) -> "AuditEntryQuerySet":
        return self.filter(model=model_label.lower(), object_pk=str(pk))


class AuditEntry(models.Model):
    """One inserted, changed or deleted row of a covered table, as the database saw it.

    Written by PostgreSQL triggers (see ``triggers.py``), or by signals on SQLite. Never changed.
    """

    class Action(models.TextChoices):
        INSERT = "insert", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    at = models.DateTimeField(_("when"), db_index=True)
    txid = models.BigIntegerField(_("transaction"), null=True, blank=True)
    model = models.CharField(_("model"), max_length=100)
    table_name = models.CharField(_("table"), max_length=100)
    object_pk = models.CharField(_("object id"), max_length=64)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    # No foreign key: the trail outlives deleted users, and the username is kept as it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_username = models.CharField(_("by (username)"), max_length=150, null=True, blank=True)
    # The row's countries as ",CO,PE," (most rows have one; a regional training names several).
    countries = models.CharField(_("countries"), max_length=255, null=True, blank=True)
    context = models.CharField(_("context"), max_length=300, blank=True, default="")
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed = models.JSONField(_("changed fields"), default=list, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["model", "object_pk"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model} #{self.object_pk}"

    @property
    def country_codes(self) -> list[str]:
        return [code for code in (self.countries or "").split(",") if code]

    def field_changes(self) -> list[tuple[str, object, object]]:
        """(column, before, after) for each changed column; every column for a create or delete."""
        before, after = self.before or {}, self.after or {}
        names = self.changed if self.action == self.Action.UPDATE else sorted(after or before)
        return [(name, before.get(name), after.get(name)) for name in names]


class FailedLogin(models.Model):
    """A refused sign-in: wrong password, wrong one-time code, or a locked (username, address)."""

    class Reason(models.TextChoices):
        BAD_CREDENTIALS = "bad_credentials", _("wrong username or password")
        BAD_OTP = "bad_otp", _("wrong one-time code")
        LOCKED = "locked", _("locked after repeated failures")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    username = models.CharField(_("username tried"), max_length=150)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["username", "-at"], name="failedlogin_username")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.ip}"
