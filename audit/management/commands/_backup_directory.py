"""What portal_backup and portal_restore share: a backup directory in, a one-line summary out.

The leading underscore keeps Django from listing this module as a command.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from audit.backup import BackupError


class BackupDirectoryCommand(BaseCommand):
    requires_system_checks = []
    directory_help = ""

    def add_arguments(self, parser):
        parser.add_argument("directory", help=self.directory_help)

    def handle(self, *args, directory: str, **options):
        try:
            manifest = self.run(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.summary(manifest))

    def run(self, directory: Path) -> dict:
        raise NotImplementedError

    def summary(self, manifest: dict) -> str:
        raise NotImplementedError
