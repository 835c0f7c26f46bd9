"""Backups of the database and the uploaded files, verified on restore.

A backup is a directory (``scripts/backup.sh`` packs it into one ``.tar``) holding:

- ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  the online backup API);
- ``media.tar``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when, which engine, the SHA-256 of both files, and a *fingerprint* of the data:
  the row count and a SHA-256 over the rows of every table (and every sequence's position), taken
  in the same snapshot as the dump, and the SHA-256 of every uploaded file.

``restore`` replaces the database and the files with the backup's, then recomputes the fingerprint
and fails loudly unless it is identical: a restore is proven exact, not assumed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db import connections
from django.db import transaction

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Fingerprints


def database_fingerprint(conn=connection) -> dict:
    """Rows and a digest per table, plus sequence positions (PostgreSQL), in one consistent read."""
    tables = {}
    with conn.cursor() as cursor:
        names = sorted(conn.introspection.table_names(cursor))
    for table in names:
        quoted = conn.ops.quote_name(table)
        digest = hashlib.sha256()
        rows = 0
        # Ordering by every column gives one order for any table, with or without a primary key.
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quoted} LIMIT 0")  # noqa: S608 (a quoted table name)
            width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        with conn.chunked_cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(repr(tuple(_canonical(value) for value in row)).encode())
                    digest.update(b"\n")
                rows += len(batch)
        tables[table] = {"rows": rows, "sha256": digest.hexdigest()}
    sequences = {}
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            )
            sequences = {name: value for name, value in cursor.fetchall()}
    return {"tables": tables, "sequences": sequences}


def _canonical(value):
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def media_fingerprint(root: Path) -> dict:
    files = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            files[path.relative_to(root).as_posix()] = _sha256_file(path)
    return files


def summary(fingerprint: dict) -> dict:
    """Totals for people: rows and files, and one digest over everything."""
    blob = json.dumps(fingerprint, sort_keys=True).encode()
    return {
        "tables": len(fingerprint["database"]["tables"]),
        "rows": sum(t["rows"] for t in fingerprint["database"]["tables"].values()),
        "files": len(fingerprint["media"]),
        "sha256": hashlib.sha256(blob).hexdigest(),
    }


# Database dump and restore


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # never on the command line, where `ps` shows it
    return env


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=_pg_env(), **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _dump_postgresql(target: Path) -> dict:
    # One snapshot for the dump and the fingerprint: writes during the backup change neither.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
        return database_fingerprint()


def _dump_sqlite(target: Path) -> dict:
    with transaction.atomic():
        fingerprint = database_fingerprint()  # the first read holds the snapshot until commit
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return fingerprint


def _restore_postgresql(source: Path) -> None:
    connections.close_all()
    pg_restore = shutil.which("pg_restore") or "pg_restore"
    psql = shutil.which("psql") or "psql"
    env = _pg_env()
    with tempfile.TemporaryFile() as errors_restore, tempfile.TemporaryFile() as errors_psql:
        # pg_restore turns the dump into SQL, streamed into one psql transaction that first empties
        # the schema: tables added since the backup go too, and if anything fails the database is
        # left exactly as it was.
        loader = subprocess.Popen(  # noqa: S603
            [psql, "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors_psql,
            env=env,
        )
        loader.stdin.write(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
        reader = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(source)],
            stdout=subprocess.PIPE,
            stderr=errors_restore,
            env=env,
        )
        try:
            shutil.copyfileobj(reader.stdout, loader.stdin, 1 << 20)
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            reader.stdout.close()
            reader.wait()
            try:
                loader.stdin.close()
            except BrokenPipeError:
                pass
            loader.wait()
        for process, errors, name in ((reader, errors_restore, "pg_restore"), (loader, errors_psql, "psql")):
            if process.returncode != 0:
                errors.seek(0)
                raise BackupError(f"{name} failed: {errors.read().decode(errors='replace').strip()}")


def _restore_sqlite(source: Path) -> None:
    name = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    staging = name.with_name(f".{name.name}.restoring")
    shutil.copyfile(source, staging)
    os.replace(staging, name)  # atomic on one file system
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)


# Media


def _pack_media(root: Path, target: Path) -> None:
    with tarfile.open(target, "w") as archive:
        if root.exists():
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)


def _unpack_media(source: Path, root: Path, expected: dict) -> None:
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".media-restoring-", dir=root.parent))
    try:
        with tarfile.open(source) as archive:
            archive.extractall(staging, filter="data")  # no absolute paths, no "..", no links out
        found = media_fingerprint(staging)
        if found != expected:
            raise BackupError("the uploaded files in the backup do not match its manifest")
        previous = root.with_name(f".{root.name}-before-restore")
        if previous.exists():
            shutil.rmtree(previous)
        if root.exists():
            os.replace(root, previous)
        os.replace(staging, root)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# Entry points


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def create(directory: Path) -> dict:
    """Write a backup into ``directory`` (created, must be empty); returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty")
    engine = connection.vendor
    if engine == "postgresql":
        database_file = directory / "database.pgdump"
        database = _dump_postgresql(database_file)
    elif engine == "sqlite":
        database_file = directory / "database.sqlite3"
        database = _dump_sqlite(database_file)
    else:
        raise BackupError(f"backups of {engine} databases are not supported")
    media_root = Path(settings.MEDIA_ROOT)
    media_file = directory / "media.tar"
    _pack_media(media_root, media_file)
    media = {}
    with tarfile.open(media_file) as archive:
        for member in archive.getmembers():
            if member.isfile():
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                for block in iter(lambda handle=handle: handle.read(1 << 20), b""):
                    digest.update(block)
                media[member.name] = digest.hexdigest()
    fingerprint = {"database": database, "media": dict(sorted(media.items()))}
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "engine": engine,
        "migrations": applied_migrations(),
        "files": {
            database_file.name: _sha256_file(database_file),
            media_file.name: _sha256_file(media_file),
        },
        "summary": summary(fingerprint),
        "fingerprint": fingerprint,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def restore(directory: Path) -> dict:
    """Replace the database and the uploaded files with the backup in ``directory``, and prove it."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise BackupError(f"no manifest.json in {directory}: not a backup")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"this backup is of a {manifest['engine']} database; DATABASE_URL names {connection.vendor}")
    for name, expected in manifest["files"].items():
        if _sha256_file(directory / name) != expected:
            raise BackupError(f"{name} is damaged: its checksum does not match the manifest")
    if manifest["engine"] == "postgresql":
        _restore_postgresql(directory / "database.pgdump")
    else:
        _restore_sqlite(directory / "database.sqlite3")
    _unpack_media(directory / "media.tar", Path(settings.MEDIA_ROOT), manifest["fingerprint"]["media"])
    found = {"database": database_fingerprint(), "media": media_fingerprint(Path(settings.MEDIA_ROOT))}
    if found != manifest["fingerprint"]:
        different = sorted(
            table
            for table, value in manifest["fingerprint"]["database"]["tables"].items()
            if found["database"]["tables"].get(table) != value
        )
        raise BackupError(f"the restored data differ from the backup (tables: {', '.join(different) or 'files'})")
    return manifest
