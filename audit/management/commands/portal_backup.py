from django.utils.translation import gettext as _

from audit.backup import create

from ._backup_directory import BackupDirectoryCommand


class Command(BackupDirectoryCommand):
    help = _("Back up the database and the uploaded files into a new directory (see scripts/backup.sh).")
    directory_help = _("Where to write the backup (created; must be empty).")

    def run(self, directory):
        return create(directory)

    def summary(self, manifest):
        total = manifest["summary"]
        return _("Backed up %(rows)d rows in %(tables)d tables and %(files)d files (fingerprint %(sha)s).") % {
            **total,
            "sha": total["sha256"][:16],
        }
