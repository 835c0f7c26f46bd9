"""Demo data: the demo manager's dry run of a small history workbook of Bolivia's past (2011–2016),
read at once and finished without errors, so the history pages show an import with its summary and
the button that imports it for real. Idempotent: the import is found by its file name and owner."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from ta_portal.tabular import XLSX_CONTENT_TYPE

from .models import HistoryImport
from .samples import sample_workbook
from .services import import_create

FILE_NAME = "bolivia-2011-2016.xlsx"


def seed(out) -> None:
    manager = User.objects.filter(username="manager").first()
    if manager is None:
        out.write("history: the demo manager is missing; no import seeded")
        return
    if HistoryImport.objects.filter(created_by=manager, file_name=FILE_NAME).exists():
        return
    workbook = sample_workbook(rows=60, country="BO", prefix="BO-")
    history_import = import_create(
        user=manager,
        upload=SimpleUploadedFile(FILE_NAME, workbook, content_type=XLSX_CONTENT_TYPE),
        dry_run=True,
        run_now=True,
    )
    out.write(
        f"history: a dry run of {FILE_NAME} by {manager.username}: {history_import.status}, "
        f"{len(history_import.errors)} errors"
    )
