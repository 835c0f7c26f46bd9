"""Writes of the history import: accept a workbook, run it (dry or real), confirm a dry run.

The web pages, the API and ``manage.py import_history`` all go through these functions.

An import runs in one transaction, under a PostgreSQL advisory lock that lets one history import
write at a time (two workbooks naming the same refs could otherwise both create the records). Its
writes are attributed in the audit trail to the importer, with the context ``history import
<SHA-256 of the workbook>``. A dry run goes through every step, writes included, and rolls back:
what it reports is what the real import does.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from audit.context import acting_as
from ta_portal.uploads import WORKBOOK
from ta_portal.uploads import check_upload

from . import progress
from . import spec
from .access import can_confirm_import
from .access import can_import_history
from .engine import HistoryImporter
from .models import HistoryImport
from .reading import read_workbook
from .reading import workbook_error

logger = logging.getLogger("ta_portal.history")

Status = HistoryImport.Status
# pg_advisory_xact_lock key of history imports (any fixed number; the portal takes no other like it).
LOCK_KEY = 0x7461_6869  # "tahi"


def audit_context(sha256: str) -> str:
    """How the audit trail names the writes of an import."""
    return f"history import {sha256}"


def import_create(*, user, upload, dry_run: bool, run_now: bool = False) -> HistoryImport:
    """Check the uploaded workbook (size, type, archive), store it, and create the import.

    Only managers and administrators import (PermissionDenied otherwise); a file that cannot be
    a workbook raises ValidationError ({"file": [message]}) and nothing is stored. The import runs
    in the background (Celery, queued once the transaction commits), or at once with ``run_now``
    (the command line).
    """
    if not can_import_history(user):
        raise PermissionDenied
    try:
        checked = check_upload(upload, policy=WORKBOOK)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    with transaction.atomic():
        history_import = HistoryImport(
            created_by=user,
            file_name=checked.name,
            size=checked.size,
            sha256=checked.sha256,
            dry_run=dry_run,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        history_import.file.save("workbook.xlsx", checked.upload, save=False)
        history_import.save()
        if not run_now:
            _queue(history_import.pk)
    if run_now:
        return import_run(import_id=history_import.pk)
    return history_import


def _queue(import_id: int) -> None:
    from .tasks import run_history_import  # noqa: PLC0415 (cycle: services -> tasks -> services)

    transaction.on_commit(lambda: run_history_import.delay(import_id))


def import_confirm(*, user, dry_run: HistoryImport) -> HistoryImport:
    """The real import of a finished, error-free dry run's workbook (the same stored file).

    ValidationError when the dry run is not finished, had errors, or was already confirmed.
    """
    if not can_confirm_import(user, dry_run):
        raise PermissionDenied
    with transaction.atomic():
        locked = HistoryImport.objects.select_for_update().get(pk=dry_run.pk)
        if not locked.dry_run:
            raise ValidationError(_("This import was not a dry run."))
        if locked.status != Status.DONE:
            raise ValidationError(_("The dry run has not finished yet."))
        if locked.errors:
            raise ValidationError(_("The dry run found errors: correct the workbook and upload it again."))
        if HistoryImport.objects.filter(confirms=locked).exists():
            raise ValidationError(_("This dry run was already confirmed."))
        real = HistoryImport.objects.create(
            created_by=user,
            file=locked.file.name,
            file_name=locked.file_name,
            size=locked.size,
            sha256=locked.sha256,
            dry_run=False,
            language=translation.get_language() or locked.language,
            confirms=locked,
        )
        _queue(real.pk)
    return real


def import_run(*, import_id: int) -> HistoryImport:
    """Read, check and (unless a dry run) apply the workbook, all or nothing; idempotent (an import
    already running, done or failed is returned untouched). Progress is reported as rows are read.

    An import left running by a worker that died (older than the workers' hard time limit, which
    would have ended it) is run again. A workbook with errors ends DONE with its errors and nothing
    saved; FAILED means an unexpected problem, logged, and nothing saved either.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 600))
    claimed = (
        HistoryImport.objects.filter(pk=import_id)
        .filter(Q(status=Status.PENDING) | Q(status=Status.RUNNING, started_at__lt=abandoned))
        .update(status=Status.RUNNING, started_at=now, finished_at=None)
    )
    history_import = HistoryImport.objects.select_related("created_by").get(pk=import_id)
    if not claimed:
        return history_import
    with translation.override(history_import.language or settings.LANGUAGE_CODE):
        try:
            summary, errors, total = _run(history_import)
            status = Status.DONE
        except Exception:
            logger.exception("history import %s failed", import_id)
            summary, total = {}, None
            errors = [workbook_error(_("The import stopped on an unexpected problem; nothing was saved."))]
            status = Status.FAILED
    counts = {"rows_total": total, "rows_done": total} if total is not None else {"rows_done": F("rows_total")}
    HistoryImport.objects.filter(pk=import_id).update(
        status=status, summary=summary, errors=errors, finished_at=timezone.now(), **counts
    )
    history_import.refresh_from_db()
    progress.report(import_id, done=history_import.rows_done, total=history_import.rows_total)
    return history_import


def _run(history_import: HistoryImport) -> tuple[dict, list[dict], int]:
    """(summary, errors, rows) of the import; the writes stay only for a real import without errors."""
    user = history_import.created_by
    with history_import.file.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != history_import.sha256:
        return {}, [workbook_error(_("The stored workbook is not the one uploaded; upload it again."))], 0
    if not (user.is_active and can_import_history(user)):
        return {}, [workbook_error(_("Only managers and administrators import history workbooks."))], 0
    book = read_workbook(data)
    total = book.total
    HistoryImport.objects.filter(pk=history_import.pk).update(rows_total=total)
    progress.report(history_import.pk, done=0, total=total)
    if book.fatal:
        return {}, book.errors, total
    importer = HistoryImporter(
        user=user, progress=lambda done, of: progress.report(history_import.pk, done=done, total=of)
    )
    with acting_as(user, context=audit_context(history_import.sha256)), transaction.atomic():
        _one_import_at_a_time()
        importer.check(book.rows)
        errors = _in_order(book.errors + importer.errors)
        if not errors:
            importer.apply()
        if history_import.dry_run or errors:
            transaction.set_rollback(True)
    return importer.summary(), errors, total


def _one_import_at_a_time() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _in_order(errors: list[dict]) -> list[dict]:
    """Errors sheet by sheet in the workbook's order, then by row and column, each once."""
    sheets = {name: index for index, name in enumerate(spec.SHEET_NAMES)}
    columns = {(sheet.name, name): index for sheet in spec.SHEETS for index, name in enumerate(sheet.column_names)}
    unique = {(e["sheet"], e["row"], e["column"], e["message"]): e for e in errors}
    return sorted(
        unique.values(),
        key=lambda e: (
            sheets.get(e["sheet"], -1),
            e["row"] or 0,
            columns.get((e["sheet"], e["column"]), len(columns)),
            e["message"],
        ),
    )
