from celery import shared_task

from . import services


@shared_task(name="history.tasks.run_history_import")
def run_history_import(import_id: int) -> str:
    """Run one history import (a dry run or the real one); running it twice does nothing more."""
    return services.import_run(import_id=import_id).status
