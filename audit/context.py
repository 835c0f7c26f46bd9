"""Who is acting: a context variable, and its copy in the PostgreSQL session for the triggers.

Web requests (``middleware.py``), Celery tasks (``receivers.py``) and management commands
(``acting_as``) set the actor. The triggers read it from the PostgreSQL setting
``ta_portal.user_id`` (and ``ta_portal.context``: what was running). Setting it costs a round trip,
so it is done lazily, just before a statement that writes, by an execute wrapper installed on every
connection. It is a session-level setting (``set_config(..., false)``), since a statement in
autocommit mode is its own transaction; it is written again before every write, so a value rolled
back with a transaction, or left from an earlier actor of the same connection, never leaks into
another's rows.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connections


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    context: str = ""


_actor: ContextVar[Actor | None] = ContextVar("ta_portal_audit_actor", default=None)

_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "WITH", "TRUNCATE")
_SET_SQL = "SELECT set_config('ta_portal.user_id', %s, false), set_config('ta_portal.context', %s, false)"


def current_actor() -> Actor | None:
    return _actor.get()


def set_actor(actor: Actor | None):
    """Set the actor; returns a token for ``reset_actor``."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(user=None, context: str = ""):
    """Attribute the writes inside the block to ``user`` (a user, a user id or None) with a note."""
    user_id = getattr(user, "pk", user)
    token = _actor.set(Actor(user_id=user_id, context=context[:300]))
    try:
        yield
    finally:
        _actor.reset(token)


def _is_write(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    return head.startswith(_WRITES)


def audit_execute_wrapper(execute, sql, params, many, context):
    connection = context["connection"]
    if connection.vendor == "postgresql" and isinstance(sql, str) and _is_write(sql):
        actor = _actor.get()
        if actor is not None or getattr(connection, "_ta_audit_actor_set", False):
            user_id = "" if actor is None or actor.user_id is None else str(actor.user_id)
            note = "" if actor is None else actor.context
            # The inner executor: one statement on the same cursor, not counted as a query by tests.
            execute(_SET_SQL, [user_id, note], False, context)
            connection._ta_audit_actor_set = True
    return execute(sql, params, many, context)


def install_wrapper(connection, **kwargs) -> None:
    """``connection_created`` receiver: add the wrapper once per connection object."""
    if audit_execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(audit_execute_wrapper)


def install_on_open_connections() -> None:
    for connection in connections.all(initialized_only=True):
        install_wrapper(connection)
