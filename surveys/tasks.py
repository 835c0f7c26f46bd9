"""Celery tasks of the surveys: they take ids or ISO dates, call the services, and are safe to run
more than once (a session has one survey per purpose; the e-mail claims make a second run send nothing)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from ta_portal.outbox import run_delivery

from . import reminders
from . import services


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else timezone.localdate()


@shared_task
def run_surveys(day: str | None = None) -> dict:
    """The daily run (beat): open the surveys sessions call for, invite late participants, then send
    the invitations and reminders due; ``manage.py run_surveys`` does the same."""
    today = _day(day)
    opened = services.open_due_surveys(today=today)
    return {"opened": [survey.pk for survey in opened], **reminders.send_survey_emails(today=today)}


@shared_task(bind=True, max_retries=5)
def deliver_survey_emails(self, email_ids: list[int]) -> dict:
    """Send claimed survey e-mails; failed ones are retried with growing delays, then left recorded
    as failed for the next daily run to try again."""
    return run_delivery(self, reminders.OUTBOX, email_ids)
