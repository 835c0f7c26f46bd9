"""E-mail goes out through a Celery task over real SMTP (aiosmtpd on loopback), retried when the
server refuses, and the password-reset message is written in the recipient's language."""

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from accounts.tasks import send_email
from tests.factories import make_user


class Inbox:
    """An SMTP handler that refuses the first ``refuse`` messages (451), then keeps the rest."""

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.attempts = 0
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refuse:
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(request, settings):
    inbox = Inbox(refuse=getattr(request, "param", 0))
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.mark.services
def test_a_real_worker_sends_the_e_mail_over_smtp(celery_worker, smtp):
    result = send_email.delay(subject="Hola", body="Cuerpo del mensaje", to=["ana@example.org"])
    result.get(timeout=20)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert (message["Subject"], message["To"]) == ("Hola", "ana@example.org")
    assert "Cuerpo del mensaje" in message.get_payload(decode=True).decode()


@pytest.mark.services
@pytest.mark.parametrize("smtp", [2], indirect=True)
def test_a_refusing_server_is_retried_until_it_accepts(celery_worker, smtp, monkeypatch):
    monkeypatch.setattr(send_email, "default_retry_delay", 0.1)  # seconds, instead of 30
    result = send_email.delay(subject="Retry", body="x", to=["ana@example.org"])
    result.get(timeout=20)
    assert smtp.attempts == 3
    assert [m["Subject"] for m in smtp.messages] == ["Retry"]


def test_in_process_a_refused_message_fails_at_once_without_retrying(db, smtp, settings):
    # With no broker (development), the error surfaces to the caller instead of looping here.
    smtp.refuse = 99
    with pytest.raises(Exception, match="Try again later"):
        send_email.delay(subject="Now", body="x", to=["ana@example.org"])
    assert smtp.attempts == 1


def test_the_reset_page_still_answers_when_the_mail_server_is_down(
    client, db, settings, caplog, django_capture_on_commit_callbacks
):
    make_user("viewer", "PE", username="ana", email="ana@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": "ana@example.org"}, follow=True)
    assert len(callbacks) == 1
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "Failed to send the password reset e-mail" in caplog.text
