"""The demo world, served for the whole package by a live server and by a production-like one, the
crawl of it per role, and the browser's visit of every page per role and language.

The demo is seeded once (it takes a while) and the database is flushed afterwards, as transactional
tests do. Tests here do not use the `db` fixtures, so pytest-django runs them after the others; under
pytest-xdist they all run on one worker (SHARED_PACKAGES in tests/conftest.py).
"""

import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test import override_settings
from django.test.utils import setup_databases
from django.test.utils import teardown_databases
from django.urls import reverse
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from assessments.models import Assessment
from surveys.models import Invitation
from surveys.tokens import token_for
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_instrument
from tests.assessments.factories import add_meeting
from tests.assessments.factories import add_recommendation
from tests.factories import load_reference_data
from trainings.models import Certificate

from .crawl import Crawl
from .crawl import crawl
from .visits import FULL_CHECK
from .visits import Visit
from .visits import visit_pages

# One demo user per role (engagements/demo.py), and no one signed in.
ROLES = ["anonymous", "admin", "manager", "trainer", "counterpart", "viewer"]


@dataclass
class DemoSite:
    url: str
    crawls: dict[str, Crawl] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # role → its signed-in session key

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else User.objects.get(username=role)

    def client(self, role: str) -> Client:
        client = Client()
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client

    def crawl(self, role: str) -> Crawl:
        if role not in self.crawls:
            self.crawls[role] = crawl(self.client(role), extra=self.unlinked_pages())
        return self.crawls[role]

    def unlinked_pages(self) -> tuple[str, ...]:
        """Pages reached from outside the portal: the certificate check behind a PDF's QR code, and a
        survey's answer page behind a participant's e-mailed link (of the demo's open survey); and the
        revoking of a certificate, see below."""
        pages = []
        certificate = Certificate.objects.order_by("pk").first()
        if certificate:
            pages.append(certificate.get_verify_url())
        # Revoking is linked only from a session's certificates page, which the crawl may reach
        # through a session that has none: open the form of a valid one directly.
        valid = Certificate.objects.filter(revoked_at__isnull=True).select_related("enrolment").order_by("pk").first()
        if valid:
            pages.append(reverse("trainings:certificate_revoke", args=[valid.enrolment.session_id, valid.pk]))
        # The header's search box is a form: the crawl reaches the results page without words. Open it
        # with words the demo's records hold, so the results themselves are checked.
        pages.append(f"{reverse('search:results')}?q=inspection")
        invitation = Invitation.objects.filter(answered=False, survey__closes_on__gte=timezone.localdate()).first()
        if invitation:
            pages.append(reverse("surveys:answer", args=[token_for(invitation)]))
        return tuple(pages)

    def session_cookie(self, role: str) -> dict | None:
        """A signed-in session for the browser, made without typing a password: one per role, which
        every browser context of that role reuses (both servers share the database and the key)."""
        if role == "anonymous":
            return None
        if role not in self.sessions:
            self.sessions[role] = self.client(role).cookies[settings.SESSION_COOKIE_NAME].value
        return {"name": settings.SESSION_COOKIE_NAME, "value": self.sessions[role], "url": self.url}

    def prefer(self, role: str, language: str) -> None:
        """The user's own language preference, as the switcher would store it."""
        if role != "anonymous":
            User.objects.filter(username=role).update(language=language)


def _work_in_progress() -> None:
    """The demo's open assessments may have no evidence yet; the pages that edit evidence, findings
    and recommendations show only on an open assessment that has some, so give one an item of each."""
    assessment = Assessment.objects.exclude(status=Assessment.Status.FINAL).order_by("pk").first()
    if assessment is None:
        return
    add_meeting(assessment)
    add_instrument(assessment)
    add_recommendation(add_finding(assessment, code="legal", text="No clause for emergency scheduling."))


def _check_test_database() -> None:
    # Seeding and flushing are only ever meant for the throwaway test database.
    name = connection.settings_dict["NAME"]
    assert str(name).startswith("test_") or "memorydb" in str(name), name


