"""docker-compose.yml runs the portal as the application role and migrates as the owner (README, "Security")."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"
APP_ROLE = "portal_app"
RUNTIME = ["web", "worker", "pdf-worker", "beat"]


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def database_user(service: dict) -> str:
    return urlsplit(service["environment"]["DATABASE_URL"]).username


def command(service: dict) -> str:
    value = service["command"]
    return value if isinstance(value, str) else " ".join(value)


@pytest.mark.parametrize("name", RUNTIME)
def test_the_web_server_and_workers_connect_as_the_application_role(services, name):
    service = services[name]
    assert database_user(service) == APP_ROLE
    # They start on a migrated schema whose grants are in place, and never migrate themselves.
    assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "migrate" not in command(service)


def test_the_migration_runs_as_the_owner_and_grants_the_application_role(services):
    migrate = services["migrate"]
    owner = services["db"]["environment"]["POSTGRES_USER"]
    assert database_user(migrate) == owner != APP_ROLE
    assert migrate["environment"]["DATABASE_APP_ROLE"] == APP_ROLE
    steps = [step.strip() for step in command(migrate).removeprefix("sh -c").strip(' "\n').split("&&")]
    assert steps == [
        "python manage.py migrate --noinput",
        f"python manage.py grant_app_role {APP_ROLE} --password-env PORTAL_APP_PASSWORD",
    ]
    # The password the role is given is the one the others sign in with.
    app_password = urlsplit(services["web"]["environment"]["DATABASE_URL"]).password
    assert migrate["environment"]["PORTAL_APP_PASSWORD"] == app_password
