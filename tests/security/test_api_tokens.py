"""API tokens: issued per request, stored as digests, expiring, revocable by their owner and admins."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accounts.apitokens import ApiToken
from accounts.apitokens import api_token_create
from tests.factories import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def viewer(db):
    return make_user("viewer", "PE", username="vera")


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_endpoint_keeps_its_contract_and_says_when_the_token_expires(viewer, settings):
    settings.API_TOKEN_TTL = timedelta(hours=2)
    response = APIClient().post("/api/v1/auth/token/", {"username": "vera", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    expires = parse_datetime(body["expires"])
    assert abs((expires - timezone.now()) - timedelta(hours=2)) < timedelta(minutes=1)
    assert with_token(body["token"]).get("/api/v1/me/").json()["username"] == "vera"


def test_the_database_never_holds_the_key(viewer):
    _token, key = api_token_create(user=viewer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert rows and not any(key in str(value) for row in rows for value in row)


def test_an_expired_token_is_refused(viewer):
    token, key = api_token_create(user=viewer)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_token(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_user_revokes_the_token_they_are_using(viewer):
    _token, key = api_token_create(user=viewer)
    client = with_token(key)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_revoking_needs_a_token_not_a_session(viewer):
    client = APIClient()
    client.force_login(viewer)
    assert client.delete("/api/v1/auth/token/").status_code == 400
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401


def test_a_user_lists_and_revokes_only_their_own_tokens(viewer):
    mine, key = api_token_create(user=viewer, name="my script")
    theirs, their_key = api_token_create(user=make_user("counterpart", "PE"), name="their script")
    client = with_token(key)
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [mine.pk]
    assert "digest" not in listed[0] and "key" not in listed[0]
    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert with_token(their_key).get("/api/v1/me/").status_code == 200


def test_an_admin_revokes_anyones_token(viewer):
    token, key = api_token_create(user=viewer)
    admin = APIClient()
    admin.force_login(make_user("admin"))
    assert [t["id"] for t in admin.get(f"/api/v1/auth/tokens/?user={viewer.pk}").json()["results"]] == [token.pk]
    assert admin.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert with_token(key).get("/api/v1/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_bad_user_filter_is_a_400_not_a_500(viewer):
    admin = APIClient()
    admin.force_login(make_user("admin"))
    response = admin.get("/api/v1/auth/tokens/?user=abc")
    assert response.status_code == 400 and "user" in response.json()


def test_a_new_password_ends_every_token(viewer, client):
    _token, key = api_token_create(user=viewer)
    client.force_login(viewer)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-fresh-passphrase-9", "new_password2": "a-fresh-passphrase-9"},
    )
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_a_deactivated_user_loses_api_access(viewer):
    _token, key = api_token_create(user=viewer)
    viewer.is_active = False
    viewer.save()
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_the_security_page_lists_and_revokes_tokens(viewer, client):
    first, first_key = api_token_create(user=viewer, name="nightly export")
    _second, second_key = api_token_create(user=viewer, name="dashboard")
    client.force_login(viewer)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "nightly export" in page and first.prefix in page and first_key not in page
    client.post(reverse("accounts:token_revoke", args=[first.pk]))
    assert with_token(first_key).get("/api/v1/me/").status_code == 401
    assert with_token(second_key).get("/api/v1/me/").status_code == 200
    client.post(reverse("accounts:tokens_revoke_all"))
    assert with_token(second_key).get("/api/v1/me/").status_code == 401


def test_a_garbage_token_header_is_a_401(db):
    for header in ("Token", "Token a b", "Token \u00e9\u00e9", "Token " + "x" * 5000):
        response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_bad_token_requests_are_400s(db):
    for body in ({}, {"username": "x" * 500, "password": "y"}, {"username": ["a"], "password": {"b": 1}}):
        assert APIClient().post("/api/v1/auth/token/", body, format="json").status_code == 400
