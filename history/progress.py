"""How far a running import has got, readable by the page while the import's transaction is open.

The import writes in one transaction, so a row of the database would show nothing until it ends:
the count lives in the shared cache instead (Redis, which every web process and worker reads),
under the import's id. Once the import is finished its row holds the final count.
"""

from __future__ import annotations

from django.core.cache import cache

from .models import HistoryImport

# Long enough for any import to finish (the worker's hard time limit is ten minutes).
TIMEOUT = 24 * 60 * 60


def _key(import_id: int) -> str:
    return f"history-import:{import_id}:progress"


def report(import_id: int, *, done: int, total: int) -> None:
    """Record that ``done`` of ``total`` rows have been read (cheap; called every few hundred rows)."""
    cache.set(_key(import_id), (int(done), int(total)), timeout=TIMEOUT)


def read(history_import: HistoryImport) -> tuple[int, int]:
    """(rows done, rows total) of an import: live while it runs, final once it is finished."""
    if not history_import.is_finished:
        live = cache.get(_key(history_import.pk))
        if live is not None:
            done, total = live
            return int(done), int(total)
    return history_import.rows_done, history_import.rows_total
