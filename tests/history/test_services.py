"""The import's life: queued once its transaction commits, confirmed once from a clean dry run, run
once whatever happens, FAILED only on the unexpected (and never left running), with its progress
readable while it runs; and the same with a real Celery worker."""

import logging
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from engagements.models import Engagement
from followups.models import StatusUpdate
from history import progress
from history import services
from history.engine import HistoryImporter
from history.models import HistoryImport
from history.samples import sample_workbook
from tests.factories import make_user
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import errors_of
from tests.history.conftest import run
from tests.history.conftest import small
from tests.history.conftest import upload
from tests.history.conftest import workbook


def imported() -> bool:
    return Engagement.objects.filter(title=ENGAGEMENT["title"]).exists()


def test_an_import_is_queued_once_its_transaction_commits(manager, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        history_import = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=False)
        # then: nothing runs before the commit
        assert history_import.status == HistoryImport.Status.PENDING
        assert not imported()
    # and the task ran once it was committed (Celery runs eagerly under the tests)
    assert len(callbacks) == 1
    history_import.refresh_from_db()
    assert (history_import.status, history_import.errors) == (HistoryImport.Status.DONE, [])
    assert history_import.started_at <= history_import.finished_at
    assert (history_import.rows_done, history_import.rows_total) == (6, 6)
    assert history_import.language == "en"
    assert imported()


def test_a_clean_dry_run_is_confirmed_once_into_the_real_import(manager, django_capture_on_commit_callbacks):
    # given
    dry = run(manager, workbook(**small()), dry_run=True)
    assert not imported()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        real = services.import_confirm(user=manager, dry_run=dry)

    # then: the same stored file, imported for real
    real.refresh_from_db()
    assert (real.dry_run, real.confirms, real.status, real.errors) == (False, dry, HistoryImport.Status.DONE, [])
    assert (real.file.name, real.sha256, real.file_name) == (dry.file.name, dry.sha256, dry.file_name)
    assert real.summary == dry.summary
    assert imported()
    # and not twice
    with pytest.raises(ValidationError, match="already confirmed"):
        services.import_confirm(user=manager, dry_run=dry)
    assert HistoryImport.objects.filter(dry_run=False).count() == 1


def test_only_a_finished_clean_dry_run_of_ones_own_is_confirmed(world, manager):
    with_errors = run(manager, workbook(engagements=[{**ENGAGEMENT, "country": "ZZ"}]), dry_run=True)
    pending = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=True)
    real = run(manager, workbook(**small()))
    clean = run(manager, workbook(**small()), dry_run=True)
    for dry_run, message in (
        (with_errors, "found errors"),
        (pending, "has not finished"),
        (real, "was not a dry run"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.import_confirm(user=manager, dry_run=dry_run)
    for someone_else in (world.users["global_manager"], world.users["admin"], world.users["counterpart"]):
        with pytest.raises(PermissionDenied):
            services.import_confirm(user=someone_else, dry_run=clean)
    assert not HistoryImport.objects.filter(confirms__isnull=False).exists()


def test_running_an_import_again_does_nothing_more(manager):
    done = run(manager, workbook(**small()))
    reports = StatusUpdate.objects.count()
    again = services.import_run(import_id=done.pk)
    assert (again.status, again.finished_at, again.summary) == (done.status, done.finished_at, done.summary)
    assert StatusUpdate.objects.count() == reports


def test_an_unexpected_problem_fails_the_import_saves_nothing_and_is_logged(manager, monkeypatch, caplog):
    # given: the writing breaks half way
    def broken(self):
        self._write("engagements", ["title"])
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(HistoryImporter, "apply", broken)

    # when
    with caplog.at_level(logging.ERROR, logger="ta_portal.history"):
        result = run(manager, workbook(**small()))

    # then: FAILED, with a message that reveals nothing of the cause, and nothing saved
    assert result.status == HistoryImport.Status.FAILED
    assert errors_of(result) == {("", None, "", "The import stopped on an unexpected problem; nothing was saved.")}
    assert result.finished_at is not None
    assert not imported()
    assert f"history import {result.pk} failed" in caplog.text and "disk on fire" in caplog.text


@pytest.mark.clock_sensitive
def test_an_import_left_running_by_a_dead_worker_is_run_again(manager, settings):
    # given: two imports marked running, one since long before any worker would have stopped it
    stale = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=True)
    fresh = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=True)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    HistoryImport.objects.filter(pk=stale.pk).update(status=HistoryImport.Status.RUNNING, started_at=long_ago)
    HistoryImport.objects.filter(pk=fresh.pk).update(status=HistoryImport.Status.RUNNING, started_at=timezone.now())

    # when
    stale, fresh = services.import_run(import_id=stale.pk), services.import_run(import_id=fresh.pk)

    # then
    assert (stale.status, stale.errors) == (HistoryImport.Status.DONE, [])
    assert fresh.status == HistoryImport.Status.RUNNING


def test_the_progress_is_readable_while_the_import_runs(manager, monkeypatch):
    # given: a look at the progress, as the page takes it, once every row is checked (the writes
    # not made yet, the transaction open)
    seen = []
    check = HistoryImporter.check

    def check_and_look(self, rows):
        check(self, rows)
        running = HistoryImport.objects.get(status=HistoryImport.Status.RUNNING)
        seen.append(progress.read(running))

    monkeypatch.setattr(HistoryImporter, "check", check_and_look)

    # when
    result = run(manager, sample_workbook(rows=1_200))

    # then: part of the rows then, all of them at the end
    ((done, total),) = seen
    assert total == result.rows_total > 1_000
    assert 0 < done < total
    assert progress.read(result) == (total, total)


def test_a_stranger_to_the_workbook_is_reported_as_such(manager):
    history_import = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=True)
    # the stored file was replaced behind the portal's back
    with history_import.file.open("wb") as stored:
        stored.write(workbook(engagements=[ENGAGEMENT]))
    result = services.import_run(import_id=history_import.pk)
    assert [e["message"] for e in result.errors] == ["The stored workbook is not the one uploaded; upload it again."]


def test_an_importer_who_lost_their_role_imports_nothing(manager):
    history_import = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=False)
    manager.memberships.all().delete()
    del manager._role_scopes
    result = services.import_run(import_id=history_import.pk)
    assert [e["message"] for e in result.errors] == ["Only managers and administrators import history workbooks."]
    assert not imported()


@pytest.mark.services
def test_a_real_worker_runs_the_import_queued_by_a_page(celery_worker):
    # given: a manager's upload, committed
    manager = make_user(Role.MANAGER, "PE")
    with transaction.atomic():
        history_import = services.import_create(user=manager, upload=upload(workbook(**small())), dry_run=False)

    # when: the worker takes it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        history_import.refresh_from_db()
        if history_import.is_finished:
            break
        time.sleep(0.2)

    # then
    assert (history_import.status, history_import.errors) == (HistoryImport.Status.DONE, [])
    assert progress.read(history_import) == (6, 6)
    assert imported()
