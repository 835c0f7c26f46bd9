"""The application's database role: what the running portal may do to the database.

In production the portal uses two PostgreSQL roles. The *owner* runs ``migrate``: it owns every
table and the purge function ``ta_audit_purge`` (see ``triggers.py``). The *application role* is
what the web server and the workers connect as: it reads and writes every table, but on the audit
trail it may only read and add entries (its writes add them through the triggers). It has no
UPDATE, DELETE or TRUNCATE there, cannot run the purge, and, not owning the tables, cannot drop or
disable a trigger. Someone who takes over the portal, or its database password, cannot erase
what the trail recorded.

``grant_app_role`` sets this up. It is idempotent, takes back any privilege on the trail beyond
reading and adding, and also sets default privileges so that tables the owner creates later are
open to the role; after every ``migrate`` it runs again for the role named by ``DATABASE_APP_ROLE``.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import connections
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AuditEntry
from .triggers import PURGE_FUNCTION

logger = logging.getLogger("ta_portal.audit")

# What CREATE ROLE accepts without quoting; anything else is refused rather than quoted.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RoleError(Exception):
    pass


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def role_exists(role: str, using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def grant_app_role(role: str, *, using: str = "default", password: str | None = None) -> bool:
    """Create ``role`` if it does not exist and grant it exactly the application's rights.

    With a password the role may sign in (and the password is set anew); a role created without
    one cannot. Returns whether the role was created. Run it as the owner of the tables.
    """
    if not ROLE_NAME.fullmatch(role):
        raise RoleError(
            _("%(role)s is not a valid role name (lower-case letters, digits and underscores).") % {"role": role}
        )
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleError(_("Database roles exist only on PostgreSQL."))
    name = _ident(role)
    trail = connection.ops.quote_name(AuditEntry._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_database(), current_schema(), to_regclass(%s)::oid, to_regprocedure(%s)::oid",
            [trail, PURGE_FUNCTION],
        )
        database, schema, trail_oid, purge_oid = cursor.fetchone()
        created = not role_exists(role, using)
        login = "LOGIN PASSWORD %s" if password else "NOLOGIN"
        if created:
            cursor.execute(f"CREATE ROLE {name} {login}", [password] if password else None)
        else:
            # A superuser, the owner or a member of the owner's role would pass over every grant.
            cursor.execute(
                "SELECT pg_has_role(%s, current_user, 'USAGE') OR "
                "coalesce(pg_has_role(%s, (SELECT relowner FROM pg_class WHERE oid = %s), 'USAGE'), false)",
                [role, role, trail_oid],
            )
            if cursor.fetchone()[0]:
                raise RoleError(
                    _("%(role)s is a superuser or has the rights of the tables' owner: grants would not restrict it.")
                    % {"role": role}
                )
            if password:
                cursor.execute(f"ALTER ROLE {name} {login}", [password])
        schema = _ident(schema)
        for statement in (
            f"GRANT CONNECT ON DATABASE {_ident(database)} TO {name}",
            f"GRANT USAGE ON SCHEMA {schema} TO {name}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {name}",
        ):
            cursor.execute(statement)
        if trail_oid is not None:
            cursor.execute(f"REVOKE ALL ON {trail} FROM {name}")
            cursor.execute(f"GRANT SELECT, INSERT ON {trail} TO {name}")
        if purge_oid is not None:
            cursor.execute(f"REVOKE ALL ON FUNCTION {PURGE_FUNCTION} FROM PUBLIC, {name}")
    return created


def post_migrate_grant(sender, using="default", **kwargs) -> None:
    """After ``migrate``: grant the role named by ``DATABASE_APP_ROLE`` what the new tables need."""
    role = settings.DATABASE_APP_ROLE
    if not role or connections[using].vendor != "postgresql":
        return
    if not role_exists(role, using):
        logger.warning("DATABASE_APP_ROLE names %s, which does not exist: create it with grant_app_role", role)
        return
    grant_app_role(role, using=using)
