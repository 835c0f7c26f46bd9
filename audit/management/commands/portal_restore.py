from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = _(
        "Replace the database and the uploaded files with a backup directory, then check that the "
        "restored data are identical to the backup (see scripts/restore.sh)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help=_("A directory written by portal_backup."))

    def handle(self, *args, directory: str, **options):
        try:
            manifest = restore(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = manifest["summary"]
        self.stdout.write(
            _(
                "Restored the backup of %(created)s: %(rows)d rows in %(tables)d tables and %(files)d files, "
                "identical to the backup (fingerprint %(sha)s)."
            )
            % {**total, "created": manifest["created_at"], "sha": total["sha256"][:16]}
        )
