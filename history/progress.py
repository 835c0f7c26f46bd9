"""How far a running import has got, readable by the page while the import's transaction is open."""

from __future__ import annotations

from .models import HistoryImport


def report(import_id: int, *, done: int, total: int) -> None:
    """Record that ``done`` of ``total`` rows have been read (cheap; called every few hundred rows)."""
    raise NotImplementedError


def read(history_import: HistoryImport) -> tuple[int, int]:
    """(rows done, rows total) of an import: live while it runs, final once it is finished."""
    raise NotImplementedError
