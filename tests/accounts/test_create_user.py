"""`manage.py create_user`: how operators script accounts."""

from io import StringIO

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from accounts.models import User
from accounts.scoping import role_countries
from tests.factories import make_user

PASSWORD = "a-long-operator-password"


def run(*args, password: str | None = PASSWORD, monkeypatch) -> str:
    if password is None:
        monkeypatch.delenv("TA_PORTAL_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("TA_PORTAL_PASSWORD", password)
    out = StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def scopes(username: str) -> dict[str, object]:
    user = User.objects.get(username=username)
    return {
        role: ("*" if scope.everywhere else sorted(scope.countries)) for role, scope in role_countries(user).items()
    }


@pytest.mark.django_db
def test_it_creates_a_user_with_role_countries_e_mail_and_the_password_from_the_environment(monkeypatch):
    out = run(
        "ana",
        "--role",
        "manager",
        "--country",
        "pe",
        "--country",
        "CO",
        "--email",
        "ana@example.org",
        monkeypatch=monkeypatch,
    )
    user = User.objects.get(username="ana")
    assert user.check_password(PASSWORD)
    assert user.email == "ana@example.org"
    assert not user.is_staff
    assert scopes("ana") == {"manager": ["CO", "PE"]}
    assert "Created ana: manager (CO, PE)" in out


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(monkeypatch):
    args = ("ana", "--role", "counterpart", "--country", "PE")
    run(*args, monkeypatch=monkeypatch)
    first = list(User.objects.get(username="ana").memberships.values_list("pk", "role", "country_id"))
    out = run(*args, monkeypatch=monkeypatch)
    assert list(User.objects.get(username="ana").memberships.values_list("pk", "role", "country_id")) == first
    assert User.objects.filter(username="ana").count() == 1
    assert "Updated ana" in out


@pytest.mark.django_db
def test_running_it_again_replaces_role_and_countries(monkeypatch):
    run("ana", "--role", "manager", "--country", "PE", "--country", "CO", monkeypatch=monkeypatch)
    run("ana", "--role", "viewer", "--country", "BO", monkeypatch=monkeypatch)
    assert scopes("ana") == {"viewer": ["BO"]}


@pytest.mark.django_db
def test_without_country_the_role_is_global(monkeypatch):
    run("gm", "--role", "manager", monkeypatch=monkeypatch)
    assert scopes("gm") == {"manager": "*"}


@pytest.mark.django_db
def test_an_administrator_gets_the_admin_site_and_loses_it_when_demoted(monkeypatch):
    run("boss", "--role", "admin", monkeypatch=monkeypatch)
    boss = User.objects.get(username="boss")
    assert boss.is_staff and boss.is_superuser
    run("boss", "--role", "viewer", monkeypatch=monkeypatch)
    boss.refresh_from_db()
    assert not boss.is_staff and not boss.is_superuser


@pytest.mark.django_db
def test_updating_without_the_variable_keeps_the_password(monkeypatch):
    make_user("manager", "PE", username="kept")
    run("kept", "--role", "manager", "--country", "EC", password=None, monkeypatch=monkeypatch)
    user = User.objects.get(username="kept")
    assert user.check_password("correct-horse-battery")
    assert scopes("kept") == {"manager": ["EC"]}


@pytest.mark.django_db
def test_a_new_user_without_the_variable_is_refused(monkeypatch):
    with pytest.raises(CommandError, match="TA_PORTAL_PASSWORD"):
        run("nobody", "--role", "viewer", password=None, monkeypatch=monkeypatch)
    assert not User.objects.filter(username="nobody").exists()


@pytest.mark.django_db
def test_the_password_cannot_be_given_on_the_command_line(monkeypatch):
    with pytest.raises(CommandError, match="unrecognized arguments"):
        run("ana", "--role", "viewer", "--password", "secret-on-argv", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ana", "--role", "manager", "--country", "XX", "--country", "PE"), "Unknown country code"),
        (("ana", "--role", "admin", "--country", "PE"), "leave out --country"),
        (("ana", "--role", "manager", "--email", "not-an-address"), "Not a valid e-mail"),
        (("  ", "--role", "manager"), "must not be empty"),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(args, message, monkeypatch):
    with pytest.raises(CommandError, match=message):
        run(*args, monkeypatch=monkeypatch)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_unknown_role_is_refused(monkeypatch):
    with pytest.raises(CommandError, match="invalid choice"):
        run("ana", "--role", "superhero", monkeypatch=monkeypatch)


@pytest.mark.django_db
def test_a_weak_password_is_refused(monkeypatch):
    with pytest.raises(CommandError, match="too short"):
        run("ana", "--role", "viewer", password="short", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="ana").exists()
