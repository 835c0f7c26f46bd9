"""API tokens served from the token cache (accounts/tokencache.py): a warm token-authenticated list
runs no SQL query in one cache round trip, and a token ended or a reach narrowed by any path is
refused (or narrowed) on the very next request, in this process and in other server processes
that had the token cached."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from redis.connection import AbstractConnection
from rest_framework.test import APIClient

from accounts import tokencache
from accounts.apitokens import LAST_USED_PRECISION
from accounts.apitokens import ApiToken
from accounts.apitokens import api_token_create
from accounts.apitokens import api_token_revoke
from accounts.apitokens import api_tokens_revoke_all
from accounts.models import Membership
from accounts.services import user_set_role
from audit.models import AuditEntry
from engagements.models import Agency
from tests.conftest import need
from tests.factories import PASSWORD
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = pytest.mark.clock_sensitive

LIST = "/api/v1/engagements/?page_size=100"
# A fixed day: what is measured here is how long since the token was issued or last used.
DAY = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def cached(settings, redis_url):
    settings.DATA_CACHE_SECONDS = 60
    return settings


@pytest.fixture
def round_trips(monkeypatch):
    """The commands sent to Redis (each one a round trip: a pipeline is not used here)."""
    sent = []
    send = AbstractConnection.send_command

    def counting(self, *args, **kwargs):
        sent.append(str(args[0]))
        return send(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_command", counting)
    return sent


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def countries_listed(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["country"] for row in response.json()["results"]}


def is_cached(token) -> bool:
    return cache.get(tokencache.entry_key(token.digest)) is not None


# ---- in this process ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_warm_token_list_runs_no_query_in_one_cache_round_trip(cached, round_trips):
    user = make_user("manager", "PE")
    EngagementFactory(country_id="PE")
    EngagementFactory(country_id="CO")
    token, key = api_token_create(user=user)
    client = with_token(key)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(LIST)  # looks the token up, computes the page and keeps both
    assert len(cold) >= 3  # the token, the memberships, the page (so the count below can fail)
    assert is_cached(token)
    client.get(LIST)  # keeps the token's own copy of the page

    round_trips.clear()
    with CaptureQueriesContext(connection) as warm:
        third = client.get(LIST)

    assert len(warm) == 0, [query["sql"] for query in warm]
    assert round_trips == ["MGET"]  # the token, the versions and the token's copy of the page
    assert third.content == first.content
    assert countries_listed(third) == {"PE"}


@pytest.mark.django_db
def test_a_changed_engagement_shows_on_the_next_request_with_a_warm_token(cached):
    user = make_user("manager", "PE")
    engagement = EngagementFactory(country_id="PE", title="Before")
    _token, key = api_token_create(user=user)
    api = with_token(key)
    api.get(LIST)
    assert [row["title"] for row in api.get(LIST).json()["results"]] == ["Before"]

    engagement.title = "After"
    engagement.save()
    EngagementFactory(country_id="PE", title="New")

    assert sorted(row["title"] for row in api.get(LIST).json()["results"]) == ["After", "New"]


@pytest.mark.django_db
def test_the_cached_user_answers_everything_a_request_asks_of_it(cached):
    user = make_user("manager", "PE", language="fr")
    agency = AgencyFactory(country_id="PE")
    _token, key = api_token_create(user=user)
    client = with_token(key)
    client.get("/api/v1/me/")  # cached from here on

    with CaptureQueriesContext(connection) as queries:
        me = client.get("/api/v1/me/").json()
    assert me == {"username": user.username, "language": "fr", "roles": {"manager": ["PE"]}}
    assert len(queries) == 0

    # a write is attributed to the token's owner, as with a token read from the database
    response = client.patch(f"/api/v1/agencies/{agency.pk}/", {"acronym": "CACHED"}, format="json")
    assert response.status_code == 200
    entry = AuditEntry.objects.for_object(Agency._meta.label, agency.pk).order_by("id").last()
    assert (entry.actor_id, entry.after["acronym"]) == (user.pk, "CACHED")

    # a field the entry holds, changed: the next request has it
    user.language = "es"
    user.save(update_fields=["language"])
    assert client.get("/api/v1/me/").json()["language"] == "es"


@pytest.mark.django_db
def test_signing_in_keeps_the_cached_tokens(cached, client):
    user = make_user("viewer", "PE")
    _token, key = api_token_create(user=user)
    api = with_token(key)
    api.get("/api/v1/me/")
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302

    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me/").status_code == 200
    assert len(queries) == 0


@pytest.mark.django_db
def test_last_use_is_written_at_most_every_precision_with_the_cache(cached):
    with time_machine.travel(DAY, tick=False) as clock:
        token, key = api_token_create(user=make_user("viewer", "PE"))
        client = with_token(key)

        def used():
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/api/v1/me/").status_code == 200
            return len(queries), ApiToken.objects.get(pk=token.pk).last_used_at

        assert used()[1] == DAY  # the first use: looked up and written
        clock.shift(LAST_USED_PRECISION - 1)
        assert used() == (0, DAY)  # from the cache, not written
        clock.shift(2)
        assert used() == (1, DAY + timedelta(seconds=LAST_USED_PRECISION + 1))  # written, once
        clock.shift(1)
        assert used() == (0, DAY + timedelta(seconds=LAST_USED_PRECISION + 1))  # the entry knows


@pytest.mark.django_db
def test_a_cached_token_is_refused_once_it_expires(cached):
    with time_machine.travel(DAY, tick=False) as clock:
        token, key = api_token_create(user=make_user("viewer", "PE"), ttl=timedelta(minutes=10))
        client = with_token(key)
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=10, seconds=1))
        assert is_cached(token)  # the cache has not dropped it yet: the expiry is read from the entry
        response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def _end(path: str, token, key, user, client, admin):
    """End a token by one of the paths that do it (``admin``: made before the token was cached,
    since saving a new user moves the version too)."""
    if path == "revoked by its user":
        assert with_token(key).delete("/api/v1/auth/token/").status_code == 204
    elif path == "revoked by an administrator through the API":
        api = APIClient()
        api.force_login(admin)
        assert api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    elif path == "revoked on the Security page":
        client.force_login(user)
        assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    elif path == "all revoked on the Security page":
        client.force_login(user)
        assert client.post(reverse("accounts:tokens_revoke_all")).status_code == 302
    elif path == "revoked in the admin":
        client.force_login(admin)
        changelist = reverse("admin:accounts_apitoken_changelist")
        response = client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
        assert response.status_code == 302
    elif path == "deleted in the admin":
        client.force_login(admin)
        response = client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"})
        assert response.status_code == 302
    elif path == "a new password":
        client.force_login(user)
        new = "a-fresh-passphrase-9"
        client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
    elif path == "deactivated in the admin":
        client.force_login(admin)
        user.is_active = False
        form = {field: getattr(user, field) for field in ("username", "first_name", "last_name", "email", "language")}
        form |= {"date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "memberships-TOTAL_FORMS": 0}
        form |= {"memberships-INITIAL_FORMS": 0}
        response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), form)
        assert response.status_code == 302, response.content[:2000]
    elif path == "deactivated":
        user.is_active = False
        user.save()
    elif path == "user deleted":
        user.delete()
    else:
        raise AssertionError(path)


TOKEN_ENDS = [
    "revoked by its user",
    "revoked by an administrator through the API",
    "revoked on the Security page",
    "all revoked on the Security page",
    "revoked in the admin",
    "deleted in the admin",
    "a new password",
    "deactivated in the admin",
    "deactivated",
    "user deleted",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", TOKEN_ENDS)
def test_a_cached_token_ended_by_any_path_is_refused_on_the_next_request(cached, client, path):
    user = make_user("manager", "PE")
    admin = make_user("admin", is_staff=True, is_superuser=True)
    token, key = api_token_create(user=user)
    api = with_token(key)
    assert api.get(LIST).status_code == 200
    assert api.get(LIST).status_code == 200
    assert is_cached(token)

    _end(path, token, key, user, client, admin)

    assert api.get(LIST).status_code == 401


REACH_CHANGES = ["role narrowed", "membership deleted", "membership deleted in the admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("change", REACH_CHANGES)
def test_a_narrowed_reach_shows_on_the_next_request(cached, client, change):
    user = make_user("manager", "PE", "CO")
    admin = make_user("admin", is_staff=True, is_superuser=True)
    EngagementFactory(country_id="PE")
    EngagementFactory(country_id="CO")
    _token, key = api_token_create(user=user)
    api = with_token(key)
    assert countries_listed(api.get(LIST)) == {"PE", "CO"}
    assert countries_listed(api.get(LIST)) == {"PE", "CO"}

    colombia = Membership.objects.get(user=user, country_id="CO")
    if change == "role narrowed":
        user_set_role(user=user, role="manager", country_codes=["PE"])
    elif change == "membership deleted":
        colombia.delete()
    else:
        client.force_login(admin)
        response = client.post(reverse("admin:accounts_membership_delete", args=[colombia.pk]), {"post": "yes"})
        assert response.status_code == 302

    assert countries_listed(api.get(LIST)) == {"PE"}


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["role widened", "membership added"])
def test_a_widened_reach_shows_on_the_next_request(cached, change):
    user = make_user("manager", "PE")
    EngagementFactory(country_id="PE")
    EngagementFactory(country_id="CO")
    _token, key = api_token_create(user=user)
    api = with_token(key)
    assert countries_listed(api.get(LIST)) == {"PE"}
    assert countries_listed(api.get(LIST)) == {"PE"}

    if change == "role widened":
        user_set_role(user=user, role="manager", country_codes=["PE", "CO"])
    else:
        Membership.objects.create(user=user, role="viewer", country_id="CO")

    assert countries_listed(api.get(LIST)) == {"PE", "CO"}


# ---- across processes ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, method: str, path: str, key: str):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Token {key}", "Accept": "application/json", "Host": "127.0.0.1"}
        connection_.request(method, path, headers=headers)
        response = connection_.getresponse()
        body = response.read()
    finally:
        connection_.close()
    return response.status, json.loads(body) if body else None


class Servers:
    """Two portal servers (gunicorn, one worker each) on the test database, sharing the test
    process's Redis and cache namespace."""

    def __init__(self, tmp_path: Path):
        self.prefix = f"test-{uuid.uuid4().hex}"
        self.ports = [_free_port(), _free_port()]
        self.tmp_path = tmp_path
        self.processes = []

    def start(self):
        database = settings.DATABASES["default"]
        credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
        environment = {
            **{name: value for name, value in os.environ.items() if name != "PYTEST_CURRENT_TEST"},
            "DJANGO_SETTINGS_MODULE": "tests.security.token_server_settings",
            "TEST_CACHE_KEY_PREFIX": self.prefix,
            "DATABASE_URL": f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "DATA_CACHE_SECONDS": "60",
            "CONN_MAX_AGE": "0",  # no connection left open when the test database is flushed or dropped
            "SECRET_KEY": "token-cache-tests-only-0123456789abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "OTP_REQUIRED_ROLES": "",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        for port in self.ports:
            log = (self.tmp_path / f"server-{port}.log").open("w")
            command = [gunicorn, "ta_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
            command += ["--no-control-socket", "--log-level", "warning"]
            self.processes.append(
                subprocess.Popen(  # noqa: S603
                    command,
                    cwd=settings.BASE_DIR,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for port, process in zip(self.ports, self.processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    if call(port, "GET", "/healthz/", "")[0] == 200:
                        break
                except OSError:
                    pass
                log = (self.tmp_path / f"server-{port}.log").read_text()
                assert process.poll() is None and time.monotonic() < deadline, f"the server did not start:\n{log}"
                time.sleep(0.2)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    need(bool(settings.REDIS_URL), "Redis")
    need(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "PostgreSQL")
    started = Servers(tmp_path_factory.mktemp("token-servers"))
    try:
        started.start()
        yield started
    finally:
        started.stop()


@pytest.fixture
def shared(servers, transactional_db, settings):
    """The test process writes to the database the servers read (committed) and to their cache namespace."""
    settings.DATA_CACHE_SECONDS = 60
    settings.CACHES = {alias: {**config, "KEY_PREFIX": servers.prefix} for alias, config in settings.CACHES.items()}
    return servers


CROSS_PROCESS_ENDS = [
    "revoked by its user on the other server",
    "revoked by an administrator on the other server",
    "revoked here",
    "all revoked here",
    "a new password here",
    "deactivated here",
]


@pytest.mark.parametrize("path", CROSS_PROCESS_ENDS)
def test_a_token_ended_elsewhere_is_refused_at_once_by_a_server_that_had_it_cached(shared, path):
    first, other = shared.ports
    user = make_user("manager", "PE")
    _admin_token, admin_key = api_token_create(user=make_user("admin"))  # before: a new user moves the version
    EngagementFactory(country_id="PE")
    token, key = api_token_create(user=user)
    assert call(first, "GET", LIST, key)[0] == 200
    assert call(first, "GET", LIST, key)[0] == 200
    assert is_cached(token)  # the first server keeps it

    if path == "revoked by its user on the other server":
        assert call(other, "DELETE", "/api/v1/auth/token/", key)[0] == 204
    elif path == "revoked by an administrator on the other server":
        assert call(other, "DELETE", f"/api/v1/auth/tokens/{token.pk}/", admin_key)[0] == 204
    elif path == "revoked here":
        api_token_revoke(token=token, by=None)
    elif path == "all revoked here":
        api_tokens_revoke_all(user=user, by=None)
    elif path == "a new password here":
        user.set_password("a-fresh-passphrase-9")
        user.save()
    else:
        user.is_active = False
        user.save()

    assert call(first, "GET", LIST, key)[0] == 401
    assert call(other, "GET", LIST, key)[0] == 401


@pytest.mark.parametrize("change", ["role narrowed", "membership deleted"])
def test_a_removed_membership_shows_at_once_on_a_server_that_had_the_token_cached(shared, change):
    first, other = shared.ports
    user = make_user("manager", "PE", "CO")
    EngagementFactory(country_id="PE")
    EngagementFactory(country_id="CO")
    token, key = api_token_create(user=user)

    def countries(port):
        status, body = call(port, "GET", LIST, key)
        assert status == 200, body
        return {row["country"] for row in body["results"]}

    assert countries(first) == {"PE", "CO"}
    assert countries(first) == {"PE", "CO"}
    assert is_cached(token)

    if change == "role narrowed":
        user_set_role(user=user, role="manager", country_codes=["PE"])
    else:
        Membership.objects.get(user=user, country_id="CO").delete()

    assert countries(first) == {"PE"}
    assert countries(other) == {"PE"}
