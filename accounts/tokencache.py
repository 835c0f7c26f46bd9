"""API tokens served from the shared cache: a token-authenticated request runs no SQL query to
learn who it comes from and which countries that user reaches.

- One entry per token, under the token's digest (never its key), holding what authentication and
  scoping read: the token's id, expiry and last use, the user's fields but the password hash and
  ``last_login`` (those load from the database if anything reads them), and the user's roles with
  their countries (``scoping.role_countries``, so ``scope_for`` asks the database nothing).
- ``read()`` fetches the entry, the "auth" version, the data versions the view names
  (``cached_tables``) and this token's copy of the page the view names (``cached_page``) in one
  ``get_many``: a repeated request for the API's cached list costs that one round trip and no
  query. The copy is good while the "auth" version and the data versions it was made under hold.
- Invalidation: an entry holds the "auth" version it was built under and is ignored once that
  version has moved. It moves, now and again when the transaction commits (as the data versions
  of ``ta_portal.datacache`` do), on every write that can end a token or change what a user
  reaches: a token revoked (``api_token_revoke``, ``api_tokens_revoke_all``: the API, the Security
  page, the admin, a new password) or a token row saved or deleted; a user saved (deactivated, a
  new password, superuser, any field the entry holds; not the sign-in's own write of
  ``last_login``) or deleted; a membership saved or deleted (a country deleted deletes its
  memberships one by one, which moves it too). Writes that send no signal call ``auth_changed()``
  themselves, as ``user_set_role`` does after its ``bulk_create``.
- One version for all users, not one per user: whose token it is is known only once the entry is
  read, and asking for a per-user version would take the second round trip the entry saves. Such
  writes are rare (an administrator's edits, a revocation, a new password, a language chosen);
  after one, each token is looked up in the database once more.
- Expiry: an entry lives no longer than its token, and the expiry is checked on every read.
  ``last_used_at`` is still written at most every ``LAST_USED_PRECISION`` seconds.

Limits: a write that bypasses Django (a psql session) is seen within ``ENTRY_SECONDS``. Without
Redis, or with ``DATA_CACHE_SECONDS=0`` (the tests' default), every request reads the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import get_language

from ta_portal import datacache

from .scoping import EVERYWHERE
from .scoping import Scope
from .scoping import role_countries

logger = logging.getLogger(__name__)

AUTH = "auth"  # the name of the version that moves when a token ends or a user's reach changes
# The longest an entry lives: how late a write outside Django (a psql session) may be seen.
ENTRY_SECONDS = 300
# Loaded from the database only if read: a hash has no business in a cache, and the sign-in's
# write of last_login does not move the version (it is read by password-reset links only).
UNCACHED_USER_FIELDS = ("password", "last_login")
LAYOUT = "token1"  # part of the key: a new layout of the entry never reads an old one


def enabled() -> bool:
    return datacache.enabled()


def entry_key(digest: str) -> str:
    return datacache.namespaced(LAYOUT, digest)


def auth_changed(using: str | None = None) -> None:
    """A token ended or what a user reaches changed: every cached token is looked up again."""
    datacache.versions_changed({AUTH}, using=using)


def page_key(digest: str, parts: tuple) -> str:
    return datacache.namespaced(LAYOUT, digest, "page", get_language() or "", *(str(part) for part in parts))


@dataclass
class Page:
    """This token's copy of a page (see ``read()``): where it is kept, the versions it is good
    for, and the body when the copy found is still good."""

    key: str
    versions: tuple[str, ...]
    expires: datetime | None = None
    body: bytes | None = None


@dataclass
class Found:
    """What the token cache's round trip found; nothing when the cache is off or unavailable."""

    versions: dict[str, str] | None = None  # the current versions of AUTH and of the tables asked for
    entry: dict | None = None  # the token's entry, if still good
    page: Page | None = None


def read(digest: str, tables: tuple[str, ...] = (), page: tuple = ()) -> Found:
    """In one round trip: the token's entry if still good, the current versions of ``AUTH`` and of
    these tables, and this token's copy of the page ``page`` names (when the view names one).

    A copy of a page is kept per token (``keep_page``) so that a repeated request costs this one
    round trip. It is good while the versions it was made under have not moved: ``AUTH`` (the
    user's reach) and the tables it was computed from; the key holds the language and the parts.
    """
    if not enabled():
        return Found()
    key = entry_key(digest)
    keys = [key, page_key(digest, page)] if page else [key]
    try:
        found, current = datacache.fetch(keys, [AUTH, *tables])
    except Exception:
        logger.warning("token cache unavailable", exc_info=True)
        return Found()
    entry = found.get(key)
    if entry is None or entry.get("auth") != current[AUTH] or entry["expires"] <= timezone.now():
        entry = None
    kept = None
    if page:
        versions = tuple(current[name] for name in [AUTH, *tables])
        copy = found.get(keys[1])
        kept = Page(keys[1], versions, body=copy["body"] if copy and copy["versions"] == versions else None)
    return Found(versions=current, entry=entry, page=kept)


