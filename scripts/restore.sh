#!/usr/bin/env bash
# Replace the database and the uploaded files with a backup made by scripts/backup.sh:
#
#   scripts/restore.sh ARCHIVE.tar [--yes]
#
# Stop the web server and the workers first. The database is emptied and loaded in one
# transaction (PostgreSQL) or replaced atomically (SQLite); the files are swapped in once
# verified. Then the data are fingerprinted again and compared with the backup's manifest: the
# restore fails loudly unless every table and file is identical. Finally `migrate` brings the
# schema up to the code, if the code is newer than the backup.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
archive=${1:?usage: scripts/restore.sh backups/ta-portal-<time>.tar [--yes]}
confirm=${2:-}
[ -f "$archive" ] || { echo "No such backup: $archive" >&2; exit 2; }

if [ "$confirm" != "--yes" ]; then
  if [ -t 0 ]; then
    read -r -p "This replaces ALL data and uploaded files with $archive. Type 'restore' to go on: " answer
    [ "$answer" = "restore" ] || { echo "Nothing was changed." >&2; exit 1; }
  else
    echo "Refusing to restore without --yes (no terminal to ask)." >&2
    exit 1
  fi
fi

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" --no-same-owner --no-same-permissions -xf "$archive"
backup_dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'ta-portal-*' | head -n 1)
[ -n "$backup_dir" ] || { echo "$archive is not a TA Portal backup." >&2; exit 2; }

"$PY" manage.py portal_restore "$backup_dir"
"$PY" manage.py migrate --noinput
