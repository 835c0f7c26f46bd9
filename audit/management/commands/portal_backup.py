from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.backup import BackupError, create


class Command(BaseCommand):
    help = _("Back up the database and the uploaded files into a new directory (see scripts/backup.sh).")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help=_("Where to write the backup (created; must be empty)."))

    def handle(self, *args, directory: str, **options):
        try:
            manifest = create(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = manifest["summary"]
        self.stdout.write(
            _("Backed up %(rows)d rows in %(tables)d tables and %(files)d files (fingerprint %(sha)s).")
            % {**total, "sha": total["sha256"][:16]}
        )
