"""Changing many rows at once, each to values of its own.

Django's ``bulk_update`` writes ``SET field = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` and
builds an expression for every row and field: for a thousand rows that costs seconds in Python
before the database does anything. ``update_rows`` says the same with one ``UPDATE … FROM (VALUES
…)`` per batch on PostgreSQL (each value cast to its column's type), and falls back to
``bulk_update`` elsewhere. Like ``bulk_update`` it sends no signal and does not touch ``auto_now``
fields: set those on the objects, and call ``datacache.changed()`` after writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence

from django.db import connections
from django.db import router

BATCH = 2000


def update_rows(model, objects: Iterable, fields: Sequence[str], *, batch_size: int = BATCH) -> int:
    """Write ``fields`` of each object (with a primary key) to its row; returns the rows written."""
    objects = list(objects)
    if not objects:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields, batch_size=batch_size)
        return len(objects)
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    names = ", ".join(qn(field.column) for field in (pk, *columns))
    assignments = ", ".join(f"{qn(field.column)} = v.{qn(field.column)}" for field in columns)
    casts = ", ".join(
        f"CAST(%s AS {field.db_type(connection) or field.rel_db_type(connection)})" for field in (pk, *columns)
    )
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns)
            rows = ", ".join([f"({casts})"] * len(batch))
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names from the model, values as parameters)
                f"FROM (VALUES {rows}) AS v({names}) WHERE t.{qn(pk.column)} = v.{qn(pk.column)}",
                params,
            )
            written += cursor.rowcount
    return written
