"""Reads of notifications: each user's own, newest first, with their text in the active language;
and the unread count the header shows on every page.

The count is kept in the shared cache for a minute, so a page costs no query for it once the
count is known: storing notifications and marking them read forget the counts they change. A
count read just before a change and stored just after it stays wrong for at most that minute.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connections

from . import kinds
from .models import Notification

logger = logging.getLogger(__name__)

UNREAD_SECONDS = 60


def notifications_for(user):
    return Notification.objects.visible_to(user).order_by("-created_at", "-pk")


def _unread_key(user_id: int) -> str:
    # The database's name too: two portals sharing a Redis never see each other's counts.
    return f"notifications:unread:{connections['default'].settings_dict['NAME']}:{user_id}"


def unread_count(user) -> int:
    key = _unread_key(user.pk)
    try:
        count = cache.get(key)
    except Exception:  # the cache is down: count in the database, as without it
        logger.warning("unread count: cache unavailable", exc_info=True)
        count = None
    if count is None:
        count = Notification.objects.visible_to(user).unread().count()
        try:
            cache.set(key, count, UNREAD_SECONDS)
        except Exception:
            logger.debug("unread count not cached", exc_info=True)
    return count


def forget_unread(user_ids: Iterable[int]) -> None:
    """Drop the cached counts of these users (their notifications changed)."""
    try:
        cache.delete_many([_unread_key(pk) for pk in user_ids])
    except Exception:  # nothing cached can be served while the cache is down either
        logger.warning("unread counts not forgotten", exc_info=True)


def with_text(notifications) -> list[Notification]:
    """The notifications, each with ``text``: what happened, in the active language."""
    rows = list(notifications)
    for row in rows:
        row.text = kinds.message(row.kind, row.params)
    return rows
