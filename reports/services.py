"""Requesting, dispatching and rendering PDF reports.

Flow: ``report_request`` (web) reuses a live report for the same data or creates a pending one
and, once the transaction commits, sends ``render_report`` to the ``pdf`` queue. The worker
claims the row with a conditional update (so a duplicate message renders nothing twice),
renders it with WeasyPrint and marks it ready or failed. If the broker was unreachable the row
simply stays pending; ``reports_redispatch_pending`` (beat, every minute) sends it again.

On PostgreSQL the renderer also holds a session advisory lock on the report while it works. The
server drops that lock the moment the worker's connection dies, so when a worker is killed
mid-render and the broker hands the message to another worker, the lock tells "still being
rendered by a live worker" (skip) from "its worker died" (render it now) without waiting for
``STALE_RENDERING``.
"""

import hashlib
import json
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.db.models import Max
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation

from . import registry
from .models import Report

logger = logging.getLogger(__name__)

# A pending report nobody has sent successfully for this long is sent again by the sweep.
REDISPATCH_AFTER = timedelta(minutes=1)
# A message sent but not picked up for this long is assumed lost (e.g. a purged queue).
RESEND_AFTER = timedelta(minutes=15)
# A rendering that started this long ago without finishing died with its worker: claim it again.
STALE_RENDERING = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
MAX_ERROR_LENGTH = 4000


def fingerprint(*parts) -> str:
    """A stable hash of the data a report is rendered from (JSON-serialisable parts)."""
    payload = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _owner_filter(owner) -> dict:
    return {"owner_type": ContentType.objects.get_for_model(owner), "owner_id": owner.pk}


def report_latest(*, owner, kind: str, language: str | None = None) -> Report | None:
    """The most recent report of this kind for the owner (in the language, when given)."""
    reports = Report.objects.filter(kind=kind, **_owner_filter(owner))
    if language:
        reports = reports.filter(language=language)
    return reports.order_by("-created_at", "-pk").first()


def report_latest_in_other_languages(*, owner, kind: str, language: str) -> list[Report]:
    """The most recent report of this kind for the owner in each language but ``language``, in the
    order of settings.LANGUAGES (two queries, however many reports were made)."""
    latest = (
        Report.objects.filter(kind=kind, **_owner_filter(owner))
        .exclude(language=language)
        .values("language")
        .annotate(newest=Max("pk"))
        .values("newest")
    )
    found = {report.language: report for report in Report.objects.filter(pk__in=latest)}
    return [found[code] for code, _name in settings.LANGUAGES if code in found]


def report_request(*, owner, kind: str, language: str, fingerprint: str, by) -> Report:
    """The report for this owner, kind, language and data: reused if live, otherwise queued.

    Returns at once; the rendering happens in a worker after the transaction commits.
    """
    registry.get(kind)  # fail loudly on a kind nobody registered
    owner_filter = _owner_filter(owner)
    live = (
        Report.objects.filter(kind=kind, language=language, fingerprint=fingerprint, **owner_filter)
        .exclude(status=Report.Status.FAILED)
        .first()
    )
    if live is not None:
        return live
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=kind, language=language, fingerprint=fingerprint, requested_by=by, **owner_filter
            )
    except IntegrityError:
        # Someone else requested the same report a moment ago: share theirs.
        return (
            Report.objects.filter(kind=kind, language=language, fingerprint=fingerprint, **owner_filter)
            .exclude(status=Report.Status.FAILED)
            .get()
        )
    transaction.on_commit(lambda: report_dispatch(report_id=report.pk))
    return report


def report_dispatch(*, report_id: int) -> bool:
    """Send the rendering to the queue; on a broker failure leave the report pending for the sweep."""
    from .tasks import render_report  # noqa: PLC0415 (cycle: reports.services -> reports.tasks -> reports.services)

    try:
        # A short retry rides out a blip; a real outage is the sweep's business, not the request's.
        render_report.apply_async(
            (report_id,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        )
    except Exception:  # kombu raises OperationalError and friends; any failure means "not sent"
        logger.warning("Could not queue report %s; it stays pending until the broker is back.", report_id)
        return False
    Report.objects.filter(pk=report_id, status=Report.Status.PENDING, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def reports_redispatch_pending(*, now=None) -> int:
    """Send again the pending reports that never reached a worker. Returns how many were sent."""
    now = now or timezone.now()
    never_sent = Q(dispatched_at__isnull=True, created_at__lt=now - REDISPATCH_AFTER)
    lost = Q(dispatched_at__lt=now - RESEND_AFTER)
    not_rendering = Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_RENDERING)
    ids = list(
        Report.objects.filter(status=Report.Status.PENDING)
        .filter(never_sent | lost)
        .filter(not_rendering)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )
    sent = 0
    for report_id in ids:
        Report.objects.filter(pk=report_id).update(dispatched_at=None)
        sent += report_dispatch(report_id=report_id)
    return sent


# First key of the advisory locks on reports (the second is the report's id); any constant unused
# by other advisory locks of the database.
RENDER_LOCK_NAMESPACE = 0x7265  # "re"


# A worker killed a moment ago may still hold its lock for a few milliseconds, until the server
# notices the closed connection: try for about a second before concluding a live worker has it.
LOCK_ATTEMPTS = 6
LOCK_RETRY_SECONDS = 0.2


@contextmanager
def _rendering_lock(report_id: int):
    """Yield True while this process holds the report's rendering lock, False when another
    process holds it, None without PostgreSQL (where only the ``started_at`` claim protects it)."""
    if connection.vendor != "postgresql":
        yield None
        return
    held = False
    for attempt in range(LOCK_ATTEMPTS):
        if attempt:
            time.sleep(LOCK_RETRY_SECONDS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RENDER_LOCK_NAMESPACE, report_id])
            held = cursor.fetchone()[0]
        if held:
            break
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RENDER_LOCK_NAMESPACE, report_id])