def kept_page(request) -> bytes | None:
    """This token's copy of the page asked for, found by the authentication's round trip, if good."""
    page = getattr(request, "token_page", None)
    return None if page is None else page.body


def keep_page(request, body: bytes) -> None:
    """Keep ``body`` as this token's copy of the page asked for, under the versions read before it
    was computed (a write in between leaves the copy ignored)."""
    page = getattr(request, "token_page", None)
    if page is None or page.expires is None:
        return
    seconds = min(ENTRY_SECONDS, settings.DATA_CACHE_SECONDS, (page.expires - timezone.now()).total_seconds())
    if seconds < 1:
        return
    try:
        cache.set(page.key, {"versions": page.versions, "body": body}, timeout=int(seconds))
    except Exception:
        logger.warning("token cache: could not keep a page", exc_info=True)


def store(digest: str, token, *, auth_version: str) -> None:
    """Keep a live token, its user and the user's roles under ``auth_version`` (read before the
    database was, so that a write committed in between leaves the entry ignored)."""
    user = token.user
    seconds = min(ENTRY_SECONDS, settings.DATA_CACHE_SECONDS, (token.expires_at - timezone.now()).total_seconds())
    if seconds < 1 or not token.is_active or not user.is_active:
        return
    entry = {
        "auth": auth_version,
        "token": token.pk,
        "expires": token.expires_at,
        "used": token.last_used_at,
        "user": {
            field.attname: getattr(user, field.attname)
            for field in user._meta.concrete_fields
            if field.attname not in UNCACHED_USER_FIELDS
        },
        "roles": {
            str(role): None if scope.everywhere else sorted(scope.countries)
            for role, scope in role_countries(user).items()
        },
    }
    try:
        cache.set(entry_key(digest), entry, timeout=int(seconds))
    except Exception:
        logger.warning("token cache: could not store a token", exc_info=True)


def token_from(entry: dict, digest: str):
    """The ``ApiToken`` (live, with its user and the user's roles) an entry describes, built
    without a query; the fields it does not hold load from the database if read."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    token_model = apps.get_model("accounts", "ApiToken")
    user = _from_db(user_model, entry["user"])
    user._role_scopes = {
        role: EVERYWHERE if countries is None else Scope(everywhere=False, countries=frozenset(countries))
        for role, countries in entry["roles"].items()
    }
    token = _from_db(
        token_model,
        {
            "id": entry["token"],
            "user_id": user.pk,
            "digest": digest,
            "expires_at": entry["expires"],
            "last_used_at": entry["used"],
            "revoked_at": None,
        },
    )
    token.user = user
    return token


def _from_db(model, values: dict):
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(None, names, [values[name] for name in names])


def note_use(digest: str, entry: dict, token, *, now: datetime, auth_version: str) -> None:
    """Keep the entry's ``last_used_at`` as written to the database (at most every
    ``LAST_USED_PRECISION`` seconds), so the next requests do not write it again."""
    entry = {**entry, "used": now}
    seconds = min(ENTRY_SECONDS, settings.DATA_CACHE_SECONDS, (token.expires_at - now).total_seconds())
    if seconds < 1 or entry["auth"] != auth_version:
        return
    try:
        cache.set(entry_key(digest), entry, timeout=int(seconds))
    except Exception:
        logger.warning("token cache: could not store a token", exc_info=True)


# ---- what moves the version ------------------------------------------------------------------------


def _on_user_saved(sender, created, update_fields=None, using=None, **kwargs) -> None:
    if created:
        return  # no token yet
    if update_fields is not None and set(update_fields) <= {"last_login", "last_visit_at"}:
        return  # signing in (the entry does not hold last_login)
    auth_changed(using)


def _on_token_saved(sender, created, using=None, **kwargs) -> None:
    if not created:  # a new token has no entry yet
        auth_changed(using)


def _on_write(sender, using=None, **kwargs) -> None:
    auth_changed(using)


def watch() -> None:
    """Connect the writes that end a token or change a user's reach to ``auth_changed()``."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    membership = apps.get_model("accounts", "Membership")
    token = apps.get_model("accounts", "ApiToken")
    post_save.connect(_on_user_saved, sender=user_model, dispatch_uid="tokencache-user-save")
    post_delete.connect(_on_write, sender=user_model, dispatch_uid="tokencache-user-delete")
    post_save.connect(_on_write, sender=membership, dispatch_uid="tokencache-membership-save")
    post_delete.connect(_on_write, sender=membership, dispatch_uid="tokencache-membership-delete")
    post_save.connect(_on_token_saved, sender=token, dispatch_uid="tokencache-token-save")
    post_delete.connect(_on_write, sender=token, dispatch_uid="tokencache-token-delete")
