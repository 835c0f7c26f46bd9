"""Celery tasks of the notifications: they take ids or ISO dates and are safe to run more than once
(the claims in digest.py make a second run send nothing)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from ta_portal import outbox

from . import digest


@shared_task
def send_notification_digests(day: str | None = None) -> dict:
    """The daily digest run (beat); ``manage.py send_notification_digests`` runs the same code."""
    return digest.send_notification_digests(today=date.fromisoformat(day) if day else timezone.localdate())


@shared_task(bind=True, max_retries=5)
def deliver_notification_digests(self, digest_ids: list[int]) -> dict:
    """Send claimed digests; failed ones are retried with growing delays, then left recorded as
    failed for the next run to try again."""
    return outbox.run_delivery(self, digest.OUTBOX, digest_ids)
