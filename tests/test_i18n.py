"""Languages: the switcher, the user's preferred language, and the Spanish catalogue in use."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from tests.conftest import need
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def compiled():
    """Compile the catalogue, as `make run` and `make test` do, unless it is already up to date: under
    pytest-xdist another worker may be reading it (after `make test`'s own compilation it always is)."""
    need(shutil.which("msgfmt") is not None, "msgfmt (Debian package `gettext`)")
    po = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["es"], ignore_patterns=[".venv/*"], verbosity=0)


@pytest.fixture
def catalogue(compiled, settings):
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # the change signal drops cached translations


def heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def test_a_user_who_prefers_spanish_gets_spanish_pages(client, catalogue):
    client.force_login(make_user("manager", "PE", language="es"))
    response = client.get(reverse("engagements:list"))
    assert heading(response) == "Intervenciones"
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Nueva intervención" in html
    assert "Cerrar sesión" in html


def test_the_browser_language_applies_before_signing_in(client, catalogue):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="es")
    assert heading(response) == "Iniciar sesión"
    assert heading(client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")) == "Sign in"


def test_the_switcher_changes_the_language_and_remembers_it_for_the_user(client, catalogue):
    user = make_user("viewer", "PE")
    client.force_login(user)
    response = client.post(reverse("accounts:set_language"), {"language": "es", "next": "/engagements/"})
    assert response.status_code == 302
    assert response["Location"] == "/engagements/"
    user.refresh_from_db()
    assert user.language == "es"
    # the preference wins over the browser's, on another device too
    other_device = client.__class__()
    other_device.force_login(user)
    assert heading(other_device.get(reverse("engagements:list"), HTTP_ACCEPT_LANGUAGE="en")) == "Intervenciones"


def test_an_unknown_language_is_ignored(client, catalogue):
    user = make_user("viewer", "PE")
    client.force_login(user)
    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).language == ""


def test_errors_are_translated_too(client, catalogue):
    client.force_login(make_user("manager", "PE", language="es"))
    response = client.post(
        reverse("engagements:create"), {"country": "CO", "title": "x", "phase": "planning", "start_date": "2026-01-01"}
    )
    assert "No puede añadir ni trasladar registros a este país." in response.content.decode()
    api = client.post("/api/v1/engagements/", {"country": "PE"}, content_type="application/json")
    assert api.json()["title"] == ["Este campo es obligatorio."]


def test_the_password_reset_e_mail_is_in_the_recipients_language(
    client, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("counterpart", "PE", email="rosa@example.org", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "rosa@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert mailoutbox[0].subject == "Restablezca su contraseña del Portal de AT"
    assert "Elija una contraseña nueva aquí:" in mailoutbox[0].body
