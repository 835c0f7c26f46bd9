"""Reads of notifications: each user's own, newest first, with their text in the active language;
and the unread count the header shows on every page.

The count is one indexed query per page, never cached: it is exact the moment a notification
arrives or is read, and a page makes the same queries whatever was asked before it.
"""

from __future__ import annotations

from . import kinds
from .models import Notification


def notifications_for(user):
    return Notification.objects.visible_to(user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def with_text(notifications) -> list[Notification]:
    """The notifications, each with ``text``: what happened, in the active language."""
    rows = list(notifications)
    for row in rows:
        row.text = kinds.message(row.kind, row.params)
    return rows
