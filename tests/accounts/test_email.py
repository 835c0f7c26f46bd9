"""E-mail goes out through a Celery task over real SMTP (aiosmtpd on loopback), retried when the
server refuses, and the password-reset message is written in the recipient's language."""

import pytest
from django.urls import reverse

from accounts.tasks import send_email
from tests.factories import make_user
from tests.mailserver import free_port


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
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": "ana@example.org"}, follow=True)
    assert len(callbacks) == 1
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "Failed to send the password reset e-mail" in caplog.text
