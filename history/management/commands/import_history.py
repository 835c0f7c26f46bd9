from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from history import services
from history.models import HistoryImport
from history.spec import SHEET_NAMES


class Command(BaseCommand):
    help = _(
        "Import a history workbook (XLSX) as a manager or administrator: all or nothing; with --dry-run, "
        "check it and save nothing. Prints what each sheet would create, update or leave, and every error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The workbook (.xlsx)."))
        parser.add_argument(
            "--user", required=True, help=_("The username of who imports (a manager or administrator).")
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Check the workbook and save nothing."))

    def handle(self, *args, file: str, user: str, dry_run: bool = False, **options):
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file “%(path)s”.") % {"path": file})
        try:
            with path.open("rb") as handle:
                result = services.import_create(
                    user=importer, upload=File(handle, name=path.name), dry_run=dry_run, run_now=True
                )
        except PermissionDenied:
            raise CommandError(_("Only managers and administrators import history workbooks."))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        self._print(result)
        if result.status != HistoryImport.Status.DONE or result.errors:
            raise CommandError(
                _("Errors: %(n)d; nothing was saved.") % {"n": len(result.errors)}
                if result.status == HistoryImport.Status.DONE
                else _("The import failed: nothing was saved.")
            )

    def _print(self, result: HistoryImport) -> None:
        headline = (
            _("Dry run of %(file)s (SHA-256 %(sha)s)") if result.dry_run else _("Import of %(file)s (SHA-256 %(sha)s)")
        )
        self.stdout.write(headline % {"file": result.file_name, "sha": result.sha256})
        for sheet in (name for name in SHEET_NAMES if name in result.summary):
            self.stdout.write(
                "  "
                + _("%(sheet)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {"sheet": sheet, **result.summary[sheet]}
            )
        for error in result.errors:
            where = ", ".join(
                str(part)
                for part in (
                    error.get("sheet"),
                    _("row %(n)s") % {"n": error["row"]} if error.get("row") else "",
                    error.get("column"),
                )
                if part
            )
            self.stdout.write(f"  {where}: {error['message']}" if where else f"  {error['message']}")
