"""Celery tasks of the follow-up: they take ids or ISO dates and call the services, and are safe
to run more than once (the claims in reminders.py make a second run send nothing)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from ta_portal import outbox

from . import reminders
from . import services


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else timezone.localdate()


@shared_task
def send_followup_reminders(day: str | None = None) -> dict:
    """The daily reminder run (beat); ``manage.py send_followup_reminders`` runs the same code."""
    return reminders.send_followup_reminders(today=_day(day))


@shared_task
def send_round_reminders(round_id: int, day: str | None = None) -> dict:
    """Announce a round just opened by a manager, without waiting for the daily run."""
    return reminders.send_followup_reminders(today=_day(day), round_ids=[round_id])


@shared_task
def open_followup_rounds(day: str | None = None) -> list[int]:
    """Open the rounds the schedules call for (beat); ``manage.py open_followup_rounds`` does the same."""
    return [round_.pk for round_ in services.open_scheduled_rounds(today=_day(day))]


@shared_task(bind=True, max_retries=5)
def deliver_followup_emails(self, log_ids: list[int]) -> dict:
    """Send claimed follow-up e-mails; failed ones are retried with growing delays, then left
    recorded as failed for the next daily run to try again."""
    return outbox.run_delivery(self, reminders.OUTBOX, log_ids)
