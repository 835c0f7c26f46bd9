"""PostgreSQL triggers that write the audit trail, whatever path changes a covered table.

One generic trigger function, ``ta_audit_row()``, runs after each inserted, updated or deleted row
of every covered table (``save()``, ``queryset.update()``, ``bulk_create()``, raw SQL, the admin, a
psql session: all the same). It stores the row before and after as JSON, the changed columns, the
acting user and context from the session settings (see ``context.py``), and the row's country,
found by following the model's ``country_path`` in SQL. ``install()`` runs after every
``migrate`` and is idempotent (CREATE OR REPLACE); it also drops triggers of tables that left the
registry. The trail itself is append-only: a second trigger refuses UPDATE, DELETE and TRUNCATE on
it, whoever asks. The one way to delete entries is ``ta_audit_purge(before)``, a function owned by
the role that owns the trail (the one that runs migrations) and running as that role: a session
may set the purge flag the function sets, but it cannot become the owner, which the trigger also
requires. The application's own database role is not allowed to run it (see ``roles.py``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connections

from accounts.models import User

from .models import AuditEntry
from .registry import Audited
from .registry import audited_models

logger = logging.getLogger("ta_portal.audit")

TRIGGER_NAME = "ta_audit"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _array_literal(values) -> str:
    return _literal("{" + ",".join(f'"{v}"' for v in values) + "}")


def country_spec(model, country_path: str | None, connection) -> str:
    """How the trigger finds a row's countries: ``col:<column>``, ``sql:<expression on $1>`` or ''.

    ``$1`` is the row as JSONB. The path may cross foreign keys and many-to-many fields (a regional
    training names several countries); the expression gives them as ",CO,PE,". A path that cannot
    be followed (a reverse relation, a missing field) gives '' and is reported: those rows are then
    visible to administrators only.
    """
    if not country_path:
        return ""
    qn = connection.ops.quote_name
    parts = country_path.split("__")
    if len(parts) == 1:
        field = next((f for f in model._meta.concrete_fields if f.name == parts[0]), None)
        if field is not None:
            return "col:" + field.column  # the row holds its country itself: no query
    current = model
    alias = "t0"
    joins: list[str] = []

    def column(alias: str, field_column: str, cast_field) -> str:
        if alias == "t0":
            cast = cast_field.cast_db_type(connection) or "text"
            return f"(t0.j ->> {_literal(field_column)})::{cast}"
        return f"{alias}.{qn(field_column)}"

    value = None
    for index, name in enumerate(parts):
        try:
            field = current._meta.get_field(name)
        except Exception:  # noqa: BLE001 (reported, not fatal)
            logger.info("audit: %s has no field %r on its country path %r", model._meta.label, name, country_path)
            return ""
        is_last = index == len(parts) - 1
        if field.many_to_many and field.concrete:
            through = field.remote_field.through._meta
            source = through.get_field(field.m2m_field_name())
            target = through.get_field(field.m2m_reverse_field_name())
            link, nxt = f"m{index}", f"t{index + 1}"
            joins.append(
                f"JOIN {qn(through.db_table)} {link} ON {link}.{qn(source.column)} = "
                f"{column(alias, current._meta.pk.column, current._meta.pk)}"
            )
            if is_last:
                value = f"{link}.{qn(target.column)}"
                break
            joins.append(
                f"JOIN {qn(field.related_model._meta.db_table)} {nxt} ON {nxt}.{qn(target.target_field.column)} = "
                f"{link}.{qn(target.column)}"
            )
        elif field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
            if is_last:
                value = column(alias, field.column, field.target_field)
                break
            nxt = f"t{index + 1}"
            joins.append(
                f"JOIN {qn(field.related_model._meta.db_table)} {nxt} ON {nxt}.{qn(field.target_field.column)} = "
                f"{column(alias, field.column, field.target_field)}"
            )
        elif not field.is_relation and is_last:
            value = column(alias, field.column, field)
            break
        else:
            logger.info("audit: %s country path %r cannot cross %r", model._meta.label, country_path, name)
            return ""
        current, alias = field.related_model, f"t{index + 1}"
    if value is None:
        return ""
    # Identifiers come from model metadata and are quoted; no user input reaches this SQL.
    select = f"SELECT {value} AS v FROM (SELECT $1 AS j) t0 {' '.join(joins)}"  # noqa: S608
    return f"sql:(SELECT ',' || string_agg(DISTINCT s.v::text, ',' ORDER BY s.v::text) || ',' FROM ({select}) s)"  # noqa: S608


def _function_sql(audit_table: str, user_table: str, schema: str) -> str:
    # The names are quoted identifiers from model metadata and the connection's current schema.
    return (
        _FUNCTION_SQL.replace("__AUDIT_TABLE_QUALIFIED__", f"{schema}.{audit_table}")
        .replace("__AUDIT_TABLE__", audit_table)
        .replace("__USER_TABLE__", user_table)
    )


_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION ta_audit_row() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    v_old jsonb;
    v_new jsonb;
    v_row jsonb;
    v_changed jsonb;
    v_user bigint;
    v_country text;
    v_redact text[] := TG_ARGV[2]::text[];
    v_ignore text[] := TG_ARGV[3]::text[];
    v_hidden jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'::jsonb) INTO v_changed
          FROM jsonb_each(v_new) AS n WHERE n.value IS DISTINCT FROM (v_old -> n.key);
        -- An update that changes nothing, or only columns not worth an entry, leaves no trace.
        IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(v_changed) AS c(name)
                       WHERE NOT (c.name = ANY (v_ignore))) THEN
            RETURN NULL;
        END IF;
    END IF;
    v_row := coalesce(v_new, v_old);
    IF TG_ARGV[1] LIKE 'col:%' THEN
        v_country := ',' || (v_row ->> substr(TG_ARGV[1], 5)) || ',';
    ELSIF TG_ARGV[1] LIKE 'sql:%' THEN
        EXECUTE 'SELECT (' || substr(TG_ARGV[1], 5) || ')::text' INTO v_country USING v_row;
    END IF;
    -- Secrets never enter the trail: their values are replaced, their change is still recorded.
    IF cardinality(v_redact) > 0 THEN
        SELECT coalesce(jsonb_object_agg(k, '"[redacted]"'::jsonb), '{}'::jsonb) INTO v_hidden
          FROM unnest(v_redact) AS k WHERE v_row ? k;
        IF v_old IS NOT NULL THEN v_old := v_old || v_hidden; END IF;
        IF v_new IS NOT NULL THEN v_new := v_new || v_hidden; END IF;
    END IF;
    v_user := nullif(current_setting('ta_portal.user_id', true), '')::bigint;
    INSERT INTO __AUDIT_TABLE__
        (at, txid, model, table_name, object_pk, action, actor_id, actor_username, countries,
         context, before, after, changed)
    VALUES
        (now(), txid_current(), TG_ARGV[0], TG_TABLE_NAME, v_row ->> TG_ARGV[4], lower(TG_OP), v_user,
         (SELECT u.username FROM __USER_TABLE__ u WHERE u.id = v_user), v_country,
         coalesce(current_setting('ta_portal.context', true), ''), v_old, v_new, coalesce(v_changed, '[]'::jsonb));
    RETURN NULL;
END
$body$;

-- The fixed search path keeps a session from answering the checks below with objects of its own
-- (a temporary table named pg_class, say).
CREATE OR REPLACE FUNCTION ta_audit_append_only() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
    -- Deletion happens only inside ta_audit_purge(): it sets the flag for its own run and runs as
    -- the owner of the trail. Any session can set the flag; only the owner (or a superuser, who
    -- could as well drop the trigger) has the owner's rights.
    IF TG_OP = 'DELETE' AND current_setting('ta_portal.audit_purge', true) = 'on'
       AND pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$body$;

CREATE OR REPLACE TRIGGER ta_audit_append_only BEFORE UPDATE OR DELETE ON __AUDIT_TABLE__
    FOR EACH ROW EXECUTE FUNCTION ta_audit_append_only();

-- TRUNCATE fires no row trigger: without this one it would empty the trail in one statement.
CREATE OR REPLACE TRIGGER ta_audit_no_truncate BEFORE TRUNCATE ON __AUDIT_TABLE__
    FOR EACH STATEMENT EXECUTE FUNCTION ta_audit_append_only();

-- Runs as its owner (SECURITY DEFINER) with a fixed search path, so that nothing a caller creates
-- is looked up in its place; the flag is set for the duration of the call only.
CREATE OR REPLACE FUNCTION ta_audit_purge(p_before timestamptz) RETURNS bigint LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET ta_portal.audit_purge = 'on'
AS $body$
DECLARE
    v_count bigint;
BEGIN
    DELETE FROM __AUDIT_TABLE_QUALIFIED__ WHERE at < p_before;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$body$;

-- Functions are executable by everyone unless taken back; only the owner purges.
REVOKE ALL ON FUNCTION ta_audit_purge(timestamptz) FROM PUBLIC;
"""

