"""Nobody empties the audit trail: not the application's database role, not its owner, not by a setting.

Roles belong to the whole PostgreSQL cluster, not to the test database: the ones made here are named
after the test database and created inside the test's transaction, so they vanish with its rollback.
"""

import datetime as dt
import logging
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db import transaction
from django.db.utils import DatabaseError

from audit.models import AuditEntry
from audit.models import FailedLogin
from engagements.models import Agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.usefixtures("postgres")

TRAIL = AuditEntry._meta.db_table


def role_name(suffix: str) -> str:
    return f"{connection.settings_dict['NAME']}_{suffix}"


def run(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def create_role(suffix: str) -> str:
    role = role_name(suffix)
    run(f'CREATE ROLE "{role}" NOLOGIN')
    return role


@contextmanager
def set_role(role: str):
    run(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        run("RESET ROLE")


def refused(*statements: str, match: str):
    """Run the statements in a savepoint and expect the database to refuse them."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        for sql in statements:
            run(sql)


def privileges(role: str, table: str) -> set[str]:
    kinds = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    return {kind for kind in kinds if run("SELECT has_table_privilege(%s, %s, %s)", [role, table, kind])[0][0]}


@pytest.fixture
def app_role(db):
    role = role_name("app")
    call_command("grant_app_role", role, stdout=StringIO())
    return role


# Refused to everyone


@pytest.mark.django_db
def test_truncate_is_refused_even_to_the_owner_of_the_trail():
    AgencyFactory(country_id="PE")
    count = AuditEntry.objects.count()
    assert count > 0
    # The test connection is the superuser that created and owns every table.
    refused(f"TRUNCATE {TRAIL}", match="append-only")
    refused(f"TRUNCATE {FailedLogin._meta.db_table}, {TRAIL}", match="append-only")
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db
def test_the_purge_setting_lets_no_session_delete_even_with_the_delete_privilege():
    # A role granted more than the application role ever is: the trigger still refuses.
    AgencyFactory(country_id="PE")
    count = AuditEntry.objects.count()
    writer = create_role("writer")
    run(f'GRANT SELECT, UPDATE, DELETE ON {TRAIL} TO "{writer}"')
    with set_role(writer):
        refused("SELECT set_config('ta_portal.audit_purge', 'on', true)", f"DELETE FROM {TRAIL}", match="append-only")
        refused("SELECT set_config('ta_portal.audit_purge', 'on', false)", f"DELETE FROM {TRAIL}", match="append-only")
        refused(f"UPDATE {TRAIL} SET actor_username = 'someone else'", match="append-only")
        # Nor by making the trigger read a catalogue of the session's own making.
        refused(
            "CREATE TEMPORARY TABLE pg_class AS SELECT oid, "
            "(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) AS relowner FROM pg_catalog.pg_class",
            "SET LOCAL search_path = pg_temp, pg_catalog, public",
            "SELECT set_config('ta_portal.audit_purge', 'on', true)",
            f"DELETE FROM public.{TRAIL}",
            match="append-only",
        )
    assert AuditEntry.objects.count() == count


# The application role


@pytest.mark.django_db
def test_the_application_role_reads_and_adds_to_the_trail_and_nothing_more(app_role):
    assert privileges(app_role, TRAIL) == {"SELECT", "INSERT"}
    assert privileges(app_role, Agency._meta.db_table) == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    with set_role(app_role):
        assert run("SELECT current_user") == [(app_role,)]
        # Audited writes still leave their entries.
        agency = AgencyFactory(country_id="PE", name="Written by the application")
        Agency.objects.filter(pk=agency.pk).update(name="Renamed by the application")
        entries = AuditEntry.objects.for_object("engagements.Agency", agency.pk).order_by("id")
        assert [entry.action for entry in entries] == ["insert", "update"]
        assert entries.last().after["name"] == "Renamed by the application"
        count = AuditEntry.objects.count()
        refused(f"TRUNCATE {TRAIL}", match="permission denied")
        refused(
            "SELECT set_config('ta_portal.audit_purge', 'on', true)", f"DELETE FROM {TRAIL}", match="permission denied"
        )
        refused(f"UPDATE {TRAIL} SET actor_username = 'someone else'", match="permission denied")
        refused("SELECT ta_audit_purge('2999-01-01')", match="permission denied")
        with pytest.raises(CommandError, match="owner"):
            call_command("purge_audit_trail", "--before", "2999-01-01", stdout=StringIO())
        # Nor through the ORM, the path a compromised portal would take.
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.count() == count


@pytest.mark.django_db
def test_granting_twice_changes_nothing_and_takes_back_what_was_granted_on_the_trail(app_role):
    run(f'GRANT ALL ON {TRAIL} TO "{app_role}"')
    run(f'GRANT EXECUTE ON FUNCTION ta_audit_purge(timestamptz) TO "{app_role}"')
    call_command("grant_app_role", app_role, stdout=StringIO())
    assert privileges(app_role, TRAIL) == {"SELECT", "INSERT"}
    assert not run("SELECT has_function_privilege(%s, 'ta_audit_purge(timestamptz)', 'EXECUTE')", [app_role])[0][0]


@pytest.mark.django_db
def test_tables_created_later_by_the_owner_are_open_to_the_application_role(app_role):
    run("CREATE TABLE ta_later_table (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
    assert privileges(app_role, "ta_later_table") == {"SELECT", "INSERT", "UPDATE", "DELETE"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("the owner", "superuser or has the rights of the tables' owner"),
        ("a superuser", "superuser or has the rights of the tables' owner"),
        ("a member of the owner's role", "superuser or has the rights of the tables' owner"),
        ("an invalid name", "not a valid role name"),
    ],
)
def test_the_application_role_cannot_be_one_that_bypasses_the_grants(who, message):
    owner = run("SELECT current_user")[0][0]
    if who == "the owner":
        role = owner
    elif who == "a superuser":
        role = create_role("super")
        run(f'ALTER ROLE "{role}" SUPERUSER')
    elif who == "a member of the owner's role":
        role = create_role("member")
        run(f'GRANT "{owner}" TO "{role}"')
    else:
        role = 'a"b'
    with pytest.raises(CommandError, match=message):
        call_command("grant_app_role", role, stdout=StringIO())


@pytest.mark.django_db
def test_the_role_gets_a_password_and_may_sign_in_when_one_is_given(monkeypatch):
    role = role_name("login")
    monkeypatch.setenv("TEST_APP_ROLE_PASSWORD", "a long and secret password")
    call_command("grant_app_role", role, "--password-env", "TEST_APP_ROLE_PASSWORD", stdout=StringIO())
    assert run("SELECT rolcanlogin, rolsuper, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", [role]) == [
        (True, False, True)
    ]
    monkeypatch.setenv("TEST_APP_ROLE_PASSWORD", "")
    with pytest.raises(CommandError):
        call_command("grant_app_role", role, "--password-env", "TEST_APP_ROLE_PASSWORD", stdout=StringIO())


@pytest.mark.django_db
def test_migrate_grants_the_role_named_in_the_settings(settings, caplog):
    role = create_role("migrated")
    settings.DATABASE_APP_ROLE = role
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert privileges(role, TRAIL) == {"SELECT", "INSERT"}
    assert privileges(role, Agency._meta.db_table) == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    # A role not created yet is reported, and the migration goes on.
    settings.DATABASE_APP_ROLE = role_name("not_yet")
    with caplog.at_level(logging.WARNING, logger="ta_portal.audit"):
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert role_name("not_yet") in caplog.text


# The purge


def entry_at(when: dt.datetime) -> AuditEntry:
    return AuditEntry.objects.create(
        at=when, model="engagements.agency", table_name="engagements_agency", object_pk="1", action="insert"
    )


@pytest.mark.django_db
def test_the_purge_function_deletes_only_entries_older_than_its_argument():
    AgencyFactory(country_id="PE")
    recent = set(AuditEntry.objects.values_list("pk", flat=True))
    old = entry_at(dt.datetime(2019, 6, 1, tzinfo=dt.UTC))
    kept = entry_at(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert run("SELECT ta_audit_purge('2020-01-01T00:00:00Z')") == [(1,)]
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == recent | {kept.pk}
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    # The function sets the purge flag for its own run only.
    assert run("SELECT coalesce(current_setting('ta_portal.audit_purge', true), '')") == [("",)]
    refused(f"DELETE FROM {TRAIL}", match="append-only")


@pytest.mark.django_db
def test_the_purge_command_deletes_before_midnight_of_the_date(settings):
    settings.TIME_ZONE = "America/Lima"
    before = entry_at(dt.datetime(2024, 3, 1, 4, 59, tzinfo=dt.UTC))  # 23:59 on 29 February in Lima
    after = entry_at(dt.datetime(2024, 3, 1, 5, 0, tzinfo=dt.UTC))  # midnight on 1 March in Lima
    output = StringIO()
    call_command("purge_audit_trail", "--before", "2024-03-01", stdout=output)
    assert not AuditEntry.objects.filter(pk=before.pk).exists()
    assert AuditEntry.objects.filter(pk=after.pk).exists()
    assert "Deleted 1 audit entries" in output.getvalue()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_a_test_database():
    AgencyFactory(country_id="PE")
    assert AuditEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert not Agency.objects.exists()
    # and the refusal is back for the next statement, even on an empty trail
    refused(f"TRUNCATE {TRAIL}", match="append-only")
