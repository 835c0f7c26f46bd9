import logging
import smtplib

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


# Idempotent: the service claims each (registration, event revision) before sending, so a task
# delivered twice sends once. Passing SMTP trouble releases the claim and retries with growing delays.
@shared_task(bind=True, acks_late=False, default_retry_delay=30, max_retries=6)
def send_event_invitation(self, registration_id: int) -> bool:
    try:
        return services.registration_send_invitation(registration_id=registration_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        delay = min(self.default_retry_delay * 2**self.request.retries, 15 * 60)
        logger.warning("invitation for registration %s not sent (%s); retry in %s s", registration_id, exc, delay)
        raise self.retry(exc=exc, countdown=delay)


# Idempotent: the service stores a text only for the file that is still current, and skips a file
# whose text it already read (see services.document_read_text).
@shared_task(acks_late=True)
def read_document_text(document_id: int) -> bool:
    return services.document_read_text(document_id=document_id)
