"""Stored PDF renderings: requesting, claiming, failing, the sweep that recovers requests made while
the broker was down, and the access-checked download."""

import time
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from engagements.models import Engagement
from reports import registry
from reports.models import Report
from reports.registry import RenderSpec
from reports.registry import ReportKind
from reports.services import RENDER_LOCK_NAMESPACE
from reports.services import fingerprint
from reports.services import report_render
from reports.services import report_request
from reports.services import reports_redispatch_pending
from reports.tasks import redispatch_pending_reports
from ta_portal.celery import app
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = pytest.mark.clock_sensitive


def _build(engagement, language):
    return RenderSpec(template="reports/base_print.html", context={}, filename=f"engagement-{engagement.pk}.pdf")


def _fail(engagement, language):
    raise RuntimeError("the template is broken")


registry.register(ReportKind("test-engagement", build=_build, visible_owners=Engagement.objects.visible_to))
registry.register(ReportKind("test-failing", build=_fail, visible_owners=Engagement.objects.visible_to))


def _request(engagement, kind="test-engagement", data="v1"):
    return report_request(owner=engagement, kind=kind, language="en", fingerprint=fingerprint(data), by=None)


def _wait_until_done(report: Report, seconds: float = 60) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != Report.Status.PENDING:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report.pk} still pending after {seconds} s")


@contextmanager
def broker_unreachable():
    """Point the producers at a port where nothing listens (as when Redis is down), then back."""

    def reset_producers():
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    reset_producers()
    try:
        yield
    finally:
        app.conf.broker_url = original
        reset_producers()


@pytest.mark.services
def test_a_request_made_while_the_broker_is_down_stays_pending_and_renders_once_the_sweep_runs(celery_worker):
    # given a worker, and a broker that cannot be reached when the report is requested
    engagement = EngagementFactory()
    with broker_unreachable():
        report = _request(engagement)  # outside a transaction: dispatched at once, and it fails
    # then the request is not lost: the row waits, pending and never sent
    time.sleep(1)
    report.refresh_from_db()
    assert (report.status, report.dispatched_at, report.started_at) == ("pending", None, None)
    # when the broker is back and the beat's sweep runs (through the broker, on the worker)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    assert redispatch_pending_reports.delay().get(timeout=30) == 1
    # then the report is rendered
    report = _wait_until_done(report)
    assert report.status == "ready", report.error
    assert report.attempts == 1 and report.file.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_the_sweep_leaves_alone_fresh_requests_sent_ones_and_finished_ones():
    engagement = EngagementFactory()
    old = timezone.now() - timedelta(minutes=5)
    fresh = Report.objects.create(
        kind="test-engagement", owner_type_id=_ct(), owner_id=engagement.pk, language="en", fingerprint="a"
    )
    sent = Report.objects.create(
        kind="test-engagement",
        owner_type_id=_ct(),
        owner_id=engagement.pk,
        language="es",
        fingerprint="a",
        dispatched_at=old,
    )
    ready = Report.objects.create(
        kind="test-engagement",
        owner_type_id=_ct(),
        owner_id=engagement.pk,
        language="fr",
        fingerprint="a",
        status="ready",
    )
    Report.objects.filter(pk__in=[sent.pk, ready.pk]).update(created_at=old)
    assert reports_redispatch_pending() == 0
    # a report never sent, requested over a minute ago, is sent (and, eagerly, rendered)
    Report.objects.filter(pk=fresh.pk).update(created_at=old)
    assert reports_redispatch_pending() == 1
    fresh.refresh_from_db()
    assert fresh.status == "ready"


def _ct():
    return ContentType.objects.get_for_model(Engagement).pk


@pytest.mark.django_db
def test_rendering_is_claimed_once_so_a_duplicate_message_renders_nothing():
    engagement = EngagementFactory()
    report = Report.objects.create(
        kind="test-engagement", owner_type_id=_ct(), owner_id=engagement.pk, language="en", fingerprint="x"
    )
    assert report_render(report_id=report.pk).status == "ready"
    assert report_render(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.attempts == 1


@pytest.mark.django_db
def test_a_rendering_in_progress_is_not_taken_twice_unless_its_worker_died(postgres):
    engagement = EngagementFactory()
    report = Report.objects.create(
        kind="test-engagement",
        owner_type_id=_ct(),
        owner_id=engagement.pk,
        language="en",
        fingerprint="x",
        started_at=timezone.now(),
    )
    # a live renderer elsewhere holds the report's lock on its own connection
    renderer = connections.create_connection("default")
    try:
        with renderer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RENDER_LOCK_NAMESPACE, report.pk])
        assert report_render(report_id=report.pk) is None
    finally:
        renderer.close()  # it dies: PostgreSQL releases its lock with the connection
    # its claim is recent, but nobody holds the lock any more: the report is rendered now
    assert report_render(report_id=report.pk).status == "ready"
    report.refresh_from_db()
    assert report.attempts == 1


@pytest.mark.django_db
def test_a_failed_rendering_is_marked_failed_with_its_error_and_a_new_request_tries_again(
    django_capture_on_commit_callbacks,
):
    engagement = EngagementFactory()
    with django_capture_on_commit_callbacks(execute=True):
        failed = _request(engagement, kind="test-failing")
    failed.refresh_from_db()
    assert failed.status == "failed" and "the template is broken" in failed.error
    with django_capture_on_commit_callbacks(execute=True):
        retry = _request(engagement, kind="test-failing")
    assert retry.pk != failed.pk


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_at_request_time():
    with pytest.raises(LookupError):
        _request(EngagementFactory(), kind="no-such-kind")


@pytest.mark.django_db
def test_the_download_is_scoped_like_its_owner(client, django_capture_on_commit_callbacks):
    # given a ready report for a Peruvian engagement and one still pending
    engagement = EngagementFactory(country_id="PE")
    with django_capture_on_commit_callbacks(execute=True):
        ready = _request(engagement)
    pending = Report.objects.create(
        kind="test-engagement", owner_type_id=_ct(), owner_id=engagement.pk, language="es", fingerprint="p"
    )
    url = reverse("reports:download", args=[ready.pk])
    # then a Peruvian viewer downloads it, a Colombian manager does not learn it exists
    client.force_login(make_user("viewer", "PE"))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="engagement-' in response["Content-Disposition"]
    assert client.get(reverse("reports:download", args=[pending.pk])).status_code == 404
    status = client.get(reverse("reports:status", args=[pending.pk])).json()
    assert status == {"status": "pending", "status_label": "Pending", "download_url": None}
    client.force_login(make_user("manager", "CO"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:status", args=[ready.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_management_command_runs_the_sweep():
    out = StringIO()
    call_command("redispatch_pending_reports", stdout=out)
    assert "0 pending report(s) queued again." in out.getvalue()


def test_the_beat_schedule_runs_the_sweep_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["redispatch-pending-reports"]
    assert entry["task"] == "reports.tasks.redispatch_pending_reports"
    assert entry["schedule"] == timedelta(minutes=1)


def test_rendering_tasks_go_to_the_pdf_queue():
    route = app.amqp.router.route({}, "reports.tasks.render_report")
    assert route["queue"].name == "pdf"
    assert app.amqp.router.route({}, "reports.tasks.redispatch_pending_reports")["queue"].name == "default"
