"""E-mails are written in each recipient's language (their preference), whoever triggers them:
follow-up reminders with the country name and the dates of that language, and password resets."""

from datetime import date
from datetime import timedelta

import pytest
from django.core import mail

from accounts.roles import Role
from followups import reminders
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

DAY0 = date(2026, 3, 2)
DUE = DAY0 + timedelta(days=30)  # 1 April 2026


def test_follow_up_reminders_reach_each_counterpart_in_their_own_language(settings, django_capture_on_commit_callbacks):
    # given: three counterparts of Peru who work in French, Portuguese and Spanish
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = [3]
    for name, language in (("fabienne", "fr"), ("paulo", "pt"), ("sofia", "es")):
        make_user(Role.COUNTERPART, "PE", username=name, email=f"{name}@example.org", language=language)
    engagement = other_engagement("PE", title="Peru follow-up")
    make_measure(engagement, title="Adopt the inspection plan")
    open_round(engagement, opens_on=DAY0, due_date=DUE)

    # when: the daily job sends the reminders three days before the due date
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))

    # then: each reads it in their language, with the country and the date written that way
    sent = {message.to[0]: message for message in mail.outbox}
    french, portuguese, spanish = sent["fabienne@example.org"], sent["paulo@example.org"], sent["sofia@example.org"]
    assert french.extra_headers["Content-Language"] == "fr"
    assert "Rappel : mise à jour de suivi pour Peru follow-up attendue le 1 avril 2026" in french.subject
    assert "« Peru follow-up » (Pérou)" in french.body
    assert "Lembrete: a atualização de acompanhamento de Peru follow-up vence em 1 de Abril de 2026" in portuguese.subject
    assert "“Peru follow-up” (Peru)" in portuguese.body
    assert "(Perú)" in spanish.body and "1 de abril de 2026" in spanish.body


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("pt", "Redefina sua senha do Portal de AT", "Escolha uma nova senha aqui:"),
        ("fr", "Réinitialisez votre mot de passe du Portail d'AT", "Choisissez un nouveau mot de passe ici\u00a0:"),
    ],
)
def test_the_password_reset_e_mail_follows_the_account_not_the_page(
    client, django_capture_on_commit_callbacks, language, subject, phrase
):
    make_user(Role.VIEWER, "PE", username="reader", email="reader@example.org", language=language)
    # the request comes from an English browser; the e-mail follows the account's language
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "reader@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    [message] = mail.outbox
    assert message.subject == subject
    assert phrase in message.body
