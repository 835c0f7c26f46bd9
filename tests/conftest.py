"""Shared fixtures: which real services the run uses, the Chromium launch, a real Celery worker,
a real SMTP server, and a small world of two countries with one user per role in each."""

import datetime as dt
import os
import shutil
import uuid
from collections import Counter

import pytest
import time_machine
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from engagements.models import Country
from ta_portal.celery import app
from tests.clock import TRAVELLED
from tests.factories import build_world
from tests.factories import load_reference_data
from tests.mailserver import Inbox
from tests.mailserver import free_port

# Tests that use Playwright's `page` call the ORM from the browser's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

CLOCK_KEY = pytest.StashKey[time_machine.travel]()


# Hypothesis (form, import and API fuzzing) draws the same examples on every run of `make test`,
# derived from each test's name, so a failure can be reproduced and no run fails on a draw the last
# one never made; HYPOTHESIS_PROFILE=explore (as `make fuzz-api` sets) draws new ones each time.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False, database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        help="run the whole session as if today were this date (the clock still ticks); "
        "`make test-clocks` runs the clock_sensitive tests on several dates with it",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    day = config.getoption("clock")
    if day is None:
        return
    # Noon UTC is the same calendar day in the time zones the portal is configured for, and far
    # enough from midnight that a long session does not tick into the next day.
    traveller = time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=True)
    traveller.start()
    config.stash[CLOCK_KEY] = traveller
    # Worker processes the tests start themselves travel with them (tests/reliability/worker_hooks.py).
    os.environ[TRAVELLED] = "1"


def pytest_unconfigure(config):
    traveller = config.stash.get(CLOCK_KEY, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    clock = config.getoption("clock")
    database = settings.DATABASES["default"]
    where = f"{database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}:{database.get('PORT') or ''}"
    redis = settings.REDIS_URL or "none (Celery eager, local-memory cache)"
    return [
        f"database: {where} ({database['NAME']})",
        f"redis: {redis}",
        f"REQUIRE_SERVICES={int(REQUIRE_SERVICES)}",
        f"clock: {clock.isoformat() + ' (travelled)' if clock else 'real'}",
    ]


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


@pytest.fixture(scope="module", autouse=True)
def _module_media(tmp_path_factory):
    """What a module's shared fixtures store (the demo's evidence and documents, seeded once for a
    module) goes to a directory of the module's, never to the working tree's media/."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("module-media")):
        yield


@pytest.fixture(autouse=True)
def _throwaway_media(settings, tmp_path_factory):
    """Every test stores uploads in a directory of its own, never in the working tree's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_cache_namespace(settings):
    """Counters (sign-in failures, reset requests) and cached pages live in the shared cache (Redis
    when it runs): a key prefix of its own per test keeps one test's counts from reaching another,
    or another run's, without flushing anything."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request through the middleware activates the
    user's own language in this thread, and it would otherwise stay on for the tests that follow."""
    translation.activate(settings.LANGUAGE_CODE)


# Packages whose tests share package-scoped fixtures (the accessibility demo, its servers and the
# browser pass over it): under pytest-xdist each runs whole on one worker, as a module does.
SHARED_PACKAGES = ("tests/a11y/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs pytest-xdist's `--dist loadscope` on two workers: a module's tests go to one
    worker, so module-scoped fixtures are set up once; here the SHARED_PACKAGES go whole, likewise.
    (pytest-xdist's xdist_group marks would say the same, but pytest 9.2 ignores the group suffix
    pytest-xdist 3.8 gives the test ids, so they group nothing.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 (only with pytest-xdist)

    class SharedPackageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            package = next((package for package in SHARED_PACKAGES if nodeid.startswith(package)), None)
            return package or super()._split_scope(nodeid)

        def add_node_collection(self, node, collection):
            # Items that share an id (Schemathesis' API operations, under pytest 9.2) are told apart
            # by their rank: the scheduler keys its work by id and would run only the first of each.
            seen = Counter()
            unique = []
            for nodeid in collection:
                seen[nodeid] += 1
                unique.append(nodeid if seen[nodeid] == 1 else f"{nodeid}#{seen[nodeid]}")
            super().add_node_collection(node, unique)

    return SharedPackageScheduling(config, log)


DATABASE_FIXTURES = ("db", "transactional_db", "live_server", "celery_worker", "django_db_serialized_rollback")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Transactional tests (and the accessibility crawl's demo) flush the database when they end,
    data-migration rows included. pytest orders tests by fixture scope as well as by kind, so any
    test may come after such a flush: before the next test's fixtures open its transaction, put the
    reference data back, committed."""
    uses_database = item.get_closest_marker("django_db") is not None or any(
        name in getattr(item, "fixturenames", ()) for name in DATABASE_FIXTURES
    )
    # Before the first database test the test database does not exist yet (and is freshly migrated).
    name = str(connection.settings_dict["NAME"])
    if not uses_database or not (name.startswith("test_") or "memorydb" in name):
        return
    with item.config.stash[blocking_manager_key].unblock():
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
    import celery.contrib.testing.tasks  # noqa: F401, PLC0415 (registers celery.ping, which start_worker waits for)

    # Under pytest-xdist each worker has a database of its own: its tasks go to queues of its own
    # (every broker key prefixed), so that no worker runs another's task against the wrong database.
    transport_options = app.conf.broker_transport_options
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if worker_id:
        app.conf.broker_transport_options = {**transport_options, "global_keyprefix": f"{worker_id}:"}
        _new_broker_connections()
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
        if worker_id:
            app.conf.broker_transport_options = transport_options
            _new_broker_connections()


def _new_broker_connections():
    """Connections and producers are pooled with the options they were made with: drop the pools."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def smtp(request, settings):
    """A real SMTP server on loopback that the portal sends its e-mail to; yields its inbox.
    Parametrize it indirectly with a number to have it refuse that many messages first."""
    inbox = Inbox(refuse=getattr(request, "param", 0))
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def pdftotext():
    path = shutil.which("pdftotext")
    need(path is not None, "pdftotext (Debian package `poppler-utils`)")
    return path


@pytest.fixture
def zbarimg():
    path = shutil.which("zbarimg")
    need(path is not None, "zbarimg (Debian package `zbar-tools`)")
    return path


@pytest.fixture
def pdftoppm():
    path = shutil.which("pdftoppm")
    need(path is not None, "pdftoppm (Debian package `poppler-utils`)")
    return path


@pytest.fixture
def world(db):
    return build_world()
