"""Shared fixtures: which real services the run uses, the Chromium launch, a real Celery worker,
and a small world of two countries with one user per role in each."""

import os
import shutil

import pytest
from django.conf import settings

# Tests that use Playwright's `page` call the ORM from the browser's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    where = f"{database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}:{database.get('PORT') or ''}"
    redis = settings.REDIS_URL or "none (Celery eager, local-memory cache)"
    return [f"database: {where} ({database['NAME']})", f"redis: {redis}", f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}"]


def need(condition: bool, what: str) -> None:
    """Skip when a service or system tool is missing, unless REQUIRE_SERVICES=1 makes that an error."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {what} is not available")
    pytest.skip(f"{what} is not available (set REQUIRE_SERVICES=1 to make this an error)")


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    need(path is not None, "Chromium (Debian package `chromium`)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _throwaway_media(settings, tmp_path_factory):
    """Every test stores uploads in a directory of its own, never in the working tree's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def load_reference_data() -> None:
    """The rows the data migrations load (countries, substances, the default framework); idempotent."""
    from assessments.framework_data import load_framework
    from assessments.models import Dimension, Framework
    from engagements.models import ControlledSubstance, Country
    from engagements.reference_data import load_countries, load_substances

    load_countries(Country)
    load_substances(ControlledSubstance)
    load_framework(Framework, Dimension)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests flush the database at teardown, data-migration rows included, so the
    next transactional test would start without countries: put the reference data back first."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server", "celery_worker")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from engagements.models import Country

    if not Country.objects.exists():
        load_reference_data()


@pytest.fixture
def postgres():
    need(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "PostgreSQL")


@pytest.fixture
def redis_url():
    need(bool(settings.REDIS_URL), "Redis")
    return settings.REDIS_URL


@pytest.fixture
def celery_worker(redis_url, transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming from Redis, for the test's duration.

    Tasks are sent through the broker, not run eagerly; the worker sees the test database because
    the test is transactional (committed data).
    """
    import celery.contrib.testing.tasks  # noqa: F401 (registers celery.ping, which start_worker waits for)
    from celery.contrib.testing.worker import start_worker

    from ta_portal.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=True,
            queues=["default", "pdf"],
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def pdftotext():
    path = shutil.which("pdftotext")
    need(path is not None, "pdftotext (Debian package `poppler-utils`)")
    return path


@pytest.fixture
def world(db):
    from tests.factories import build_world

    return build_world()