PURGE_FUNCTION = "ta_audit_purge(timestamptz)"


def trigger_sql(model, options: Audited, connection) -> str:
    qn = connection.ops.quote_name
    args = ", ".join(
        [
            _literal(options.label),
            _literal(country_spec(model, options.country_path, connection)),
            _array_literal(options.redact),
            _array_literal(options.ignore),
            _literal(model._meta.pk.column),
        ]
    )
    return (
        f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE ON {qn(model._meta.db_table)} "
        f"FOR EACH ROW EXECUTE FUNCTION ta_audit_row({args})"
    )


def install(using: str = "default") -> list[str]:
    """Create or refresh the function and one trigger per covered table; returns the tables."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    qn = connection.ops.quote_name
    covered = audited_models()
    existing_tables = set(connection.introspection.table_names())
    tables = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(_function_sql(qn(AuditEntry._meta.db_table), qn(User._meta.db_table), qn(schema)))
        for model, options in covered.items():
            if model._meta.db_table not in existing_tables:
                continue
            cursor.execute(trigger_sql(model, options, connection))
            tables.append(model._meta.db_table)
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal",
            [TRIGGER_NAME],
        )
        for (table,) in cursor.fetchall():
            if table not in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON {qn(table)}")
    return tables


def tables_with_trigger(using: str = "default") -> set[str]:
    """Tables that carry an enabled audit trigger (for checks and tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND t.tgenabled <> 'D' AND NOT t.tgisinternal",
            [TRIGGER_NAME],
        )
        return {row[0] for row in cursor.fetchall()}


def purge(before: datetime, using: str = "default") -> int:
    """Delete the entries recorded before ``before`` (through the owner's function); returns how many."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return AuditEntry.objects.using(using).filter(at__lt=before).delete()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT ta_audit_purge(%s)", [before])
        return cursor.fetchone()[0]


def post_migrate_install(sender, using="default", **kwargs) -> None:
    tables = install(using)
    if tables:
        logger.debug("audit triggers on %d tables", len(tables))
