"""Writes of the history import: accept a workbook, run it (dry or real), confirm a dry run.

The web pages, the API and ``manage.py import_history`` all go through these functions.
"""

from __future__ import annotations

from .models import HistoryImport


def import_create(*, user, upload, dry_run: bool, run_now: bool = False) -> HistoryImport:
    """Check the uploaded workbook (size, type, archive), store it, and create the import.

    Only managers and administrators import (PermissionDenied otherwise); a file that cannot be
    a workbook raises ValidationError ({"file": [message]}) and nothing is stored. The import runs
    in the background (Celery, queued once the transaction commits), or at once with ``run_now``
    (the command line).
    """
    raise NotImplementedError


def import_confirm(*, user, dry_run: HistoryImport) -> HistoryImport:
    """The real import of a finished, error-free dry run's workbook (the same stored file).

    ValidationError when the dry run is not finished, had errors, or was already confirmed.
    """
    raise NotImplementedError


def import_run(*, import_id: int) -> HistoryImport:
    """Read, check and (unless a dry run) apply the workbook, all or nothing; idempotent (an import
    already running, done or failed is returned untouched). Progress is reported as rows are read."""
    raise NotImplementedError
