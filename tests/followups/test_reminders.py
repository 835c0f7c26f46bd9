"""Reminders and escalations: who gets which e-mail on which day, never twice, never lost.

Time moves through the ``today`` argument (and ``--date`` of the command), never by sleeping.
"""

import threading
import time
from datetime import date
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection
from django.db import connections
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from followups import reminders
from followups import services
from followups import tasks
from followups.models import FollowupRound
from followups.models import ReminderLog
from followups.models import RoundMeasure
from ta_portal import outbox
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report

pytestmark = pytest.mark.clock_sensitive

DAY0 = date(2026, 3, 2)  # the round opens
DUE = DAY0 + timedelta(days=30)  # 1 April 2026


@pytest.fixture
def calendar_settings(settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = [14, 3]
    settings.FOLLOWUP_ESCALATION_DAYS = 10
    settings.SITE_URL = "https://portal.example.org"
    return settings


@pytest.fixture
def people(db):
    """Who is who around a Peruvian engagement in follow-up."""
    return {
        "ana": make_user(Role.COUNTERPART, "PE", username="ana", email="ana@example.org", language="es"),
        "ben": make_user(Role.COUNTERPART, "PE", username="ben", email="ben@example.org", language="en"),
        "gone": make_user(Role.COUNTERPART, "PE", username="gone", email="gone@example.org", is_active=False),
        "nomail": make_user(Role.COUNTERPART, "PE", username="nomail", email=""),
        "carla_co": make_user(Role.COUNTERPART, "CO", username="carla", email="carla@example.org"),
        "viewer": make_user(Role.VIEWER, "PE", username="vic", email="vic@example.org"),
        "boss": make_user(Role.MANAGER, "PE", username="boss", email="boss@example.org"),
        "other_manager": make_user(Role.MANAGER, "PE", username="other_manager", email="om@example.org"),
    }


@pytest.fixture
def pe_round(people):
    engagement = other_engagement("PE", title="Peru follow-up")
    engagement.managers.add(people["boss"])
    make_measure(engagement, title="Adopt the inspection plan")
    make_measure(engagement, title="Reactivate the committee")
    # A Colombian round the same days: its counterpart is e-mailed about it, never about Peru's.
    co = other_engagement("CO", title="Colombia follow-up")
    make_measure(co, title="Colombian measure")
    open_round(co, opens_on=DAY0, due_date=DUE)
    return open_round(engagement, opens_on=DAY0, due_date=DUE)


def run(day, capture):
    """One run of the daily job as of ``day``; returns the e-mails it sent as (recipient, kind)."""
    before = len(mail.outbox)
    with capture(execute=True):
        reminders.send_followup_reminders(today=day)
    return sorted((m.to[0], m.extra_headers["X-Followup-Kind"]) for m in mail.outbox[before:])


def test_a_simulated_month_sends_exactly_the_expected_e_mails(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    # when: the daily job runs every day from the opening to well past the escalation
    sent = {}
    day = DAY0
    while day <= DUE + timedelta(days=15):
        emails = run(day, django_capture_on_commit_callbacks)
        if emails:
            sent[day] = [e for e in emails if e[0] != "carla@example.org"]
        day += timedelta(days=1)
    # then: active Peruvian counterparts with an address hear four times, the engagement's manager once
    both = lambda kind: [("ana@example.org", kind), ("ben@example.org", kind)]  # noqa: E731
    assert sent == {
        DAY0: both("opened"),
        DUE - timedelta(days=14): both("before_14"),
        DUE - timedelta(days=3): both("before_3"),
        DUE + timedelta(days=1): both("overdue"),
        DUE + timedelta(days=10): [("boss@example.org", "escalation")],
    }
    # and the Colombian counterpart heard only about the Colombian round
    co_logs = ReminderLog.objects.filter(email="carla@example.org")
    assert {log.round.engagement.country_id for log in co_logs} == {"CO"}


def test_reminders_stop_once_every_measure_is_reported(
    pe_round, people, calendar_settings, django_capture_on_commit_callbacks
):
    # given: Ana reports on both measures five days before the due date
    assert run(DUE - timedelta(days=14), django_capture_on_commit_callbacks)
    for measure in pe_round.measures.all():
        report(measure, pe_round, people["ana"])
    pe_round.refresh_from_db()
    assert pe_round.submitted_at is not None
    # when: the job keeps running every day until long after the due date
    later = [run(DUE - timedelta(days=n), django_capture_on_commit_callbacks) for n in range(4, -20, -1)]
    # then: nobody in Peru is reminded or escalated any more
    assert [e for emails in later for e in emails if e[0] != "carla@example.org"] == []


def test_a_draft_does_not_count_as_reported(pe_round, people, calendar_settings, django_capture_on_commit_callbacks):
    for measure in pe_round.measures.all():
        report(measure, pe_round, people["ana"], submit=False)
    emails = run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    assert ("ana@example.org", "before_3") in emails


def test_a_missed_day_is_caught_up_but_a_stale_stage_is_not_sent(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    # The job did not run until 10 days before the due date: "14 days before" is still the current stage.
    assert run(DUE - timedelta(days=10), django_capture_on_commit_callbacks) == [
        ("ana@example.org", "before_14"),
        ("ben@example.org", "before_14"),
        ("carla@example.org", "before_14"),
    ]
    # It then stops until after the due date: only "overdue" goes out, not the missed "3 days before".
    assert [e for e in run(DUE + timedelta(days=2), django_capture_on_commit_callbacks) if e[1] != "overdue"] == []


def test_escalation_goes_to_the_country_managers_when_the_engagement_names_none(
    pe_round, people, calendar_settings, django_capture_on_commit_callbacks
):
    pe_round.engagement.managers.clear()
    emails = run(DUE + timedelta(days=12), django_capture_on_commit_callbacks)
    assert ("boss@example.org", "escalation") in emails
    assert ("om@example.org", "escalation") in emails


def test_running_the_job_twice_the_same_day_sends_nothing_twice(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    first = run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    second = run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    assert len(first) == 3
    assert second == []
    assert ReminderLog.objects.filter(kind="before_3", status=ReminderLog.Status.SENT).count() == 3


def test_the_command_runs_the_same_code_for_a_given_date(pe_round, calendar_settings, capsys):
    call_command("send_followup_reminders", "--date", (DUE + timedelta(days=1)).isoformat())
    out = capsys.readouterr().out
    assert "2026-04-02" in out
    assert set(ReminderLog.objects.values_list("kind", flat=True)) == {"overdue"}


def test_the_command_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_followup_reminders", "--date", "02/04/2026")


def test_the_e_mail_is_in_the_recipients_language_with_a_link_to_the_form(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    spanish, english = by_address["ana@example.org"], by_address["ben@example.org"]
    link = f"https://portal.example.org/followups/rounds/{pe_round.pk}/#report"
    assert link in spanish.body and link in english.body
    assert spanish.extra_headers["Content-Language"] == "es"
    assert "1 de abril de 2026" in spanish.body  # dates follow the recipient's language
    assert english.extra_headers["Content-Language"] == "en"
    assert "April 1, 2026" in english.body
    assert "Peru follow-up" in english.subject


def test_planning_and_claiming_take_the_same_queries_for_5_or_50_rounds(
    people, calendar_settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def rounds(n):
        for _ in range(n):
            engagement = other_engagement("PE")
            engagement.managers.add(people["boss"])
            make_measure(engagement)
            open_round(engagement, opens_on=DAY0, due_date=DUE)

    def count_queries(day):
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
            reminders.send_followup_reminders(today=day)
        return len(queries)

    rounds(5)
    few = count_queries(DUE + timedelta(days=11))  # overdue and escalated: every kind of recipient
    rounds(45)
    many = count_queries(DUE + timedelta(days=12))
    assert ReminderLog.objects.filter(round__due_date=DUE).count() == 50 * 3  # ana, ben, boss per round
    assert few == many


def test_an_e_mail_abandoned_mid_send_is_marked_interrupted_not_sent_again(
    pe_round, people, calendar_settings, django_capture_on_commit_callbacks
):
    # given: a worker died after taking one e-mail (sending) and another's task was lost (pending)
    long_ago = timezone.now() - timedelta(hours=2)
    stuck = ReminderLog.objects.create(
        round=pe_round, recipient=people["ana"], kind="opened", email="ana@example.org",
        status=ReminderLog.Status.SENDING, attempts=1, claim_token="00000000-0000-0000-0000-000000000001",
        updated_at=long_ago,
    )  # fmt: skip
    lost = ReminderLog.objects.create(
        round=pe_round, recipient=people["ben"], kind="opened", email="ben@example.org",
        status=ReminderLog.Status.PENDING, claim_token="00000000-0000-0000-0000-000000000002", updated_at=long_ago,
    )  # fmt: skip
    # when: the next run comes (a day with no new stage to send)
    emails = run(DAY0 + timedelta(days=1), django_capture_on_commit_callbacks)
    # then: the lost one is sent, the interrupted one is not risked twice
    assert ("ben@example.org", "opened") in emails
    assert ("ana@example.org", "opened") not in emails
    stuck.refresh_from_db()
    lost.refresh_from_db()
    assert (stuck.status, lost.status) == (ReminderLog.Status.INTERRUPTED, ReminderLog.Status.SENT)


def test_a_run_that_died_before_handing_its_claims_to_workers_is_completed_by_the_next_run(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    # given: a run committed its claims but its worker died before dispatching them
    with django_capture_on_commit_callbacks(execute=False):
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    assert mail.outbox == [] and ReminderLog.objects.filter(status="pending").count() == 3
    # when: the same run comes again at once (its task redelivered)
    emails = run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    # then: the e-mails it had claimed go out, once each
    assert emails == [
        ("ana@example.org", "before_3"),
        ("ben@example.org", "before_3"),
        ("carla@example.org", "before_3"),
    ]
    assert run(DUE - timedelta(days=3), django_capture_on_commit_callbacks) == []


def test_a_round_reported_after_the_claim_is_not_reminded(pe_round, people, calendar_settings):
    # given: a reminder is claimed, but the counterparts report before a worker sends it
    with transaction.atomic():
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))
        for measure in pe_round.measures.all():
            report(measure, pe_round, people["ana"])
    # (on_commit did not run: the delivery task has not happened yet)
    ids = list(ReminderLog.objects.filter(round=pe_round).values_list("pk", flat=True))
    # when
    failed = reminders.deliver(ids)
    # then
    assert failed == []
    assert mail.outbox == []
    assert set(ReminderLog.objects.filter(round=pe_round).values_list("status", flat=True)) == {"skipped"}


def test_a_returned_report_e_mails_its_author_once(people, settings, django_capture_on_commit_callbacks):
    engagement = other_engagement("PE")
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    update = report(measure, round_, people["ana"])
    with django_capture_on_commit_callbacks(execute=True):
        services.status_update_review(update=update, by=people["boss"], accept=False, comment="Adjunte el plan.")
    assert [(m.to, m.extra_headers["X-Followup-Kind"]) for m in mail.outbox] == [(["ana@example.org"], "returned")]
    assert "Adjunte el plan." in mail.outbox[0].body
    assert f"/followups/rounds/{round_.pk}/#measure-{measure.pk}" in mail.outbox[0].body


# ---- Against PostgreSQL, concurrently -------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_e_mail_once(postgres, reference_countries, calendar_settings):
    # given: forty rounds due in three days, each with two Peruvian counterparts to remind
    make_user(Role.COUNTERPART, "PE", username="ana", email="ana@example.org")
    make_user(Role.COUNTERPART, "PE", username="ben", email="ben@example.org")
    for _ in range(40):
        engagement = other_engagement("PE")
        make_measure(engagement)
        open_round(engagement, opens_on=DAY0, due_date=DUE)
    start = threading.Barrier(2)
    errors = []

    def job():
        try:
            start.wait(timeout=10)
            reminders.send_followup_reminders(today=DUE - timedelta(days=3))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    # when: two copies of the job run in two threads, each with its own database transaction
    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert errors == []
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == 80 == len(set(sent))  # each engagement's title is in its subject
    per_round = ReminderLog.objects.filter(status=ReminderLog.Status.SENT).values_list("round", "email")
    assert len(per_round) == 80 == len(set(per_round))
    assert len(mail.outbox) == 80


# ---- Over real SMTP -------------------------------------------------------------------------


def test_a_refused_send_is_retried_and_nothing_is_lost(
    pe_round, smtp, calendar_settings, django_capture_on_commit_callbacks
):
    # given: the mail server refuses the first two messages it is given
    smtp.refuse = 2
    # when
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    # then: every reminder arrived exactly once, and the failures are on record
    received = sorted(message["To"] for message in smtp.messages)
    assert received == ["ana@example.org", "ben@example.org", "carla@example.org"]
    logs = ReminderLog.objects.all()
    assert {log.status for log in logs} == {ReminderLog.Status.SENT}
    retried = [log for log in logs if log.attempts > 1]
    assert len(retried) == 2
    assert all("Try again later" in log.last_error for log in retried)


def test_a_server_down_for_long_keeps_the_e_mail_for_a_later_run(
    pe_round, smtp, calendar_settings, django_capture_on_commit_callbacks
):
    # given: the server refuses everything while the task uses up its retries
    smtp.refuse = 10_000
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    failed = ReminderLog.objects.get(email="ana@example.org")
    assert (failed.status, failed.attempts) == (ReminderLog.Status.FAILED, 6)
    assert "Try again later" in failed.last_error
    # when: the server is back and the next run comes (the failures are older than the retry window)
    smtp.refuse = 0
    ReminderLog.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_followup_reminders(today=DUE - timedelta(days=2))
    # then: each e-mail arrives once
    assert sorted(m["To"] for m in smtp.messages) == ["ana@example.org", "ben@example.org", "carla@example.org"]
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {ReminderLog.Status.SENT}


@pytest.mark.services
def test_a_real_worker_delivers_the_reminder_over_smtp(celery_worker, reference_countries, smtp, calendar_settings):
    # given: a round due in three days, committed (the worker reads the database)
    counterpart = make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org", language="es")
    engagement = other_engagement("PE", title="Peru follow-up")
    make_measure(engagement)
    round_ = open_round(engagement, opens_on=DAY0, due_date=DUE)
    # when: the daily job runs; the e-mails go through Redis to the worker, then to the SMTP server
    result = reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    deadline = time.monotonic() + 20
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    # then
    assert result["claimed"] == 1
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]
    message = smtp.messages[0]
    assert message["Content-Language"] == "es"
    assert f"/followups/rounds/{round_.pk}/#report" in message.get_payload(decode=True).decode()
    log = ReminderLog.objects.get(recipient=counterpart)
    for _ in range(50):  # the worker records the status just after the SMTP answer
        log.refresh_from_db()
        if log.status == ReminderLog.Status.SENT:
            break
        time.sleep(0.1)
    assert (log.status, log.attempts) == (ReminderLog.Status.SENT, 1)
    assert FollowupRound.objects.get(pk=round_.pk).submitted_at is None


@pytest.mark.services
def test_a_real_worker_retries_a_refused_send_with_backoff(
    celery_worker, reference_countries, smtp, calendar_settings, monkeypatch
):
    # given: a mail server that refuses the first two attempts; backoff shortened from minutes
    monkeypatch.setattr(outbox, "RETRY_BASE_SECONDS", 0.05)
    smtp.refuse = 2
    make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org")
    engagement = other_engagement("PE")
    make_measure(engagement)
    open_round(engagement, opens_on=DAY0, due_date=DUE)
    # when
    reminders.send_followup_reminders(today=DUE - timedelta(days=3))
    log = ReminderLog.objects.get(email="rosa@example.org")
    deadline = time.monotonic() + 20
    while log.status != ReminderLog.Status.SENT and time.monotonic() < deadline:
        time.sleep(0.1)
        log.refresh_from_db()
    # then: it arrived once, on the third attempt, and the refusals are on record
    assert [m["To"] for m in smtp.messages] == ["rosa@example.org"]
    assert (log.status, log.attempts, smtp.attempts) == (ReminderLog.Status.SENT, 3, 3)
    assert "Try again later" in log.last_error


def test_subjects_and_bodies_carry_a_title_as_typed_not_html_escaped(
    pe_round, calendar_settings, django_capture_on_commit_callbacks
):
    # given: an engagement whose title holds quotes, an ampersand and angle brackets
    engagement = pe_round.engagement
    engagement.title = 'Plan "Andes" & <Costa>'
    engagement.save(update_fields=["title"])
    # when
    run(DUE - timedelta(days=3), django_capture_on_commit_callbacks)
    # then: e-mails are plain text: the reader sees the title as it was typed
    english = next(m for m in mail.outbox if m.to[0] == "ben@example.org")
    assert 'Plan "Andes" & <Costa>' in english.subject
    assert 'Plan "Andes" & <Costa>' in english.body
    assert "&quot;" not in english.subject + english.body and "&amp;" not in english.subject + english.body


# ---- Rounds of the past ----------------------------------------------------------------------


@pytest.fixture
def past_rounds(people):
    """A Peruvian engagement whose two rounds of the past are long overdue and were never submitted:
    one recorded by hand (stored closed), one left open as an import may leave it."""
    engagement = other_engagement("PE", title="Peru follow-up", start_date=date(2011, 1, 10))
    engagement.managers.add(people["boss"])
    measure = make_measure(engagement, title="Adopt the inspection plan", agreed_on=date(2013, 2, 1))
    recorded = services.round_record(
        engagement=engagement, opens_on=date(2013, 6, 1), due_date=date(2013, 6, 30), by=people["boss"]
    )
    imported = FollowupRound.objects.create(
        engagement=engagement,
        opens_on=date(2014, 6, 1),
        due_date=date(2014, 6, 30),
        recorded_by=people["boss"],
        recorded_at=timezone.now(),
    )
    RoundMeasure.objects.create(round=imported, measure=measure)
    return recorded, imported


def test_a_round_of_the_past_never_reminds_nor_escalates(
    people, past_rounds, smtp, calendar_settings, django_capture_on_commit_callbacks
):
    # given: besides the rounds of the past, a live Colombian round, overdue as well
    co = other_engagement("CO", title="Colombia follow-up")
    make_measure(co, title="Colombian measure")
    open_round(co, opens_on=DAY0, due_date=DUE)
    day = DUE + timedelta(days=40)
    # when: every path that reminds or escalates runs, long after the due dates: the daily job, its
    # Celery task, and the announcement of each round
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_followup_reminders(today=day)
        tasks.send_followup_reminders(day.isoformat())
        for round_ in past_rounds:
            tasks.send_round_reminders(round_.pk, day.isoformat())
    # then: over SMTP only the live round's counterpart heard, once; nothing was even claimed for the past
    assert [message["To"] for message in smtp.messages] == ["carla@example.org"]
    assert not ReminderLog.objects.filter(round__in=past_rounds).exists()


def test_a_claim_for_a_round_that_is_then_recorded_as_of_the_past_is_not_sent(pe_round, smtp, calendar_settings):
    # given: reminders claimed for a round, which is then marked as a round of the past before a worker sends them
    with transaction.atomic():
        reminders.send_followup_reminders(today=DUE + timedelta(days=12))
        FollowupRound.objects.filter(pk=pe_round.pk).update(recorded_at=timezone.now())
    ids = list(ReminderLog.objects.filter(round=pe_round).values_list("pk", flat=True))
    assert ids  # the counterparts' overdue reminders and the escalation
    # when
    failed = reminders.deliver(ids)
    # then
    assert failed == [] and smtp.messages == []
    assert set(ReminderLog.objects.filter(round=pe_round).values_list("status", flat=True)) == {"skipped"}
