"""Signing in and out, and choosing a new password through a link sent by e-mail."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD
from tests.factories import make_user

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria", email="maria@example.org")


def test_a_user_signs_in_and_lands_on_the_home_page(client, manager):
    response = client.post(reverse("accounts:login"), {"username": "maria", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "maria" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, manager):
    response = client.post(reverse("accounts:login"), {"username": "maria", "password": "wrong-password"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_returns_to_the_page_asked_for(client, manager):
    response = client.post(
        reverse("accounts:login"), {"username": "maria", "password": PASSWORD, "next": "/engagements/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/engagements/"


def test_signing_in_never_redirects_to_another_site(client, manager):
    response = client.post(
        reverse("accounts:login"), {"username": "maria", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_pages_ask_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/engagements/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_signing_out_ends_the_session(client, manager):
    client.force_login(manager)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/engagements/").status_code == 302


def test_a_forgotten_password_is_replaced_through_the_e_mailed_link(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    # given: the user asks for a reset (the e-mail task is dispatched once the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "MARIA@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    # then: one e-mail with a link to this portal
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["maria@example.org"]
    assert message.subject == "Reset your TA Portal password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    # when: they follow the link and choose a new password
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    # then: the new password works, the old does not, and the link is spent
    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    manager.refresh_from_db()
    assert manager.check_password(NEW_PASSWORD)
    assert not manager.check_password(PASSWORD)
    assert "no longer valid" in client.get(link, follow=True).content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_a_reset_with_a_malformed_address_is_a_clear_error(client, manager, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert mailoutbox == []


def test_a_tampered_reset_link_is_refused(client, manager):
    response = client.get("/accounts/password/reset/MQ/bad-token/", follow=True)
    assert "no longer valid" in response.content.decode()


def test_the_new_password_must_pass_the_rules(client, manager, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "maria@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in response.content.decode()
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_a_signed_in_user_changes_their_password(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=manager.pk).check_password(NEW_PASSWORD)


def test_the_profile_saves_name_and_language(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "María", "last_name": "Gestora", "email": "maria@example.org", "language": "es"},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert (manager.first_name, manager.language) == ("María", "es")


# ---- Changing the e-mail address: the password, then a link to the new mailbox -------------------


def change_email(client, email, password=""):
    return client.post(
        reverse("accounts:profile"),
        {"first_name": "María", "last_name": "", "email": email, "current_password": password, "language": "en"},
    )


def test_a_new_e_mail_address_needs_the_current_password(client, manager, mailoutbox):
    client.force_login(manager)
    for password in ("", "not-the-password"):
        response = change_email(client, "thief@example.net", password)
        assert response.status_code == 200
        assert "Your current password is needed to change your e-mail address." in response.content.decode()
    manager.refresh_from_db()
    assert (manager.email, manager.first_name) == ("maria@example.org", "")
    assert mailoutbox == []


def test_a_new_e_mail_address_takes_effect_only_through_the_link_sent_to_it(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    # when: the password is given with the new address
    with django_capture_on_commit_callbacks(execute=True):
        response = change_email(client, "maria.new@example.org", PASSWORD)
    # then: the address is unchanged yet; the new one gets a link, the old one a warning
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.email == "maria@example.org" and manager.first_name == "María"
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"maria.new@example.org", "maria@example.org"}
    assert "If it was not you, change your password now" in by_address["maria@example.org"].body
    assert "/accounts/profile/email/" not in by_address["maria@example.org"].body
    link = re.search(r"https?://[^/\s]+(/accounts/profile/email/\S+/)", by_address["maria.new@example.org"].body).group(1)
    # when: the link is followed (signed in)
    client.get(link)
    # then: the address changed, and the same link does nothing a second time
    manager.refresh_from_db()
    assert manager.email == "maria.new@example.org"
    again = client.get(link, follow=True)
    assert "This link is not valid any more" in again.content.decode()


def test_an_e_mail_change_link_works_only_for_its_own_user(
    client, manager, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        change_email(client, "maria.new@example.org", PASSWORD)
    link = re.search(r"(/accounts/profile/email/\S+/)", mailoutbox[0].body).group(1)
    other = make_user("viewer", "PE", username="otro", email="otro@example.org")
    client.force_login(other)
    client.get(link)
    other.refresh_from_db()
    manager.refresh_from_db()
    assert (other.email, manager.email) == ("otro@example.org", "maria@example.org")


def test_the_profile_refuses_a_bad_e_mail_and_saves_nothing(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "X", "last_name": "", "email": "nope", "language": ""}
    )
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    manager.refresh_from_db()
    assert manager.first_name == ""


# ---- Password-reset requests are throttled -------------------------------------------------------


def ask_reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_seven_reset_requests_for_one_address_mail_only_the_first_three(
    client, manager, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    # when: seven requests in a row for one address, from seven different networks
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask_reset(client, "maria@example.org", ip=f"198.51.100.{n}") for n in range(7)]
    # then: every page reads the same (it reveals nothing), three e-mails went out
    assert [a.status_code for a in answers] == [302] * 7
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}
    assert len(mailoutbox) == 3


def test_a_client_network_over_its_limit_is_refused_with_a_message_and_nothing_is_mailed(
    client, manager, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 4
    # given: one client asks for four resets of unknown addresses
    for n in range(4):
        assert ask_reset(client, f"nobody{n}@example.org").status_code == 302
    # when: it asks a fifth time, for a real account
    with django_capture_on_commit_callbacks(execute=True):
        refused = ask_reset(client, "maria@example.org")
    # then: the page says why, and no e-mail leaves
    assert refused.status_code == 200
    assert "Too many password reset requests from your network" in refused.content.decode()
    assert mailoutbox == []
    # and: another network is not affected
    with django_capture_on_commit_callbacks(execute=True):
        assert ask_reset(client, "maria@example.org", ip="192.0.2.55").status_code == 302
    assert len(mailoutbox) == 1
