"""API tokens: many per user, each expiring, each revocable, stored only as a SHA-256 digest.

A database dump or backup therefore holds no usable token. The key is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field

from . import tokencache
from .scoping import is_admin

# Seconds between two writes of ``last_used_at`` for one token: a client polling the API must not
# turn every read into a write.
LAST_USED_PRECISION = 300


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def visible_to(self, user):
        """A user's own tokens; an administrator's view reaches everyone's."""
        if is_admin(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"), max_length=8, editable=False, help_text=_("The first characters of the key, to recognise it.")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = created_at_field()
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = acting_user_field(_("revoked by"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [
            models.Index(fields=["user", "expires_at"], condition=Q(revoked_at__isnull=True), name="apitoken_live")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def api_token_create(*, user, name: str = "", ttl: timedelta | None = None) -> tuple[ApiToken, str]:
    """Issue a token; returns it with its key, which is never stored and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=_digest(key),
        prefix=key[:8],
        name=name[:100],
        expires_at=timezone.now() + (ttl or settings.API_TOKEN_TTL),
    )
    return token, key


def api_token_lookup(
    key: str, *, tables: tuple[str, ...] = (), page: tuple = ()
) -> tuple[ApiToken | None, tokencache.Found]:
    """The token with this key (None if there is none; the caller refuses it if revoked or
    expired), noting when it was used; and what the token cache's round trip found besides: the
    current versions of ``tables`` and this token's copy of the page ``page`` names.

    A live token comes from the token cache with its user and the user's roles, without a query;
    otherwise from the database, and is then kept there.
    """
    digest = _digest(key)
    found = tokencache.read(digest, tables, page)
    now = timezone.now()
    if found.entry is not None:
        token = tokencache.token_from(found.entry, digest)
        if _note_use(token, now):
            tokencache.note_use(digest, found.entry, token, now=now, auth_version=found.versions[tokencache.AUTH])
    else:
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None or token.revoked_at is not None or token.expires_at <= now:
            return token, found
        _note_use(token, now)
        if found.versions is not None:
            tokencache.store(digest, token, auth_version=found.versions[tokencache.AUTH])
    if found.page is not None:
        found.page.expires = token.expires_at
    return token, found


def _note_use(token: ApiToken, now) -> bool:
    """Write ``last_used_at`` if it is older than ``LAST_USED_PRECISION``; True if written."""
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() <= LAST_USED_PRECISION:
        return False
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True


def api_token_revoke(*, token: ApiToken, by) -> None:
    # Conditional update: revoking twice keeps the first revocation's time and author.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)
    tokencache.auth_changed()  # an update sends no signal


def api_tokens_revoke_all(*, user, by) -> int:
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=by)
    tokencache.auth_changed()  # an update sends no signal
    return count


@receiver(pre_save, sender="accounts.User")
def _note_password_change(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender="accounts.User")
def revoke_tokens_on_password_change(sender, instance, created, raw=False, **kwargs):
    """A new password (changed or reset) ends every API token issued under the old one."""
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        api_tokens_revoke_all(user=instance, by=None)
