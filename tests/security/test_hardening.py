"""Deployment hardening: Django's deploy checks, HTTPS-only cookies and HSTS in production, the
content security policy on every page, and sessions that end when left idle."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.template.loaders.app_directories import get_app_template_dirs
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user

pytestmark = pytest.mark.clock_sensitive

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.org",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/15",
        DJANGO_SETTINGS_MODULE="ta_portal.settings",
    )
    return env


def run_manage(tmp_path, *args, code=None, **extra_env):
    command = [sys.executable, "manage.py", *args] + (["-c", code] if code else [])
    return subprocess.run(
        command,
        check=False,
        cwd=ROOT,
        env={**production_env(tmp_path), **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_at_warning_level_in_production(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings
# Static files are not collected here; what is probed is the headers, not the assets.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client(SERVER_NAME="portal.example.org")
secure = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/", secure=False)
print(json.dumps({
    "otp_required_roles": settings.OTP_REQUIRED_ROLES,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csp": secure.get("Content-Security-Policy", ""),
    "frame": secure.get("X-Frame-Options", ""),
    "nosniff": secure.get("X-Content-Type-Options", ""),
    "csrf_cookie": secure.cookies["csrftoken"].output() if "csrftoken" in secure.cookies else "",
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
}))
"""


def test_production_sends_hsts_a_csp_and_secure_cookies_and_redirects_http(tmp_path):
    result = run_manage(tmp_path, "shell", code=PRODUCTION_PROBE)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["otp_required_roles"] == ["admin", "manager"]
    assert probe["session_cookie_secure"] and probe["csrf_cookie_secure"] and probe["session_cookie_httponly"]
    assert probe["status"] == 200
    assert "max-age=31536000" in probe["hsts"] and "includeSubDomains" in probe["hsts"]
    assert "frame-ancestors 'none'" in probe["csp"]
    assert probe["frame"] == "DENY" and probe["nosniff"] == "nosniff"
    assert "Secure" in probe["csrf_cookie"]
    assert probe["plain_status"] == 301 and probe["plain_location"].startswith("https://portal.example.org/")


FORWARDED_PROTO_PROBE = """
import json
from django.conf import settings
from django.test import Client, override_settings
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
claimed = Client(SERVER_NAME="portal.example.org").get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({"status": claimed.status_code}))
"""


@pytest.mark.parametrize(("proxies", "status"), [("0", 301), ("1", 200)])
def test_only_a_trusted_proxy_may_say_the_request_came_over_https(tmp_path, proxies, status):
    # given: a plain HTTP request that claims HTTPS in X-Forwarded-Proto
    # when: no proxy is trusted (clients connect directly), or one is
    result = run_manage(tmp_path, "shell", code=FORWARDED_PROTO_PROBE, TRUSTED_PROXY_COUNT=proxies)
    # then: without a trusted proxy the claim is ignored and the client is sent to HTTPS
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == status


# The content security policy


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/engagements/", "/api/docs/", "/admin/"])
def test_every_page_forbids_inline_scripts_and_framing(client, url):
    if url != "/accounts/login/":
        client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_nonce_is_fresh_per_response_and_matches_the_page(client):
    nonces = []
    for _ in range(2):
        response = client.get("/accounts/login/")
        nonce = next(s for s in policy(response)["script-src"] if s.startswith("'nonce-"))[7:-1]
        assert f'nonce="{nonce}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_the_swagger_ui_loads_its_start_up_script_as_a_file(client):
    client.force_login(make_user("viewer", "PE"))
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    start_up = next(re.search(r'src="([^"]+)"', a).group(1) for a, _ in scripts if "script" in a and "?" in a)
    response = client.get(start_up.replace("&amp;", "&"))
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


def _templates():
    dirs = [ROOT / "templates", *get_app_template_dirs("templates")]
    for directory in dirs:
        if Path(directory).is_relative_to(ROOT) and ".venv" not in Path(directory).parts:
            yield from Path(directory).rglob("*.html")


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_no_template_of_the_portal_has_inline_script():
    # The policy would block them in the browser; this names the template before anyone ships it.
    offenders = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {pattern.search(text).group(0)[:80]}")
    assert offenders == []


# Idle sessions


@pytest.mark.django_db
def test_a_session_expires_after_the_idle_time_and_activity_extends_it(client, settings):
    # given a session age of ten minutes
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(make_user("viewer", "PE"))
    assert client.get(reverse("home")).status_code == 200
    session = Session.objects.get()
    assert abs(session.expire_date - (timezone.now() + timedelta(seconds=600))) < timedelta(seconds=30)
    # when the session has five minutes left and the user makes a request, it has ten again
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(seconds=300))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 600
    assert Session.objects.get().expire_date > timezone.now() + timedelta(seconds=550)
    # when it is left idle past its age, the next request is sent to sign in
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_signing_out_ends_the_session_on_the_server(client):
    client.force_login(make_user("viewer", "PE"))
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
