"""The e-mail digest: one e-mail per user and period (day or week) listing what they have not yet
read nor received by e-mail, in their language.

A run *claims* each digest by inserting a ``DigestEmail`` row (unique per recipient, frequency and
period, so a second run claims nothing) and, in the same transaction, points the notifications it
summarises at that row, so no later digest lists them again. The rows are sent through the one
outbox of claimed e-mails (``ta_portal.outbox``): never sent twice, even when a worker dies
mid-send (its task comes back and sends it once). Planning and claiming take a fixed number of
queries whatever the number of users.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import OuterRef
from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from ta_portal import datacache
from ta_portal import outbox
from ta_portal.mail import automatic_email
from ta_portal.mail import site_url

from . import kinds
from .models import DigestEmail
from .models import DigestFrequency
from .models import Notification
from .models import NotificationPreference

# At most this many notifications are listed in one e-mail; the rest are on the page it links to.
LISTED = 50


def period_start(frequency: str, today: dt.date) -> dt.date:
    """The day a digest period begins: the day itself, or the Monday of its week."""
    if frequency == DigestFrequency.WEEKLY:
        return today - dt.timedelta(days=today.weekday())
    return today


def _covered_since(frequency: str, today: dt.date) -> dt.datetime:
    """Notifications older than one period before this one are not e-mailed (someone who just chose a
    digest does not get a year of old news)."""
    days = 7 if frequency == DigestFrequency.WEEKLY else 1
    first_day = period_start(frequency, today) - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))


def send_notification_digests(*, today: dt.date) -> dict:
    """Claim and dispatch the digests due on ``today``: daily ones every day, weekly ones in the
    first run of each week. Safe to run any number of times, also concurrently."""
    token, now = uuid.uuid4(), timezone.now()
    claimed: list[int] = []
    with transaction.atomic():
        for frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
            claimed += _claim(frequency, today=today, token=token, now=now)
        again = OUTBOX.recover_unfinished(now)
        OUTBOX.dispatch(claimed + sorted(set(again) - set(claimed)))
    return {"claimed": len(claimed), "redispatched": len(again)}


def _claim(frequency: str, *, today: dt.date, token, now) -> list[int]:
    start = period_start(frequency, today)
    waiting = Notification.objects.filter(
        digest__isnull=True,
        read_at__isnull=True,
        created_at__gte=_covered_since(frequency, today),
        recipient__is_active=True,
        recipient__in=NotificationPreference.objects.filter(digest=frequency).values("user"),
    ).exclude(recipient__email="")
    recipients = waiting.order_by().values_list("recipient_id", "recipient__email").distinct()
    rows = [
        DigestEmail(
            recipient_id=user_id,
            email=email,
            frequency=frequency,
            period_start=start,
            claim_token=token,
            created_at=now,
            updated_at=now,
        )
        for user_id, email in recipients
    ]
    if not rows:
        return []
    DigestEmail.objects.bulk_create(rows, ignore_conflicts=True)
    datacache.changed(DigestEmail)
    mine = DigestEmail.objects.filter(claim_token=token, frequency=frequency)
    # Each claimed digest takes its recipient's waiting notifications, in one statement.
    waiting.filter(recipient__in=mine.values("recipient")).update(
        digest=Subquery(mine.filter(recipient=OuterRef("recipient")).values("pk")[:1])
    )
    return list(mine.values_list("pk", flat=True))


def _still_needed(row: DigestEmail) -> bool:
    return row.recipient.is_active and row.notifications.exists()


def build_message(row: DigestEmail, *, connection=None) -> EmailMessage:
    """The digest in the recipient's language, each notification with its link."""
    language = row.recipient.language or settings.LANGUAGE_CODE
    notifications = list(row.notifications.order_by("-created_at", "-pk")[: LISTED + 1])
    total = row.notifications.count() if len(notifications) > LISTED else len(notifications)
    with translation.override(language):
        items = [
            {
                "text": kinds.message(n.kind, n.params),
                "when": timezone.localtime(n.created_at),
                "link": site_url(n.url) if n.url.startswith("/") else n.url,
            }
            for n in notifications[:LISTED]
        ]
        context = {
            "recipient": row.recipient,
            "items": items,
            "count": total,
            "more": total - len(items),
            "weekly": row.frequency == DigestFrequency.WEEKLY,
            "link": site_url(reverse("notifications:list")),
            "preferences": site_url(reverse("accounts:profile")),
        }
    return automatic_email(
        "notifications/email/digest",
        context,
        to=row.email,
        language=language,
        connection=connection,
        headers={"X-Portal-Digest": row.frequency},
    )


def _task():
    from .tasks import deliver_notification_digests  # noqa: PLC0415 (cycle: digest -> tasks -> digest)

    return deliver_notification_digests


OUTBOX = outbox.Outbox(
    model=DigestEmail,
    related=("recipient",),
    still_needed=_still_needed,
    build_message=build_message,
    task=_task,
    log_name="notification digests",
)
