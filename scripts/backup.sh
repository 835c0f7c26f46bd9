#!/usr/bin/env bash
# Back up the database and the uploaded files into one archive:
#
#   scripts/backup.sh [DIRECTORY]        (default: $BACKUP_DIR, else ./backups)
#
# Writes DIRECTORY/ta-portal-<UTC time>.tar and prints its path. It reads DATABASE_URL and
# MEDIA_ROOT like the portal: PostgreSQL is dumped with pg_dump (custom format, one consistent
# snapshot), SQLite with its online backup API. The archive's manifest.json holds checksums and a
# fingerprint of every table and file, which scripts/restore.sh checks after restoring.
# The archive contains personal and law-enforcement data: it is written readable by its owner
# only; keep it encrypted and off the server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
dest=${1:-${BACKUP_DIR:-backups}}

umask 077
mkdir -p "$dest"
name="ta-portal-$(date -u +%Y%m%dT%H%M%SZ)"
work=$(mktemp -d "$dest/.$name.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$PY" manage.py portal_backup "$work/$name" >&2
# Written under a temporary name first, so a half-written archive never looks like a backup.
tar -C "$work" -cf "$dest/$name.tar.partial" "$name"
mv "$dest/$name.tar.partial" "$dest/$name.tar"
echo "$dest/$name.tar"
