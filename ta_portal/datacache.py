"""Data versions: counters in the shared cache (Redis) that move whenever the portal's data is
written, so what is computed from that data can be cached and is never served stale.

- Who moves them is explicit. ``watch()`` (called by the engagements app, the root of all programme
  data) connects ``post_save``, ``post_delete`` and ``m2m_changed`` of every model of ``DATA_APPS``
  to ``changed()``: every ``save()`` and ``delete()``, through a service, the admin, a form, a
  worker or a management command, moves the version of that model's table and of all data.
- Writes that send no signal (``queryset.update()``, ``bulk_create()``, ``bulk_update()``, raw SQL)
  call ``changed(Model, ...)`` themselves, right after they write: the services that write in bulk
  do, and so must any new one. A load that writes many tables (the demo, the scale data) calls
  ``all_changed()`` once at its end.
- The versions move when the write happens (the writing transaction then reads fresh results) and
  again once its transaction commits, so what a concurrent reader computed from the data just
  before the commit is filed under a version nobody asks for any more. A rolled-back write moves
  them once more than needed, which costs a recomputation, never a stale answer.
- ``cached(name, parts, compute, tables=...)`` stores ``compute()`` under the versions of the
  tables it reads (all data by default), with ``parts`` (parameters, the reader's countries…) and
  the language in the key. Keys also name the database, so two portals sharing a Redis stay apart.
  ``known=`` passes versions the request already read: ``fetch()`` reads entries and versions in
  one round trip (the API token cache reads the token with the versions its view names).
- Other things are versioned the same way: ``versions_changed(names)`` moves any named version now
  and at the commit (``accounts/tokencache.py``'s "auth" version).

Limits: writes that bypass Django (a psql session, a restored dump) are not seen; results then
live at most ``DATA_CACHE_SECONDS`` (or call ``bump()``). Without Redis nothing is cached: a
per-process memory cache could not see other processes' writes. ``DATA_CACHE_SECONDS=0`` turns it
off (the default under tests, whose transactions roll back instead of committing).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db import connections
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# The apps whose tables hold the programme's data (outcomes: the programme's objectives and targets).
DATA_APPS = ("engagements", "assessments", "trainings", "followups", "surveys", "outcomes")
ALL = "*"  # the version of all data tables


def enabled() -> bool:
    return bool(getattr(settings, "DATA_CACHE_SECONDS", 0)) and bool(getattr(settings, "REDIS_URL", ""))


def _prefix() -> str:
    database = connections["default"].settings_dict
    return f"data:{database.get('HOST') or ''}:{database.get('PORT') or ''}:{database['NAME']}"


def version_key(name: str = ALL) -> str:
    return f"{_prefix()}:version:{name}"


def versions(*tables: str) -> str:
    """The current versions of these tables (of all data when none are named), as one string."""
    names = list(tables) if tables else [ALL]
    keys = [version_key(name) for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A new counter starts from the clock, so it never repeats a version used before it was lost.
            cache.add(key, time.time_ns() // 1000, timeout=None)
            found[key] = cache.get(key)
    return "-".join(str(found[key]) for key in keys)


def fetch(keys: Iterable[str], names: Iterable[str]) -> tuple[dict, dict[str, str]]:
    """In one round trip: the entries under ``keys`` (those found) and the current versions of
    ``names`` (tables, or other versioned things such as ``accounts.tokencache``'s)."""
    keys, names = list(keys), list(names)
    version_keys = [version_key(name) for name in names]
    found = cache.get_many([*keys, *version_keys])
    current = {}
    for name, key in zip(names, version_keys, strict=True):
        if key not in found:
            cache.add(key, time.time_ns() // 1000, timeout=None)
            found[key] = cache.get(key)
        current[name] = str(found.pop(key))
    return found, current


def bump(tables: Iterable[str] = ()) -> None:
    """Move the version of all data, and of these tables: what was cached from them is forgotten."""
    move({ALL, *tables})


def move(names: Iterable[str]) -> None:
    """Move these versions (tables, or another name's): what was cached under them is forgotten."""
    for name in names:
        key = version_key(name)
        try:
            try:
                cache.incr(key)
            except ValueError:  # no counter yet: nothing was cached under it either
                cache.add(key, time.time_ns() // 1000, timeout=None)
        except Exception:  # the cache is down: nothing can be served from it either
            logger.warning("data cache: could not move the version of %s", name, exc_info=True)


class _AfterCommit:
    """The second move, once per transaction, of every version the transaction moved."""

    def __init__(self):
        self.names: set[str] = set()

    def __call__(self):
        move(self.names)


def _move_when_committed(connection, names: set[str]) -> None:
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _AfterCommit):
            entry[1].names.update(names)
            return
    callback = _AfterCommit()
    callback.names.update(names)
    # Registered on the outermost transaction: discarded with it if it rolls back.
    transaction.on_commit(callback, using=connection.alias)


def changed(*models, using: str | None = None) -> None:
    """The rows of these models were written: what was computed from them is forgotten, now and at the commit."""
    versions_changed({ALL, *(model._meta.db_table for model in models)}, using=using)


def versions_changed(names: Iterable[str], using: str | None = None) -> None:
    """Move these versions now, and again when the current transaction commits."""
    if not enabled():
        return
    names = set(names)
    move(names)
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        _move_when_committed(connection, names)


def data_models() -> list:
    """Every model of ``DATA_APPS``, with the tables of its many-to-many fields."""
    found = []
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            found.append(model)
            found.extend(field.remote_field.through for field in model._meta.local_many_to_many)
    return found


def all_changed(using: str | None = None) -> None:
    """A bulk load wrote to many tables at once (the demo world): every data table's version moves."""
    changed(*data_models(), using=using)


def _on_write(sender, using=None, **kwargs) -> None:
    changed(sender, using=using)


def _on_m2m(sender, action, using=None, **kwargs) -> None:
    if action.startswith("post_"):
        changed(sender, using=using)


def watch() -> None:
    """Connect the write signals of every data model (and of its many-to-many tables) to ``changed()``."""
    for label in DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"datacache-{model._meta.label_lower}"
            post_save.connect(_on_write, sender=model, dispatch_uid=uid)
            post_delete.connect(_on_write, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"datacache-{through._meta.label_lower}")


def scope_key(scope) -> str:
    return "all" if scope.everywhere else ",".join(sorted(scope.countries)) or "none"


def namespaced(*parts: str) -> str:
    """A cache key in this database's namespace."""
    return ":".join([_prefix(), *parts])


def key_for(
    name: str, parts: tuple, *, tables: tuple[str, ...] = (), known: dict[str, str] | None = None
) -> str | None:
    """The cache key of a result for the current data versions; None when caching is off.

    ``known``: versions this request already read (see ``fetch()``), used instead of asking again.
    """
    if not enabled():
        return None
    names = list(tables) or [ALL]
    try:
        if known is not None and all(name in known for name in names):
            current = "-".join(known[name] for name in names)
        else:
            current = versions(*tables)
    except Exception:
        logger.warning("data cache unavailable", exc_info=True)
        return None
    return ":".join([_prefix(), name, current, get_language() or "", _compact(parts)])


def _compact(parts: tuple) -> str:
    """The parts as they read when short and plain; long ones or ones with spaces or control
    characters (a tuple of paths, a search text) as their digest, so every key stays a valid
    memcached/Redis key of bounded length."""
    text = ":".join(str(part) for part in parts)
    if len(text) <= 96 and text.isprintable() and " " not in text:
        return text
    return hashlib.sha256(text.encode()).hexdigest()


def cached(
    name: str,
    parts: tuple,
    compute: Callable[[], object],
    *,
    tables: tuple[str, ...] = (),
    known: dict[str, str] | None = None,
):
    """``compute()``, from the cache while the tables it reads have not changed since it was stored."""
    key = key_for(name, parts, tables=tables, known=known)
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
