"""`make backup` / `make restore`: the demo data and the uploaded files come back exactly."""

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connection

from accounts.models import Membership
from audit.backup import BackupError
from audit.backup import database_fingerprint
from audit.backup import media_fingerprint
from audit.backup import restore
from engagements.models import Engagement
from engagements.models import Person

ROOT = Path(settings.BASE_DIR)


def script_env(media_root: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DEBUG="1", DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), PY=sys.executable)
    return env


def run(args, env, check=True):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    if check:
        assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def current_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def serialized_checksums() -> dict[str, tuple[int, str]]:
    """Per model: how many rows, and a digest of Django's own serialization of them."""
    result = {}
    for model in apps.get_models():
        rows = model._base_manager.order_by("pk")
        text = serializers.serialize("json", rows)
        result[model._meta.label] = (rows.count(), hashlib.sha256(text.encode()).hexdigest())
    return result


@pytest.fixture
def media_root(tmp_path, settings):
    root = tmp_path / "media"
    (root / "evidence" / "PE").mkdir(parents=True)
    (root / "evidence" / "PE" / "inspección ñandú.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(4096))
    (root / "evidence" / "PE" / "empty.txt").write_bytes(b"")
    (root / "documents").mkdir()
    (root / "documents" / "عربي.xlsx").write_bytes(os.urandom(70_000))
    settings.MEDIA_ROOT = root
    return root


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_demo_data_and_files_round_trip_exactly_through_postgresql(postgres, media_root, tmp_path):
    # given the demo world and some uploaded files
    call_command("seed_demo", stdout=io.StringIO())
    assert Engagement.objects.exists() and Person.objects.exists()
    before_rows, before_files, before_models = database_fingerprint(), media_fingerprint(media_root), serialized_checksums()
    env = script_env(media_root, current_database_url())

    # when it is backed up
    archive = Path(run(["scripts/backup.sh", str(tmp_path / "backups")], env).stdout.strip().splitlines()[-1])
    assert archive.exists() and oct(archive.stat().st_mode)[-3:] == "600"

    # and then damaged: rows changed, added and removed, files deleted, changed and added
    Engagement.objects.filter(pk=Engagement.objects.order_by("pk").first().pk).update(title="Overwritten")
    Person.objects.create(full_name="Added after the backup", country_id="PE")
    Membership.objects.filter(pk=Membership.objects.order_by("pk").first().pk).delete()
    (media_root / "evidence" / "PE" / "empty.txt").unlink()
    (media_root / "documents" / "عربي.xlsx").write_bytes(b"tampered")
    (media_root / "stray.bin").write_bytes(b"new")
    assert database_fingerprint() != before_rows
    connection.close()

    # when the backup is restored
    restored = run(["scripts/restore.sh", str(archive), "--yes"], env)
    assert "identical to the backup" in restored.stdout

    # then every table, every sequence and every file is exactly as it was
    assert database_fingerprint() == before_rows
    assert media_fingerprint(media_root) == before_files
    assert serialized_checksums() == before_models
    # and the portal carries on: new rows get fresh ids
    newest = Person.objects.order_by("-pk").first().pk
    assert Person.objects.create(full_name="After the restore", country_id="PE").pk > newest


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_is_changed(postgres, media_root, tmp_path):
    Person.objects.create(full_name="Kept", country_id="PE")
    env = script_env(media_root, current_database_url())
    archive = Path(run(["scripts/backup.sh", str(tmp_path / "backups")], env).stdout.strip().splitlines()[-1])
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    run(["tar", "-C", str(unpacked), "-xf", str(archive)], env)
    backup_dir = next(unpacked.iterdir())
    dump = backup_dir / "database.pgdump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    Person.objects.create(full_name="Added later", country_id="PE")
    before = database_fingerprint()

    with pytest.raises(BackupError, match="damaged"):
        restore(backup_dir)
    assert database_fingerprint() == before
    assert Person.objects.filter(full_name="Added later").exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_restore_asks_before_replacing_anything(postgres, media_root, tmp_path):
    env = script_env(media_root, current_database_url())
    archive = run(["scripts/backup.sh", str(tmp_path / "backups")], env).stdout.strip().splitlines()[-1]
    Person.objects.create(full_name="Not lost", country_id="PE")
    refused = run(["scripts/restore.sh", archive], env, check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert Person.objects.filter(full_name="Not lost").exists()


SQLITE_WORLD = """
from accounts.models import User
from audit.context import acting_as
from engagements.models import Agency, Engagement
admin = User.objects.create_user("ada", password="unused-passphrase-1")
with acting_as(admin, "backup test"):
    Agency.objects.create(country_id="PE", name="Superintendencia de Aduanas", acronym="SUNAT")
    Engagement.objects.create(country_id="PE", title="Evaluación nacional", start_date="2025-03-01")
"""

SQLITE_DAMAGE = """
from engagements.models import Agency, Engagement
Engagement.objects.update(title="Overwritten")
Agency.objects.all().delete()
"""

FINGERPRINT = """
import json
from pathlib import Path
from django.conf import settings
from audit.backup import database_fingerprint, media_fingerprint
from audit.models import AuditEntry
print(json.dumps({"db": database_fingerprint(), "media": media_fingerprint(Path(settings.MEDIA_ROOT)),
                  "audit": AuditEntry.objects.filter(actor_username="ada").count()}))
"""


@pytest.mark.services
def test_a_sqlite_portal_round_trips_too(tmp_path):
    # Development without PostgreSQL: the database file is copied with SQLite's backup API.
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "acta.pdf").write_bytes(os.urandom(2048))
    env = script_env(media, f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "shell", "-c", SQLITE_WORLD], env)
    before = json.loads(run([*manage, "shell", "-c", FINGERPRINT], env).stdout.strip().splitlines()[-1])
    assert before["audit"] == 2  # without triggers, model signals keep the trail
    archive = run(["scripts/backup.sh", str(tmp_path / "backups")], env).stdout.strip().splitlines()[-1]

    run([*manage, "shell", "-c", SQLITE_DAMAGE], env)
    (media / "evidence" / "acta.pdf").unlink()
    run(["scripts/restore.sh", archive, "--yes"], env)

    after = json.loads(run([*manage, "shell", "-c", FINGERPRINT], env).stdout.strip().splitlines()[-1])
    assert after == before
