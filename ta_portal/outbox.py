"""Sending e-mails exactly once from rows that record them: the mechanism every such e-mail shares
(follow-up reminders and notices, survey invitations and reminders, certificates).

A row records an e-mail still to be sent. Each e-mail is sent inside its own transaction that holds
the row locked (``FOR UPDATE SKIP LOCKED``) from before the SMTP conversation until the row is marked
sent just after the server's answer. A second worker given the same row (a redelivered or duplicate
task) skips it while the first is alive and finds it sent afterwards; a worker killed mid-send rolls
back, the lock goes with its connection, and the redelivered task sends the e-mail. The only window
for a duplicate is between the server's "250 OK" and the commit, a few milliseconds.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMessage
from django.core.mail import get_connection
from django.db import models
from django.db import transaction
from django.db.models import F
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ta_portal import datacache

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60

# A worker killed a moment ago may hold its row locks for a few milliseconds more, until the server
# notices: locked rows are tried again for about a second before they are left to the lock's holder.
LOCKED_ATTEMPTS = 6
LOCKED_RETRY_SECONDS = 0.2


def retry_countdown(retries: int) -> float:
    """Seconds before the next attempt: 1, 4, 16 minutes, then hourly."""
    return min(RETRY_BASE_SECONDS * 4**retries, 60 * RETRY_BASE_SECONDS)


def lock_unsent(unsent: QuerySet, pk: int):
    """``(row, None)``: the row, locked until the transaction ends, if it is still to be sent.
    ``(None, True)``: nothing to send (sent already, or gone); ``(None, None)``: another
    transaction holds it. Call inside ``transaction.atomic()``."""
    row = unsent.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
    if row is not None:
        return row, None
    return None, (None if unsent.filter(pk=pk).exists() else True)


def deliver_each(ids: Iterable[int], try_send: Callable[[int, object], bool | None]) -> list[int]:
    """Send the e-mail of each id with ``try_send(id, connection)`` (True sent or nothing to send,
    False failed, None locked by another transaction) over one SMTP connection; locked ones are
    tried again for about a second. Returns the ids whose sending failed."""
    failed: list[int] = []
    todo = sorted(set(ids))
    connection = get_connection()
    try:
        for attempt in range(LOCKED_ATTEMPTS):
            if attempt:
                time.sleep(LOCKED_RETRY_SECONDS)
            locked = []
            for pk in todo:
                outcome = try_send(pk, connection)
                if outcome is None:
                    locked.append(pk)
                elif outcome is False:
                    failed.append(pk)
            if not locked:
                break
            todo = locked
    finally:
        close_quietly(connection)
    return failed


def close_quietly(connection) -> None:
    """Close an SMTP connection; a broken one may fail to close, and the next send opens a new one."""
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; the next send opens a new one
        logger.debug("closing the mail connection failed", exc_info=True)


# ---- Claimed e-mails: one row per e-mail, claimed before it is sent --------------------------------
#
# An app keeps one row per e-mail in a model built on ``ClaimedEmail`` and gives it unique
# constraints that name what may be e-mailed only once (a round, a recipient and a kind of reminder;
# a survey invitation and a kind of e-mail). A run *claims* its e-mails by inserting those rows with
# ``bulk_create(ignore_conflicts=True)`` and a fresh ``claim_token``: a second run (or a second copy
# of the same run at the same moment) finds them taken and claims nothing. It hands to workers, once
# its transaction commits, the rows it claimed (``Outbox.dispatch``); the workers send each as above
# (``Outbox.deliver``), and the app's next run hands again what was lost (``Outbox.recover_unfinished``).

CHUNK_SIZE = 200
MAX_ATTEMPTS = 8
# A pending or failed e-mail untouched this long is handed to a worker again by the next run
# (its task was lost, e.g. the broker was down when it was dispatched).
REDISPATCH_AFTER = timedelta(minutes=15)
# Longer than any task may run (CELERY_TASK_TIME_LIMIT): a row still "sending" after this was
# being sent by a worker that died.
INTERRUPTED_AFTER = timedelta(minutes=30)


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    SKIPPED = "skipped", _("Not sent (no longer needed)")
    INTERRUPTED = "interrupted", _("Interrupted while sending (may not have arrived)")


UNSENT = [EmailStatus.PENDING, EmailStatus.FAILED]


class ClaimedEmail(models.Model):
    """One e-mail to one address, claimed before it is sent; the status records what happened.
    A concrete model adds what the e-mail is about and the unique constraints of its claims."""

    Status = EmailStatus

    email = models.EmailField(_("address"))
    status = models.CharField(_("status"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.UUIDField(_("claimed by run"), db_index=True)
    # Set with ``sending``: which worker's batch took the e-mail (rows of the earlier batch design).
    send_token = models.UUIDField(_("taken by batch"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Outbox:
    """How one app's claimed e-mails are sent.

    ``model``: the ``ClaimedEmail`` model; ``related``: what ``select_related`` loads with a row;
    ``still_needed(row)``: False to skip the e-mail (checked with the row locked, just before
    sending); ``build_message(row, connection=…)``: the e-mail; ``task()``: the Celery task that
    takes a list of row ids and calls ``run_delivery`` (a function, so modules import in any order);
    ``log_name``: how the logs name these e-mails.
    """

    model: type[ClaimedEmail]
    related: tuple[str, ...]
    still_needed: Callable[[ClaimedEmail], bool]
    build_message: Callable[..., EmailMessage]
    task: Callable[[], object]
    log_name: str = "e-mails"

    def claimed(self, token) -> list[int]:
        return list(self.model.objects.filter(claim_token=token).values_list("pk", flat=True))

    def dispatch(self, ids: list[int]) -> None:
        """Hand the claimed e-mails to workers once the claims are committed, in chunks."""
        if not ids:
            return
        chunks = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]

        def send_chunks():
            task = self.task()
            for chunk in chunks:
                try:
                    task.delay(chunk)
                except Exception:  # e.g. the broker is down: the rows stay unsent and a later run sends them
                    logger.exception("Could not hand %d %s to a worker; a later run will", len(chunk), self.log_name)

        transaction.on_commit(send_chunks)

    def recover_unfinished(self, now) -> list[int]:
        """Mark e-mails abandoned mid-send as interrupted; return those whose task was lost, to send again."""
        self.model.objects.filter(status=EmailStatus.SENDING, updated_at__lt=now - INTERRUPTED_AFTER).update(
            status=EmailStatus.INTERRUPTED, updated_at=now
        )
        datacache.changed(self.model)
        return list(
            self.model.objects.filter(
                status__in=UNSENT, updated_at__lt=now - REDISPATCH_AFTER, attempts__lt=MAX_ATTEMPTS
            ).values_list("pk", flat=True)
        )

    def deliver(self, ids: Iterable[int]) -> list[int]:
        """Send the claimed e-mails that are still to be sent; return the ids whose sending failed."""
        return deliver_each(ids, self._try_deliver)

    def _try_deliver(self, pk: int, connection) -> bool | None:
        """Send one e-mail if it is still to be sent: False if the send failed, None if another
        transaction holds the row. The row stays locked until the outcome is recorded."""
        with transaction.atomic():
            unsent = self.model.objects.filter(status__in=UNSENT).select_related(*self.related)
            row, outcome = lock_unsent(unsent, pk)
            if row is None:  # sent or skipped already, or locked
                return outcome
            if not self.still_needed(row):
                self.mark(row, EmailStatus.SKIPPED)
                return True
            try:
                self.build_message(row, connection=connection).send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("%s %s to %s failed: %s", self.log_name, row.pk, row.email, exc)
                self.mark(row, EmailStatus.FAILED, attempted=True, error=f"{type(exc).__name__}: {exc}"[:2000])
                close_quietly(connection)
                return False
            self.mark(row, EmailStatus.SENT, attempted=True)
        return True

    def mark(self, row: ClaimedEmail, status: str, *, attempted: bool = False, error: str = "") -> None:
        now = timezone.now()
        # An earlier failure's error stays recorded after a later attempt succeeds.
        fields = {"status": status, "updated_at": now}
        if attempted:
            fields["attempts"] = F("attempts") + 1
        if error:
            fields["last_error"] = error
        if status == EmailStatus.SENT:
            fields["sent_at"] = now
        self.model.objects.filter(pk=row.pk).update(**fields)
        datacache.changed(self.model)


def run_delivery(task, outbox: Outbox, ids: list[int]) -> dict:
    """The body of a bound Celery task that sends claimed e-mails: failed ones are retried with
    growing delays, then left recorded as failed for the app's next run to try again."""
    failed = outbox.deliver(ids)
    if failed and task.request.is_eager:
        # No broker (development, or a run in-process): retry at once rather than not at all.
        for _attempt in range(task.max_retries):
            failed = outbox.deliver(failed)
            if not failed:
                break
    elif failed and task.request.retries < task.max_retries:
        raise task.retry(args=[failed], countdown=retry_countdown(task.request.retries))
    return {"sent_or_skipped": len(ids) - len(failed), "failed": failed}
