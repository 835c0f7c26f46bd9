"""What `makemessages` would extract from the current source, compared with the shipped catalogues."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from .po import Entry
from .po import read_po

ROOT = Path(settings.BASE_DIR)
# Folders that hold no user-facing strings of the portal (or are not ours).
IGNORED = [".venv", ".lock-venv", ".git", "staticfiles", "media", "tests", "scripts", "node_modules", "backups"]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def catalogue_path(root: Path, language: str, domain: str = "django") -> Path:
    return root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def extract(into: Path) -> Path:
    """Copy the source and its catalogues to `into` and run makemessages there, leaving ours untouched.

    msgmerge then files every string the source has into each copied catalogue: new strings come in
    empty (or fuzzy, when gettext guesses from a similar one), exactly as a developer would see them.
    """
    copy = into / "portal"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, "__pycache__", "*.pyc", "*.mo", "*.sqlite3"),
        symlinks=True,
    )
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--verbosity", "0"]
    command += [arg for code in LANGUAGE_CODES for arg in ("-l", code)]
    command += [arg for pattern in IGNORED for arg in ("--ignore", pattern)]
    subprocess.run(command, cwd=copy, check=True, env={**_env(), "DEBUG": "1"}, capture_output=True, text=True)
    return copy


def _env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}


def untranslated(path: Path) -> list[Entry]:
    return [entry for entry in read_po(path) if not entry.translated]
