"""The e-mail digest: one per user and period, in the user's language, of what they have neither
read nor received by e-mail yet; never twice, however often the job runs. Sent over real SMTP on
loopback; the last tests go through a real Celery worker."""

import time
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import Role
from notifications import digest
from notifications.models import DigestEmail
from notifications.models import Notification
from notifications.models import NotificationPreference
from tests.factories import make_user
from tests.mailserver import body_of

MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://portal.example.org"
    return settings


def person(username, *, digest_choice, language="en", **extra):
    user = make_user(
        Role.COUNTERPART, "PE", username=username, email=f"{username}@example.org", language=language, **extra
    )
    NotificationPreference.objects.create(user=user, digest=digest_choice)
    return user


def notification(user, *, measure, at, read=False):
    return Notification.objects.create(
        recipient=user,
        kind="followups.report_accepted",
        params={"measure": measure},
        url="/followups/updates/1/",
        created_at=at,
        read_at=at if read else None,
    )


def run(day, capture):
    with capture(execute=True):
        return digest.send_notification_digests(today=day)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.mark.django_db
def test_a_daily_digest_lists_the_day_s_unread_news_once_in_the_reader_s_language(
    site, smtp, django_capture_on_commit_callbacks
):
    # given: Ana (Spanish, daily) with two unread notifications and one read; Ben chose no e-mail
    ana = person("ana", digest_choice="daily", language="es")
    ben = person("ben", digest_choice="none")
    notification(ana, measure="Plan A", at=at(MONDAY))
    notification(ana, measure="Plan B", at=at(MONDAY, 15))
    notification(ana, measure="Already read", at=at(MONDAY), read=True)
    notification(ben, measure="Ben's", at=at(MONDAY))
    # when: the Tuesday run, twice
    first = run(TUESDAY, django_capture_on_commit_callbacks)
    second = run(TUESDAY, django_capture_on_commit_callbacks)
    # then: one e-mail, to Ana, in Spanish, with both news and their links
    assert (first["claimed"], second["claimed"]) == (1, 0)
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]
    message = smtp.messages[0]
    assert message["Content-Language"] == "es"
    assert message["Subject"] == "Portal de AT: 2 notificaciones nuevas"
    body = body_of(message)
    assert "Su informe sobre «Plan B» fue aceptado." in body and "«Plan A»" in body
    assert "Already read" not in body
    assert "https://portal.example.org/followups/updates/1/" in body
    row = DigestEmail.objects.get()
    assert (row.status, row.attempts, row.frequency, row.period_start) == ("sent", 1, "daily", TUESDAY)
    assert Notification.objects.filter(digest=row).count() == 2


