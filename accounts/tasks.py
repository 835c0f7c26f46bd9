import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions; safe to run any number of times."""
    call_command("clearsessions")


# An e-mail is not idempotent: acknowledged on receipt (acks_late off), so a worker that dies
# mid-send loses one message rather than sending it twice. Passing SMTP trouble is retried on a
# worker with growing delays (default_retry_delay × 2^n, at most 15 min), never hammering the server.
@shared_task(bind=True, acks_late=False, default_retry_delay=30, max_retries=6)
def send_email(self, *, subject: str, body: str, to: list[str], from_email: str | None = None, html: str = "") -> None:
    """Send one e-mail through the configured backend (SMTP in production)."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager:  # in-process (no broker): the caller handles the failure now
            raise
        delay = min(self.default_retry_delay * 2**self.request.retries, 15 * 60)
        logger.warning("e-mail %r not sent (%s); retry %d in %s s", subject, exc, self.request.retries + 1, delay)
        raise self.retry(exc=exc, countdown=delay)
    logger.info("e-mail %r sent to %d recipient(s)", subject, len(to))