def _claim(report_id: int, *, lock: bool | None) -> bool:
    """Mark a pending report as being rendered.

    Holding its lock (``lock`` True), a ``started_at`` already set belongs to a renderer that died:
    no obstacle. Without PostgreSQL (None), only a claim older than any task may run is taken over.
    When another connection holds the lock (False) the same holds, and a report not claimed yet is
    left to that lock's holder, which is about to claim it (a holder whose machine vanished keeps
    the lock until the server's TCP keepalive gives up on it).
    """
    now = timezone.now()
    pending = Report.objects.filter(pk=report_id, status=Report.Status.PENDING)
    stale = Q(started_at__lt=now - STALE_RENDERING)
    if lock is None:
        pending = pending.filter(Q(started_at__isnull=True) | stale)
    elif lock is False:
        pending = pending.filter(stale)
    return bool(pending.update(started_at=now, attempts=F("attempts") + 1))


def html_to_pdf(html: str, *, stylesheets: list[str] = ()) -> bytes:
    """Render HTML (with static stylesheets, by their static path) to PDF bytes; the document may
    load only static files and data: URIs (reports/pdf_resources.py)."""
    # WeasyPrint loads native libraries (Pango, HarfBuzz): only the processes that render pay for it.
    from weasyprint import CSS  # noqa: PLC0415 (heavy, loaded on first render)
    from weasyprint import HTML  # noqa: PLC0415 (heavy, loaded on first render)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 (as above)

    from .pdf_resources import StaticFilesOnly  # noqa: PLC0415 (imports WeasyPrint too)

    font_config = FontConfiguration()
    fetcher = StaticFilesOnly()
    sheets = []
    for path in stylesheets:
        found = finders.find(path)
        if not found:
            raise FileNotFoundError(f"Static stylesheet {path!r} not found.")
        sheets.append(CSS(filename=found, font_config=font_config, url_fetcher=fetcher))
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    # Fonts are subset (the default): embedding them whole writes a little faster but makes a
    # few-page report ~25 times larger (≈840 KB instead of ≈35 KB with DejaVu Sans).
    return document.write_pdf(stylesheets=sheets, font_config=font_config)


def report_render(*, report_id: int) -> Report | None:
    """Render a pending report (in a worker). Idempotent: a report being rendered by a live
    worker, ready or failed is left alone. Returns the report, or None when there was nothing to do."""
    with _rendering_lock(report_id) as lock:
        if not _claim(report_id, lock=lock):
            return None
        return _render_claimed(report_id)


def _render_claimed(report_id: int) -> Report:
    report = Report.objects.select_related("owner_type").get(pk=report_id)
    started = time.monotonic()
    try:
        kind = registry.get(report.kind)
        owner = report.owner
        if owner is None:
            raise LookupError("The report's owner no longer exists.")
        with translation.override(report.language):
            spec = kind.build(owner, report.language)
            html = render_to_string(spec.template, spec.context)
            pdf = html_to_pdf(html, stylesheets=["reports/print.css", *spec.stylesheets])
    except Exception as exc:
        logger.exception("Rendering report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH],
            finished_at=timezone.now(),
            render_seconds=time.monotonic() - started,
        )
        return Report.objects.get(pk=report_id)
    report.file.save(spec.filename, ContentFile(pdf), save=False)
    report.filename = spec.filename
    report.size = len(pdf)
    report.render_seconds = time.monotonic() - started
    report.status = Report.Status.READY
    report.finished_at = timezone.now()
    report.error = ""
    report.save(update_fields=["file", "filename", "size", "render_seconds", "status", "finished_at", "error"])
    logger.info("Rendered report %s (%s, %d bytes) in %.2f s", report_id, report.kind, len(pdf), report.render_seconds)
    return report
