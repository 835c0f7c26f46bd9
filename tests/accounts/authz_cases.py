"""Account pages and endpoints: the same for every role (they show only the caller's own data)."""

from django.urls import reverse

from tests.authz import Case
from tests.authz import same
from tests.factories import PASSWORD

EVERYONE = {role: same(200) for role in ("admin", "manager", "trainer", "counterpart", "viewer")}

# Routes that show or change no country's data: signing in and out, passwords, the language.
NOT_COUNTRY_DATA = {
    "accounts:login",
    "accounts:logout",
    "accounts:set_language",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # A signed link that changes the caller's own address: it names no object (tests/accounts/test_auth.py).
    "accounts:email_confirm",
}

CASES = [
    Case("profile page", "accounts:profile", "GET", lambda w, s: reverse("accounts:profile"), EVERYONE),
    Case("API who am I", "api-me", "GET", lambda w, s: "/api/v1/me/", EVERYONE, api=True),
    # Anyone may exchange valid credentials for a token, signed in or not.
    Case(
        "API token",
        "api-token",
        "POST",
        lambda w, s: "/api/v1/auth/token/",
        EVERYONE,
        api=True,
        anonymous=200,
        data=lambda w, s: {"username": w.users["viewer"].username, "password": PASSWORD},
    ),
    # Signing out of the API revokes the token the request was made with; a session has none (400).
    Case(
        "API token revoked",
        "api-token",
        "DELETE",
        lambda w, s: "/api/v1/auth/token/",
        {role: same(400) for role in EVERYONE},
        api=True,
    ),
]
