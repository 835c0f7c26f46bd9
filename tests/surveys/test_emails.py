"""Invitations and reminders over a real SMTP server: each participant's language and personal link,
reminders only to those who have not answered, never twice, through a real Celery worker too."""

import time
from datetime import timedelta
from email.header import decode_header
from email.header import make_header

import pytest
from django.test import Client
from django.utils import timezone

from surveys import reminders
from surveys import services
from surveys.models import EmailKind
from surveys.models import Purpose
from surveys.models import SurveyEmail
from surveys.models import SurveyTemplate
from tests.factories import make_user
from tests.mailserver import body_of
from tests.surveys.factories import answer
from tests.surveys.factories import session_with_people

pytestmark = pytest.mark.clock_sensitive


def _session(days_ago: int, n: int = 3, language: str = "es"):
    today = timezone.localdate()
    session = session_with_people(
        n, start_date=today - timedelta(days=days_ago + 2), end_date=today - timedelta(days=days_ago)
    )
    session.language = language
    session.save()
    return session


def _create(session, *, opens_on, anonymous=True):
    return services.survey_create(
        session=session,
        purpose=Purpose.REACTION,
        template=SurveyTemplate.objects.get(purpose=Purpose.REACTION, is_default=True),
        anonymous=anonymous,
        opens_on=opens_on,
        by=None,
    )


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _link(message) -> str:
    return next(line for line in body_of(message).splitlines() if "/surveys/answer/" in line).strip()


@pytest.mark.django_db
def test_each_participant_is_invited_in_their_language_with_a_link_that_works(
    smtp, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    session = _session(days_ago=0, n=2, language="es")
    # one participant has an account in French
    french = session.enrolments.order_by("pk").first().person
    french.user = make_user("viewer", "PE", username="francoise", language="fr")
    french.save()
    with django_capture_on_commit_callbacks(execute=True):
        survey = _create(session, opens_on=timezone.localdate())
    by_address = {m["To"]: m for m in smtp.messages}
    assert len(smtp.messages) == 2
    assert by_address[french.email]["Content-Language"] == "fr"
    assert _subject(by_address[french.email]).startswith("Votre avis sur")
    other = next(m for address, m in by_address.items() if address != french.email)
    assert other["Content-Language"] == "es" and _subject(other).startswith("Su opinión sobre")
    # the link, as e-mailed, opens the survey in the participant's language
    link = _link(other)
    assert link.startswith("https://portal.example.org/surveys/answer/") and link.endswith("?lang=es")
    page = Client().get(link.removeprefix("https://portal.example.org"))
    assert page.status_code == 200 and '<html lang="es">' in page.content.decode()
    assert set(SurveyEmail.objects.values_list("status", flat=True)) == {SurveyEmail.Status.SENT}
    assert survey.invitations.count() == 2


@pytest.mark.django_db
def test_reminders_go_only_to_those_who_have_not_answered_and_never_twice(smtp, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    session = _session(days_ago=22, n=3)
    with django_capture_on_commit_callbacks(execute=True):
        survey = _create(session, opens_on=today - timedelta(days=21))
    assert len(smtp.messages) == 3  # the invitations
    first, second, third = survey.invitations.order_by("pk")
    answer(first, {"satisfaction": 4}, today=today)
    SurveyEmail.objects.update(created_at=timezone.now() - timedelta(days=21))  # invited three weeks ago
    # when: the daily run comes, twice
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.send_survey_emails(today=today)
    # then: the last reminder went once to each of the two who have not answered
    reminded = sorted(m["To"] for m in smtp.messages[3:])
    assert reminded == sorted([second.email, third.email])
    assert all(_subject(m).startswith("Último recordatorio") for m in smtp.messages[3:])
    claims = SurveyEmail.objects.filter(kind=EmailKind.LAST_CALL)
    assert sorted(claims.values_list("invitation_id", flat=True)) == [second.pk, third.pk]
    # and one who answers after the reminder was claimed but before it was sent is skipped
    SurveyEmail.objects.filter(kind=EmailKind.LAST_CALL).delete()
    reminders.send_survey_emails(today=today)  # claimed, not yet sent (no commit callbacks run)
    answer(second, {"satisfaction": 5}, today=today)
    reminders.OUTBOX.deliver(list(SurveyEmail.objects.filter(kind=EmailKind.LAST_CALL).values_list("pk", flat=True)))
    assert [m["To"] for m in smtp.messages[5:]] == [third.email]
    skipped = SurveyEmail.objects.get(kind=EmailKind.LAST_CALL, invitation=second)
    assert skipped.status == SurveyEmail.Status.SKIPPED


@pytest.mark.django_db
def test_no_reminder_on_the_day_of_the_invitation_nor_before_the_first_reminder_day(
    smtp, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    session = _session(days_ago=10, n=1)
    with django_capture_on_commit_callbacks(execute=True):
        _create(session, opens_on=today - timedelta(days=8))  # a late survey: invited today
    assert [m["X-Survey-Email"] for m in smtp.messages] == ["invitation"]
    SurveyEmail.objects.update(created_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_survey_emails(today=today)
    assert [m["X-Survey-Email"] for m in smtp.messages] == ["invitation", "reminder"]


@pytest.mark.services
def test_a_real_worker_sends_the_invitations(celery_worker, smtp):
    today = timezone.localdate()
    session = _session(days_ago=0, n=2)
    _create(session, opens_on=today)
    deadline = time.monotonic() + 20
    while len(smtp.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(m["To"] for m in smtp.messages) == sorted(session.enrolments.values_list("person__email", flat=True))
    deadline = time.monotonic() + 5
    while SurveyEmail.objects.exclude(status=SurveyEmail.Status.SENT).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(SurveyEmail.objects.values_list("status", "attempts")) == {(SurveyEmail.Status.SENT, 1)}