@pytest.mark.django_db
def test_the_next_day_s_digest_has_only_what_was_not_e_mailed(site, smtp, django_capture_on_commit_callbacks):
    ana = person("ana", digest_choice="daily")
    notification(ana, measure="Monday's", at=at(MONDAY))
    run(TUESDAY, django_capture_on_commit_callbacks)
    notification(ana, measure="Tuesday's", at=at(TUESDAY, 12))
    run(WEDNESDAY, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 2
    second = body_of(smtp.messages[1])
    assert "Tuesday's" in second and "Monday's" not in second
    assert smtp.messages[1]["Subject"] == "TA Portal: 1 new notification"


@pytest.mark.django_db
def test_nothing_new_sends_nothing_and_old_news_is_not_sent_to_a_new_subscriber(
    site, smtp, django_capture_on_commit_callbacks
):
    ana = person("ana", digest_choice="daily")
    notification(ana, measure="Last month's", at=at(date(2026, 2, 1)))
    assert run(TUESDAY, django_capture_on_commit_callbacks)["claimed"] == 0
    assert smtp.messages == [] and DigestEmail.objects.count() == 0


@pytest.mark.django_db
def test_a_weekly_digest_goes_once_a_week(site, smtp, django_capture_on_commit_callbacks):
    ana = person("ana", digest_choice="weekly")
    notification(ana, measure="Last week's", at=at(date(2026, 2, 25)))
    run(MONDAY, django_capture_on_commit_callbacks)
    notification(ana, measure="Tuesday's", at=at(TUESDAY))
    run(TUESDAY, django_capture_on_commit_callbacks)
    run(WEDNESDAY, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    assert "Last week's" in body_of(smtp.messages[0])
    assert DigestEmail.objects.get().period_start == MONDAY
    # the next week's run sends what came since
    run(date(2026, 3, 9), django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 2 and "Tuesday's" in body_of(smtp.messages[1])


@pytest.mark.django_db
def test_a_digest_claimed_for_someone_deactivated_before_the_send_is_skipped(
    site, smtp, django_capture_on_commit_callbacks
):
    ana = person("ana", digest_choice="daily")
    notification(ana, measure="Plan", at=at(MONDAY))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        digest.send_notification_digests(today=TUESDAY)
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    for callback in callbacks:
        callback()
    assert smtp.messages == []
    assert DigestEmail.objects.get().status == "skipped"


@pytest.mark.django_db
def test_the_command_runs_the_same_code_for_a_given_date(site, smtp, capsys, django_capture_on_commit_callbacks):
    ana = person("ana", digest_choice="daily")
    notification(ana, measure="Plan", at=at(MONDAY))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notification_digests", "--date", TUESDAY.isoformat())
    assert "2026-03-03: 1 digest claimed, 0 sent again." in capsys.readouterr().out
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError):
        call_command("send_notification_digests", "--date", "tomorrow")


@pytest.mark.django_db
@pytest.mark.parametrize("users", [3, 30])
def test_planning_and_claiming_take_the_same_queries_whatever_the_number_of_users(
    site, users, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for n in range(users):
        notification(person(f"user{n}", digest_choice="daily"), measure="Plan", at=at(MONDAY))
    with django_assert_max_num_queries(16), django_capture_on_commit_callbacks(execute=False):
        result = digest.send_notification_digests(today=TUESDAY)
    assert result["claimed"] == users


# ---- Through a real worker ------------------------------------------------------------------


@pytest.mark.services
def test_a_real_worker_delivers_the_digest_over_smtp(celery_worker, site, smtp):
    # given: committed data (the worker reads the database)
    ana = person("ana", digest_choice="daily", language="fr")
    notification(ana, measure="Plan", at=at(MONDAY))
    # when: the daily run; the digest goes through Redis to the worker, then to the SMTP server
    result = digest.send_notification_digests(today=TUESDAY)
    deadline = time.monotonic() + 20
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    # then
    assert result["claimed"] == 1
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]
    assert smtp.messages[0]["Content-Language"] == "fr"
    assert "Votre rapport sur «\u00a0Plan\u00a0» a été accepté." in body_of(smtp.messages[0])
    row = DigestEmail.objects.get()
    for _ in range(50):  # the worker records the status just after the SMTP answer
        row.refresh_from_db()
        if row.status == DigestEmail.Status.SENT:
            break
        time.sleep(0.1)
    assert (row.status, row.attempts) == (DigestEmail.Status.SENT, 1)
    # and the same day's second run sends nothing more
    assert digest.send_notification_digests(today=TUESDAY)["claimed"] == 0
    time.sleep(1)
    assert len(smtp.messages) == 1


@pytest.mark.services
def test_a_real_worker_retries_a_refused_digest_with_backoff(celery_worker, site, smtp, monkeypatch):
    # given: a mail server that refuses the first two attempts; backoff shortened from minutes
    monkeypatch.setattr("ta_portal.outbox.RETRY_BASE_SECONDS", 0.05)
    smtp.refuse = 2
    ana = person("ana", digest_choice="daily")
    notification(ana, measure="Plan", at=at(MONDAY))
    digest.send_notification_digests(today=TUESDAY)
    deadline = time.monotonic() + 30
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    row = DigestEmail.objects.get()
    for _ in range(50):
        row.refresh_from_db()
        if row.status == DigestEmail.Status.SENT:
            break
        time.sleep(0.1)
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]
    assert (row.status, row.attempts, smtp.attempts) == (DigestEmail.Status.SENT, 3, 3)
    assert "Try again later" in row.last_error
