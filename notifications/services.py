"""Raising notifications, and marking them read. Every app calls ``notify``; it knows no domain."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import kinds
from .models import CalendarFeed
from .models import Notification
from .models import NotificationPreference


def notify(*, recipients: Iterable, kind: str, params: dict | None = None, url: str = "", exclude=None) -> None:
    """Tell each recipient (users or user ids) that ``kind`` happened, once the transaction commits.

    The caller chooses recipients within the object's scope; inactive users and ``exclude`` (the
    one who acted: nobody is told of their own action) are left out. Nothing is rendered now: the
    text is put into words when read, in the reader's language.
    """
    if not kinds.is_known(kind):
        raise ValueError(f"undeclared notification kind: {kind}")
    ids = {getattr(user, "pk", user) for user in recipients}
    ids.discard(None)
    if exclude is not None:
        ids.discard(getattr(exclude, "pk", exclude))
    if not ids:
        return
    params = dict(params or {})

    def store():
        active = sorted(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        now = timezone.now()
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, kind=kind, params=params, url=url, created_at=now) for pk in active]
        )

    # robust: a notification that cannot be stored must never undo or fail the write it reports.
    transaction.on_commit(store, robust=True)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them, without an id); returns how many changed."""
    unread = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def digest_choose(*, user, digest: str) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    preference.digest = digest
    preference.full_clean()
    preference.save(update_fields=["digest"])
    return preference


def calendar_feed_get(*, user) -> CalendarFeed:
    """The user's calendar subscription, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """Revoke the user's subscription address and make a new one: the old one answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user)
    feed.nonce = CalendarFeed._meta.get_field("nonce").get_default()
    feed.last_used_at = None
    feed.save(update_fields=["nonce", "last_used_at"])
    return feed
