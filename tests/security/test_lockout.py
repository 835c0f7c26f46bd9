"""Brute force: a (username, address) pair locks after repeated failures; the victim elsewhere does not."""

import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import FailedLogin
from tests.factories import PASSWORD
from tests.factories import make_user

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"


@pytest.fixture
def victim(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    return make_user("manager", "PE", username="maria")


def sign_in(client, password, ip, username="maria", **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_an_attacker_locks_only_themselves_and_the_victim_signs_in_from_elsewhere(victim, client):
    # given the attacker has failed three times from their address
    for _ in range(3):
        assert not signed_in(sign_in(client, "guess", ATTACKER))
    # when they then try the right password from that address
    locked = sign_in(client, PASSWORD, ATTACKER)
    # then they are refused, and told why
    assert not signed_in(locked)
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # and the victim, from their own address, signs in with their password
    assert signed_in(sign_in(client.__class__(), PASSWORD, VICTIM))


def test_the_lock_is_recorded_as_such(victim, client):
    for _ in range(4):
        sign_in(client, "guess", ATTACKER)
    reasons = list(FailedLogin.objects.order_by("id").values_list("reason", flat=True))
    assert reasons == ["bad_credentials"] * 3 + ["locked"]


def test_a_successful_sign_in_forgets_earlier_failures(victim, client):
    for _ in range(2):
        sign_in(client, "guess", VICTIM)
    assert signed_in(sign_in(client, PASSWORD, VICTIM))
    client.logout()
    for _ in range(2):
        sign_in(client, "guess", VICTIM)
    assert signed_in(sign_in(client, PASSWORD, VICTIM))


def test_the_lock_ends_after_its_period(victim, client, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(3):
        sign_in(client, "guess", ATTACKER)
    assert not signed_in(sign_in(client, PASSWORD, ATTACKER))
    time.sleep(1.2)
    assert signed_in(sign_in(client, PASSWORD, ATTACKER))


def test_the_username_is_locked_whatever_its_case(victim, client):
    for username in ("maria", "MARIA", "Maria"):
        sign_in(client, "guess", ATTACKER, username=username)
    assert not signed_in(sign_in(client, PASSWORD, ATTACKER))


def test_a_forged_forwarded_header_does_not_help_the_attacker(victim, client):
    # With no trusted proxy, X-Forwarded-For is the client's own claim and is ignored.
    for n in range(3):
        sign_in(client, "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert not signed_in(sign_in(client, PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(victim, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    for _ in range(3):
        sign_in(client, "guess", proxy, HTTP_X_FORWARDED_FOR=f"spoofed, {ATTACKER}")
    assert not signed_in(sign_in(client, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER))
    # Everyone else behind the same proxy is unaffected.
    assert signed_in(sign_in(client.__class__(), PASSWORD, proxy, HTTP_X_FORWARDED_FOR=VICTIM))


def test_ipv6_addresses_of_one_network_share_a_counter(victim, client):
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"):
        sign_in(client, "guess", host)
    assert not signed_in(sign_in(client, PASSWORD, "2001:db8:1:2::4"))
    assert signed_in(sign_in(client.__class__(), PASSWORD, "2001:db8:1:3::1"))


def test_the_admin_sign_in_is_protected_too(victim, client):
    victim.is_staff = True
    victim.save()
    for _ in range(3):
        client.post(reverse("admin:login"), {"username": "maria", "password": "guess"}, REMOTE_ADDR=ATTACKER)
    response = client.post(
        reverse("admin:login"), {"username": "maria", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 200  # the form again: not signed in
    assert "_auth_user_id" not in client.session


# The API token endpoint


def ask_token(ip, password, username="maria"):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_the_token_endpoint_locks_the_pair_and_not_the_victim(victim):
    assert [ask_token(ATTACKER, "guess").status_code for _ in range(3)] == [400, 400, 429]
    locked = ask_token(ATTACKER, PASSWORD)
    assert locked.status_code == 429
    assert "token" not in locked.json()
    assert ask_token(VICTIM, PASSWORD).status_code == 200


def test_failures_on_the_page_and_the_api_add_up(victim, client):
    sign_in(client, "guess", ATTACKER)
    ask_token(ATTACKER, "guess")
    sign_in(client, "guess", ATTACKER)
    assert ask_token(ATTACKER, PASSWORD).status_code == 429
