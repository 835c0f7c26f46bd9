from django.core.management.commands import flush
from django.db import connections


def _truncate_without_triggers(execute, sql, params, many, context):
    if not sql.lstrip().upper().startswith("TRUNCATE"):
        return execute(sql, params, many, context)
    # Only a superuser may set this; the flush runs in a transaction, so it ends with it at the latest.
    execute("SET LOCAL session_replication_role = replica", None, False, context)
    result = execute(sql, params, many, context)
    execute("SET LOCAL session_replication_role = origin", None, False, context)
    return result


class Command(flush.Command):
    """Django's flush, which empties every table with one TRUNCATE, the audit trail's included.

    The trail refuses TRUNCATE to everyone (audit/triggers.py). A superuser, who could drop the
    trigger anyway, may set triggers aside for the TRUNCATE alone: test and development databases
    can still be emptied (the test runner does it after each transactional test), while for the
    owner and the application role the TRUNCATE stays refused.
    """

    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.execute_wrapper(_truncate_without_triggers):
            return super().handle(**options)