@contextmanager
def _test_database(django_db_blocker):
    """The test database. pytest-django creates it only for runs that hold a test marked for the
    database; these tests are not (their data must outlive each test), so alone they create it here."""
    name = str(connection.settings_dict["NAME"])
    if name.startswith("test_") or "memorydb" in name:
        yield
        return
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            _end_other_sessions()
            teardown_databases(created, verbosity=0)


def _end_other_sessions() -> None:
    """Close this context's connection to the test database before it is dropped. Django keeps a
    connection per context, and the package's teardown (the flush) may run in another context than
    the one that created the database, whose connection ``teardown_databases`` closes: left open,
    this one makes the drop fail with "being accessed by other users"."""
    connection.close()


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker):
    # Not tmp_path_factory: pytest sessions running in parallel prune each other's old base temp dirs.
    media_root = tempfile.TemporaryDirectory(prefix="ta-portal-a11y-media-")
    media = override_settings(MEDIA_ROOT=Path(media_root.name))
    media.enable()
    with _test_database(django_db_blocker), django_db_blocker.unblock(), media_root:
        _check_test_database()
        load_reference_data()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        _work_in_progress()
        server = LiveServer("127.0.0.1:0")
        server._live_server_modified_settings.enable()
        try:
            yield DemoSite(url=server.url)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            _check_test_database()
            call_command("flush", interactive=False, verbosity=0)
            media.disable()


ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="package")
def production_server(demo_site):
    """gunicorn with the production settings (DEBUG off, `collectstatic` with WhiteNoise's compressed,
    content-hashed files) over the demo database: what the browser pass visits."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        pytest.skip("the production-like server shares the demo database, which needs PostgreSQL")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="ta-portal-static-") as static_root:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.a11y.production_settings",
            "PORTAL_STATIC_ROOT": static_root,
            # Its cached data and counters apart from any other run's that shares the Redis database.
            "PORTAL_CACHE_PREFIX": f"a11y-{uuid.uuid4().hex}",
            "DEBUG": "0",
            # The same key as the test process: its sessions sign the browser in.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "OTP_REQUIRED_ROLES": "",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database),
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
        environment.pop("PYTEST_CURRENT_TEST", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=environment,
            check=True,
        )
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ta_portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment,
        )
        url = f"http://localhost:{port}"
        try:
            for _ in range(100):
                try:
                    urlopen(f"{url}/healthz/", timeout=1)  # noqa: S310 (our own local server)
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


class BrowserPass:
    """The pages the crawl found, opened in Chromium on the production-like server with every per-page
    check made on that visit (tests/a11y/visits.py); kept for the package.

    In English (every axe rule, and the page weight) each role opens every page it reaches: what a
    page shows depends on who looks. In the other languages only the rules that read the words run,
    and the words of a page are its templates', whoever looks; so each page is opened once per
    language, by the first role (in ROLES' order) that reaches it.
    """

    def __init__(self, site: DemoSite, url: str, browser):
        self.site, self.url, self.browser = site, url, browser
        self.done: dict[tuple[str, str], dict[str, Visit]] = {}

    def pages(self, role: str, language: str) -> dict[str, str]:
        """route → address of the pages the role opens in the language."""
        pages = self.site.crawl(role).pages
        if language in FULL_CHECK:
            return pages
        earlier = set().union(*(self.site.crawl(other).pages for other in ROLES[: ROLES.index(role)]))
        return {route: address for route, address in pages.items() if route not in earlier}

    def __call__(self, role: str, language: str) -> dict[str, Visit]:
        """route → its visit, for the role in the language (made on the first call)."""
        if (role, language) not in self.done:
            self.site.prefer(role, language)
            self.done[role, language] = visit_pages(
                self.browser,
                self.url,
                self.pages(role, language),
                language=language,
                cookie=self.site.session_cookie(role),
            )
        return self.done[role, language]


@pytest.fixture(scope="package")
def visits(demo_site, production_server, browser) -> BrowserPass:
    return BrowserPass(demo_site, production_server, browser)


@pytest.fixture(scope="module", autouse=True)
def _module_media():
    """The demo's files live in the package's media directory (see demo_site), for every module here."""


@pytest.fixture(autouse=True)
def _throwaway_media():
    """The demo's files live in the package's media directory (see demo_site), for every test here."""
