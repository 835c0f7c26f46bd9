from django.utils.translation import gettext as _

from audit.backup import restore

from ._backup_directory import BackupDirectoryCommand


class Command(BackupDirectoryCommand):
    help = _(
        "Replace the database and the uploaded files with a backup directory, then check that the "
        "restored data are identical to the backup (see scripts/restore.sh)."
    )
    directory_help = _("A directory written by portal_backup.")

    def run(self, directory):
        return restore(directory)

    def summary(self, manifest):
        total = manifest["summary"]
        return _(
            "Restored the backup of %(created)s: %(rows)d rows in %(tables)d tables and %(files)d files, "
            "identical to the backup (fingerprint %(sha)s)."
        ) % {**total, "created": manifest["created_at"], "sha": total["sha256"][:16]}
