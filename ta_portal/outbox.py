"""Sending e-mails exactly once from rows that record them: the mechanism every such e-mail shares
(follow-up reminders and notices, certificates).

A row records an e-mail still to be sent. Each e-mail is sent inside its own transaction that holds
the row locked (``FOR UPDATE SKIP LOCKED``) from before the SMTP conversation until the row is marked
sent just after the server's answer. A second worker given the same row (a redelivered or duplicate
task) skips it while the first is alive and finds it sent afterwards; a worker killed mid-send rolls
back, the lock goes with its connection, and the redelivered task sends the e-mail. The only window
for a duplicate is between the server's "250 OK" and the commit, a few milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections.abc import Iterable

from django.core.mail import get_connection
from django.db.models import QuerySet

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
