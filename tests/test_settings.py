"""Settings come from the environment only: production refuses to start without SECRET_KEY, and the
production environment documented in the README passes Django's deployment checklist."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with only these variables (no DEBUG, no test runner)."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python(f"import sys; sys.argv = ['manage.py', *{list(args)!r}]; exec(open('manage.py').read())", **env)


def readme_production_environment() -> dict[str, str]:
    """The variables of the production example in the README, with a real key in place of the command."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"passes `manage.py check --deploy --fail-level WARNING`:\n\n```sh\n(.*?)```", text, re.S).group(1)
    env = dict(re.findall(r"(\b[A-Z_]+)=(\"\$\(.*?\)\"|\S+)", block))
    assert env.pop("SECRET_KEY").startswith('"$(python'), "the README generates the key"
    env["SECRET_KEY"] = "k" * 10 + "Xy7!" * 12  # long and varied, as secrets.token_urlsafe(50) gives
    return env


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DJANGO_SETTINGS_MODULE="ta_portal.settings", DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_debug_off_is_the_default():
    result = run_python("import django; django.setup()", DJANGO_SETTINGS_MODULE="ta_portal.settings")
    assert "SECRET_KEY is not set" in result.stderr


def test_development_runs_with_nothing_set():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="ta_portal.settings", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_services_are_used_when_configured():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.EMAIL_BACKEND, "
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="ta_portal.settings",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL="postgres://portal:secret@db:5432/portal",
        REDIS_URL="redis://redis:6379/0",
        EMAIL_URL="smtp+tls://user:pw@smtp.example.org:587",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "redis://redis:6379/0",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
    ]


def test_an_email_url_option_that_would_be_ignored_is_an_error():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="ta_portal.settings",
        DEBUG="1",
        EMAIL_URL="smtp://user:pw@smtp.example.org:587/?tls=True",
    )
    assert result.returncode != 0
    assert "EMAIL_URL has options that are not understood: TLS" in result.stderr


def test_the_readme_production_environment_passes_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **readme_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"SECRET_KEY": "change-me"}, "security.W009"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
    ],
)
def test_the_checklist_catches_a_weakened_production_environment(change, warning):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **{**readme_production_environment(), **change})
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr
