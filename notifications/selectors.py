"""Reads of notifications: each user's own, newest first, with their text in the active language."""

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
