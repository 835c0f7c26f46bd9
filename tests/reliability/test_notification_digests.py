"""A notification digest whose worker is killed mid-send is sent exactly once, by the redelivered
task: the same guarantee as the follow-up reminders (one outbox, ta_portal/outbox.py), with real
processes (a `celery worker` subprocess killed with SIGKILL, a private Redis, SMTP on loopback)."""

import time
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from accounts.roles import Role
from notifications.models import DigestEmail
from notifications.models import Notification
from notifications.models import NotificationPreference
from notifications.tasks import send_notification_digests
from tests.factories import make_user
from tests.reliability.test_background_work import VISIBILITY_TIMEOUT
from tests.reliability.test_background_work import broker  # noqa: F401 (fixture)
from tests.reliability.test_background_work import processes  # noqa: F401 (fixture)
from tests.reliability.test_background_work import smtp  # noqa: F401 (fixture)
from tests.reliability.test_background_work import wait_for

MONDAY = date(2026, 3, 2)


@pytest.mark.services
def test_a_digest_whose_worker_is_killed_mid_send_is_sent_exactly_once(processes, smtp):  # noqa: F811
    # given: a user with a daily digest and two unread notifications, and a mail server slow to take the first message
    rosa = make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org", language="es")
    NotificationPreference.objects.create(user=rosa, digest="daily")
    for measure in ("Plan A", "Plan B"):
        Notification.objects.create(
            recipient=rosa,
            kind="followups.report_accepted",
            params={"measure": measure},
            created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        )
    smtp.slow = 1
    first = processes.worker("mail-1", queues="default", EMAIL_URL=smtp.url)
    # when: the daily run goes through the worker, which is killed while sending the digest
    send_notification_digests.delay("2026-03-03")
    wait_for(lambda: smtp.conversations >= 1, "the worker to start sending")
    processes.kill(first)
    row = DigestEmail.objects.get()
    assert (row.status, smtp.messages) == (DigestEmail.Status.PENDING, [])
    processes.worker("mail-2", queues="default", EMAIL_URL=smtp.url)
    # then: the redelivered task sends it, once, with both notifications
    wait_for(lambda: smtp.messages, "the digest to arrive")
    wait_for(lambda: DigestEmail.objects.get(pk=row.pk).status == DigestEmail.Status.SENT, "the row to say sent")
    time.sleep(VISIBILITY_TIMEOUT + 1)
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]
    assert smtp.messages[0]["Content-Language"] == "es"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DigestEmail.Status.SENT, 1)
    assert DigestEmail.objects.count() == 1
    assert Notification.objects.filter(digest=row).count() == 2
