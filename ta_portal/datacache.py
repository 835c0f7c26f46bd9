"""Data versions: counters in the shared cache (Redis) that move whenever the portal's data is
written, so what is computed from that data can be cached and is never served stale.

- An execute wrapper on every database connection (installed by the engagements app, the root of
  all programme data) sees each statement. One that writes a table of ``DATA_TABLES`` (``INSERT
  INTO``, ``UPDATE``, ``DELETE FROM``, ``TRUNCATE``, ``COPY``, or such a table in a ``WITH``
  statement that modifies data) bumps the version of that table and the version of all data.
  Every path through Django is seen: ``save()``, ``queryset.update()``, ``bulk_create()``, raw SQL,
  data migrations, Celery workers, management commands.
- The versions move when the statement runs (the writing transaction then reads fresh results) and
  again once its transaction commits, so what a concurrent reader computed from the data just
  before the commit is filed under a version nobody asks for any more. A rolled-back write moves
  them once more than needed, which costs a recomputation, never a stale answer.
- ``cached(name, parts, compute, tables=...)`` stores ``compute()`` under the versions of the
  tables it reads (all data by default), with ``parts`` (parameters, the reader's countries…) and
  the language in the key. Keys also name the database, so two portals sharing a Redis stay apart.

Limits: writes that bypass Django (a psql session, a restored dump) are not seen; results then
live at most ``DATA_CACHE_SECONDS`` (or call ``bump()``). Without Redis nothing is cached: a
per-process memory cache could not see other processes' writes. ``DATA_CACHE_SECONDS=0`` turns it
off (the default under tests, whose transactions roll back instead of committing).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# The apps whose tables hold the programme's data.
DATA_TABLES = ("engagements_", "assessments_", "trainings_", "followups_")
ALL = "*"  # the version of all data tables
UNKNOWN = "?"  # bumped by a write whose table could not be told (per-table readers depend on it too)

_TABLE = r'"?([A-Za-z0-9_]+)"?'
_WRITE = re.compile(
    rf"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY)\s+(?:ONLY\s+)?{_TABLE}", re.IGNORECASE
)
_WITH = re.compile(r"^\s*WITH\b", re.IGNORECASE)
_MODIFIES = re.compile(r"\b(insert|update|delete)\b", re.IGNORECASE)


def enabled() -> bool:
    return bool(getattr(settings, "DATA_CACHE_SECONDS", 0)) and bool(getattr(settings, "REDIS_URL", ""))


def written_table(sql: str) -> str | None:
    """The data table a statement writes, ``UNKNOWN`` when it writes one that cannot be told, else None."""
    match = _WRITE.match(sql)
    if match:
        table = match.group(1).lower()
        return table if table.startswith(DATA_TABLES) else None
    if _WITH.match(sql):  # a data-modifying CTE names its table somewhere inside
        lowered = sql.lower()
        if any(f'"{prefix}' in lowered or f" {prefix}" in lowered for prefix in DATA_TABLES) and _MODIFIES.search(sql):
            return UNKNOWN
    return None


def _prefix() -> str:
    database = connections["default"].settings_dict
    return f"data:{database.get('HOST') or ''}:{database.get('PORT') or ''}:{database['NAME']}"


def version_key(name: str = ALL) -> str:
    return f"{_prefix()}:version:{name}"


def versions(*tables: str) -> str:
    """The current versions of these tables (of all data when none are named), as one string."""
    names = [*tables, UNKNOWN] if tables else [ALL]
    keys = [version_key(name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A new counter starts from the clock, so it never repeats a version used before it was lost.
            cache.add(key, time.time_ns() // 1000, timeout=None)
            found[key] = cache.get(key)
    return "-".join(str(found[key]) for key in keys)


def bump(tables: Iterable[str] = ()) -> None:
    """Move the version of all data, and of these tables: what was cached from them is forgotten."""
    for name in {ALL, *tables}:
        key = version_key(name)
        try:
            try:
                cache.incr(key)
            except ValueError:  # no counter yet: nothing was cached under it either
                cache.add(key, time.time_ns() // 1000, timeout=None)
        except Exception:  # the cache is down: nothing can be served from it either
            logger.warning("data cache: could not move the version of %s", name, exc_info=True)


class _AfterCommit:
    """The second bump, once per transaction, for every table the transaction wrote."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self):
        bump(self.tables)


def _bump_when_committed(connection, table: str) -> None:
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _AfterCommit):
            entry[1].tables.add(table)
            return
    callback = _AfterCommit()
    callback.tables.add(table)
    # Registered on the outermost transaction: discarded with it if it rolls back.
    transaction.on_commit(callback, using=connection.alias)


def execute_wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and isinstance(sql, str):
        table = written_table(sql)
        if table is not None:
            bump([table])
            connection = context["connection"]
            if connection.in_atomic_block:
                _bump_when_committed(connection, table)
    return result


def install_wrapper(connection, **kwargs) -> None:
    """``connection_created`` receiver: add the wrapper once per connection object."""
    if execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(execute_wrapper)


def install() -> None:
    """Watch every connection, those open now and those opened later."""
    from django.db.backends.signals import connection_created

    connection_created.connect(install_wrapper, dispatch_uid="ta_portal_datacache_wrapper")
    for connection in connections.all(initialized_only=True):
        install_wrapper(connection)


def scope_key(scope) -> str:
    return "all" if scope.everywhere else ",".join(sorted(scope.countries)) or "none"


def key_for(name: str, parts: tuple, *, tables: tuple[str, ...] = ()) -> str | None:
    """The cache key of a result for the current data versions; None when caching is off."""
    if not enabled():
        return None
    try:
        current = versions(*tables)
    except Exception:
        logger.warning("data cache unavailable", exc_info=True)
        return None
    return ":".join([_prefix(), name, current, get_language() or "", *(str(part) for part in parts)])


def cached(name: str, parts: tuple, compute: Callable[[], object], *, tables: tuple[str, ...] = ()):
    """``compute()``, from the cache while the tables it reads have not changed since it was stored."""
    key = key_for(name, parts, tables=tables)
    if key is None:
        return compute()
    try:
        found = cache.get(key)
    except Exception:
        logger.warning("data cache unavailable; computing", exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout=settings.DATA_CACHE_SECONDS)
    except Exception:
        logger.warning("data cache: could not store %s", name, exc_info=True)
    return value
