"""History imports as the pages and the API show them, made directly (no workbook is read)."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from history.models import HistoryImport


def make_import(user, *, dry_run=True, status=HistoryImport.Status.DONE, summary=None, errors=None, **fields):
    """An import by ``user`` in the given state; by default a finished dry run without errors."""
    content = fields.pop("content", b"PK\x03\x04 not read")
    finished = status in (HistoryImport.Status.DONE, HistoryImport.Status.FAILED)
    history_import = HistoryImport(
        created_by=user,
        file_name=fields.pop("file_name", "peru-2011-2016.xlsx"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        dry_run=dry_run,
        status=status,
        summary={"assessments": {"created": 2, "updated": 0, "unchanged": 1}} if summary is None else summary,
        errors=[] if errors is None else errors,
        started_at=timezone.now() if status != HistoryImport.Status.PENDING else None,
        finished_at=timezone.now() if finished else None,
        **fields,
    )
    history_import.file.save("history.xlsx", ContentFile(content), save=False)
    history_import.save()
    return history_import
