"""Background work survives what real deployments do to it, with real processes: `celery worker`
and `celery beat` subprocesses, a private redis-server, the test's PostgreSQL database.

- a task asked for inside a transaction that rolls back is never sent;
- a PDF rendering and a reminder e-mail finish exactly once when their worker is killed mid-task
  (the message comes back after the visibility timeout and another worker takes it);
- they finish exactly once when Redis restarts under them, and work queued in Redis then is sent
  again by the sweep;
- of two beats, one schedules; the other takes over when the first is killed;
- renderings go to the "pdf" queue.
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.db import transaction
from django.utils import timezone

from accounts.forms import PortalPasswordResetForm
from accounts.roles import Role
from followups import reminders
from followups import services as followups
from followups.models import ReminderLog
from followups.tasks import send_followup_reminders
from network import services as network
from reports.models import Report
from reports.services import fingerprint
from reports.services import report_request
from reports.services import reports_redispatch_pending
from ta_portal.celery import app
from tests.conftest import need
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.network.factories import EventFactory
from tests.reliability import worker_hooks  # noqa: F401 (the slow report kinds, known here as in the workers)

pytestmark = pytest.mark.clock_sensitive

BASE_DIR = Path(settings.BASE_DIR)
DAY0 = date(2026, 3, 2)
DUE = DAY0 + timedelta(days=30)
RENDER_SECONDS = 3  # long enough to kill a worker in the middle of a rendering
VISIBILITY_TIMEOUT = 2  # seconds before a message taken by a vanished worker is handed out again


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, what: str, seconds: float = 30, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk, which the test may restart."""

    def __init__(self, tmp_path):
        self.path = shutil.which("redis-server")
        self.port = _free_port()
        self.dir = tmp_path
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.path, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        wait_for(lambda: _pings(client), "redis-server to answer", seconds=10, every=0.05)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def broker(redis_url, tmp_path):
    """A private Redis the test process publishes to (tasks are really sent, not run eagerly)."""
    need(shutil.which("redis-server") is not None, "redis-server")

    server = RedisServer(tmp_path)
    server.start()

    def point_at(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    point_at(server.url)
    app.conf.task_always_eager = False
    try:
        yield server
    finally:
        app.conf.task_always_eager = True
        point_at(original)
        if server.process.poll() is None:
            server.kill()


class Processes:
    """Celery worker and beat subprocesses, each in a session of its own so that killing one kills
    its pool processes too (as when a container or machine dies)."""

    def __init__(self, broker, tmp_path):
        self.broker = broker
        self.tmp_path = tmp_path
        self.started = []

    def env(self, **extra) -> dict:
        database = settings.DATABASES["default"]
        credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
        return {
            **os.environ,
            # The test's own database (test_…): the worker sees what the transactional test committed.
            "DATABASE_URL": f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": self.broker.url,
            "SECRET_KEY": "reliability-tests-only",
            "DEBUG": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SITE_URL": "https://portal.example.org",
            "FOLLOWUP_REMINDER_DAYS_BEFORE": "14,3",
            "FOLLOWUP_ESCALATION_DAYS": "10",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "TEST_RENDER_SECONDS": str(RENDER_SECONDS),
            **worker_hooks.clock_for_workers(),
            **extra,
        }

    def _start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = self.tmp_path / f"{name}.log"
        self.started.append(process)
        return process

    def worker(self, name: str, queues: str = "default,pdf", concurrency: int = 1, **env) -> subprocess.Popen:
        process = self._start(
            name,
            ["-A", "ta_portal", "worker", "-n", f"{name}@%h", "-Q", queues, "-c", str(concurrency),
             "--max-tasks-per-child", "50", "-I", "tests.reliability.worker_hooks", "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            self.env(**env),
        )  # fmt: skip
        wait_for(lambda: "ready." in self.log(process) or process.poll() is not None, f"worker {name}")
        assert process.poll() is None, self.log(process)
        return process

    def beat(self, name: str, **env) -> subprocess.Popen:
        return self._start(
            name,
            ["-A", "tests.reliability.beat_app", "beat", "-l", "info", "-s", str(self.tmp_path / f"{name}-schedule")],
            self.env(**env),
        )

    @staticmethod
    def log(process) -> str:
        return process.log_path.read_text(errors="replace")

    @staticmethod
    def kill(process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        # No warm shutdown to wait for: the broker and the database are thrown away after the test.
        for process in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def processes(broker, tmp_path, transactional_db, postgres):
    started = Processes(broker, tmp_path)
    yield started
    started.stop_all()


class SlowInbox:
    """An SMTP server that keeps messages; the first ``slow`` conversations stall at RCPT TO, so a
    worker can be killed while it is sending (before the message is handed over)."""

    def __init__(self, slow: int = 0, seconds: float = RENDER_SECONDS):
        self.slow, self.seconds = slow, seconds
        self.conversations = 0
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.conversations += 1
        if self.conversations <= self.slow:
            await asyncio.sleep(self.seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


def _due_round():
    """A round due in three days for one Peruvian counterpart, committed for the workers to see."""
    make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org")
    engagement = other_engagement("PE", title="Peru follow-up")
    make_measure(engagement)
    return open_round(engagement, opens_on=DAY0, due_date=DUE)


def _request_report(kind: str, data: str = "v1") -> Report:
    engagement = EngagementFactory()
    return report_request(owner=engagement, kind=kind, language="en", fingerprint=fingerprint(data), by=None)


def _pdf_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def _queued(client, queue: str) -> list[dict]:
    return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]


# ---- Sent on commit only ----------------------------------------------------------------------


class RollbackError(Exception):
    pass


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_task_requested_in_a_transaction_that_rolls_back_is_never_sent(broker, postgres, settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = [14, 3]
    client = broker.client()
    round_ = _due_round()
    engagement = EngagementFactory()
    organiser = make_user(Role.MANAGER, "PE")
    event = EventFactory(organisers=[organiser])
    person = PersonFactory(email="guest@example.org")

    def ask_for_everything():
        """Every kind of call site that queues a task: a report, a reminder run, the opening of a
        round, an event invitation, a password-reset e-mail."""
        report_request(owner=engagement, kind="test-quick", language="en", fingerprint="a", by=None)
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))
        followups.round_open(engagement=round_.engagement, opens_on=DAY0, due_date=DUE, notify=True)
        network.event_register(event=event, person=person, by=organiser)
        PortalPasswordResetForm().send_mail(
            "registration/password_reset_subject.txt",
            "registration/password_reset_email.txt",
            {"user": organiser, "protocol": "https", "domain": "portal.example.org", "uid": "x", "token": "y"},
            None,
            "someone@example.org",
        )

    # when: all are asked for, then the transaction fails
    with pytest.raises(RollbackError), transaction.atomic():
        ask_for_everything()
        raise RollbackError
    # then: nothing reached the broker, and nothing was left behind
    assert (client.llen("pdf"), client.llen("default")) == (0, 0)
    assert not Report.objects.exists() and not ReminderLog.objects.exists()
    # while the same requests, committed, are each sent once
    with transaction.atomic():
        ask_for_everything()
    tasks = sorted(m["headers"]["task"] for queue in ("pdf", "default") for m in _queued(client, queue))
    assert tasks == [
        "accounts.tasks.send_email",
        "followups.tasks.deliver_followup_emails",
        "followups.tasks.send_round_reminders",
        "network.tasks.send_event_invitation",
        "reports.tasks.render_report",
    ]


def test_the_render_tasks_go_to_the_pdf_queue_and_the_others_to_default():
    # Load every app's tasks as a worker does at start, whatever other tests imported before this one.
    app.loader.import_default_modules()
    router = app.amqp.router
    routed = {name: router.route({}, name)["queue"].name for name in sorted(app.tasks) if "." in name}
    assert routed["reports.tasks.render_report"] == "pdf"
    assert {name for name, queue in routed.items() if queue == "pdf"} == {
        name for name in routed if name.rsplit(".", 1)[-1].startswith("render_")
    }
    assert routed["followups.tasks.deliver_followup_emails"] == "default"
    assert routed["reports.tasks.redispatch_pending_reports"] == "default"


def test_every_way_to_run_the_pdf_worker_recycles_its_processes():
    makefile = (BASE_DIR / "Makefile").read_text()
    worker_line = next(line for line in makefile.splitlines() if "celery -A ta_portal worker" in line)
    assert "pdf" in worker_line and "--max-tasks-per-child" in worker_line
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    pdf_workers = [line for line in compose.splitlines() if "celery -A ta_portal worker" in line and "pdf" in line]
    assert pdf_workers and all("--max-tasks-per-child" in line for line in pdf_workers)


@pytest.mark.django_db
def test_the_server_gives_up_on_a_vanished_worker_s_connection_and_its_locks_within_minutes(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting::int FROM pg_settings WHERE name LIKE 'tcp_keepalives_%%'")
        keepalive = dict(cursor.fetchall())
    # the connection's own settings (0 would mean the operating system's default: two hours)
    assert all(keepalive[name] > 0 for name in ("tcp_keepalives_idle", "tcp_keepalives_interval"))
    given_up_after = (
        keepalive["tcp_keepalives_idle"] + keepalive["tcp_keepalives_interval"] * keepalive["tcp_keepalives_count"]
    )
    assert given_up_after <= 120


# ---- A worker killed mid-task -----------------------------------------------------------------


@pytest.mark.services
def test_a_rendering_whose_worker_is_killed_is_redelivered_and_renders_one_pdf(processes):
    # given: a worker rendering a slow report
    first = processes.worker("pdf-1", queues="pdf")
    report = _request_report("test-slow")
    wait_for(lambda: Report.objects.filter(pk=report.pk, started_at__isnull=False).exists(), "the rendering to start")
    # when: the worker is killed in the middle, and another one starts
    processes.kill(first)
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("pending", 1)
    processes.worker("pdf-2", queues="pdf")
    # then: the message comes back after the visibility timeout and the report is rendered, once
    wait_for(lambda: Report.objects.get(pk=report.pk).status != "pending", "the rendering to finish")
    report.refresh_from_db()
    assert report.status == "ready", report.error
    assert report.attempts == 2  # the killed attempt and the one that finished
    assert report.file.read(5) == b"%PDF-"
    time.sleep(VISIBILITY_TIMEOUT + 1)  # no further copy of the message renders it again
    report.refresh_from_db()
    assert report.attempts == 2
    assert len(_pdf_files()) == 1


@pytest.mark.services
def test_a_reminder_whose_worker_is_killed_mid_send_is_sent_exactly_once(processes, smtp):
    # given: a due round, and a mail server slow to take the first message
    round_ = _due_round()
    smtp.slow = 1
    first = processes.worker("mail-1", queues="default", EMAIL_URL=smtp.url)
    # when: the daily run goes through the worker, which is killed while sending the reminder
    send_followup_reminders.delay((DUE - timedelta(days=3)).isoformat())
    wait_for(lambda: smtp.conversations >= 1, "the worker to start sending")
    processes.kill(first)
    log = ReminderLog.objects.get(round=round_)
    assert (log.status, smtp.messages) == (ReminderLog.Status.PENDING, [])
    processes.worker("mail-2", queues="default", EMAIL_URL=smtp.url)
    # then: the redelivered task sends it, once
    wait_for(lambda: smtp.messages, "the reminder to arrive")
    wait_for(lambda: ReminderLog.objects.get(pk=log.pk).status == ReminderLog.Status.SENT, "the log to say sent")
    time.sleep(VISIBILITY_TIMEOUT + 1)
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]
    log.refresh_from_db()
    assert (log.status, log.attempts) == (ReminderLog.Status.SENT, 1)
    assert ReminderLog.objects.count() == 1


# ---- Redis restarting -------------------------------------------------------------------------


@pytest.mark.services
def test_a_redis_restart_loses_no_work_and_repeats_none(processes, smtp, broker):
    # given: one worker rendering a slow report and sending a reminder to a slow mail server
    round_ = _due_round()
    smtp.slow = 1
    processes.worker("both", concurrency=2, EMAIL_URL=smtp.url)
    report = _request_report("test-slow")
    reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    wait_for(
        lambda: smtp.conversations >= 1 and Report.objects.filter(pk=report.pk, started_at__isnull=False).exists(),
        "the rendering and the sending to start",
    )
    # and a third task waiting in the queue (both of the worker's processes are busy)
    queued = _request_report("test-quick", data="queued")
    assert broker.client().llen("pdf") == 1
    # when: Redis restarts, losing everything it held (it keeps nothing on disk)
    broker.kill()
    broker.start()
    # then: the two tasks in progress finish, once
    wait_for(lambda: Report.objects.get(pk=report.pk).status != "pending", "the rendering to finish")
    wait_for(lambda: ReminderLog.objects.get(round=round_).status == ReminderLog.Status.SENT, "the reminder")
    report.refresh_from_db()
    assert (report.status, report.attempts, len(_pdf_files())) == ("ready", 1, 1)
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]
    # and the queued one, lost with Redis, is sent again by the beat's sweep (run as 16 minutes on)
    assert Report.objects.get(pk=queued.pk).status == "pending"
    assert reports_redispatch_pending(now=timezone.now() + timedelta(minutes=16)) == 1
    wait_for(lambda: Report.objects.get(pk=queued.pk).status == "ready", "the lost report to be rendered")
    # and the worker reconnected: new work is done, nothing twice
    later = _request_report("test-quick", data="after the restart")
    wait_for(lambda: Report.objects.get(pk=later.pk).status == "ready", "a report asked for after the restart")
    assert len(_pdf_files()) == 3 and len(smtp.messages) == 1
    assert list(Report.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 1, 1]


# ---- One beat ---------------------------------------------------------------------------------


def _beat_senders(client) -> list[str]:
    """The process ids of the beats that sent each queued tick, oldest first (a message's origin is
    gen<pid>@host; kombu pushes new messages at the head of the list)."""
    ticks = reversed(_queued(client, "beat-test"))
    return [m["headers"]["origin"].split("@")[0].removeprefix("gen") for m in ticks]


@pytest.mark.services
def test_of_two_beats_only_one_schedules_and_the_other_takes_over_when_it_dies(processes, broker):
    client = broker.client()
    # given: a beat that schedules (a tick every half second)
    first = processes.beat("beat-1", CELERY_BEAT_LOCK_TTL="3")
    wait_for(lambda: client.llen("beat-test") >= 2, "the first beat to schedule")
    assert "ta_portal.beat.LockedScheduler" in processes.log(first)  # the portal's setting, not the test's
    # when: a second beat starts
    second = processes.beat("beat-2", CELERY_BEAT_LOCK_TTL="3")
    wait_for(lambda: "waits to take over" in processes.log(second), "the second beat to wait")
    time.sleep(2)
    # then: it sends nothing while the first one lives
    senders = _beat_senders(client)
    assert len(senders) >= 4 and set(senders) == {str(first.pid)}
    # when: the first beat is killed (no clean release: the lock has to expire)
    processes.kill(first)
    killed_at = len(_beat_senders(client))
    wait_for(lambda: str(second.pid) in _beat_senders(client), "the second beat to take over", seconds=15)
    # then: the second schedules from then on, and only it
    time.sleep(1.5)
    after = _beat_senders(client)[killed_at:]
    assert set(after) == {str(second.pid)} and len(after) >= 2
    assert "Beat lock acquired" in processes.log(second)
