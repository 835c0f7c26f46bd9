"""A survey e-mail whose worker is killed mid-send is sent exactly once, by the redelivered task: the
same guarantee as the follow-up reminders (one outbox, ta_portal/outbox.py), with real processes."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Purpose
from surveys.models import SurveyEmail
from surveys.models import SurveyTemplate
from tests.reliability.test_background_work import VISIBILITY_TIMEOUT
from tests.reliability.test_background_work import broker  # noqa: F401 (fixture)
from tests.reliability.test_background_work import processes  # noqa: F401 (fixture)
from tests.reliability.test_background_work import smtp  # noqa: F401 (fixture)
from tests.reliability.test_background_work import wait_for
from tests.surveys.factories import session_with_people

pytestmark = pytest.mark.clock_sensitive


@pytest.mark.services
def test_a_survey_invitation_whose_worker_is_killed_mid_send_is_sent_exactly_once(processes, smtp):  # noqa: F811
    # given: a session that ended yesterday with one participant, and a mail server slow to take the first message
    today = timezone.localdate()
    session = session_with_people(1, start_date=today - timedelta(days=3), end_date=today - timedelta(days=1))
    address = session.enrolments.get().person.email
    smtp.slow = 1
    first = processes.worker("mail-1", queues="default", EMAIL_URL=smtp.url)
    # when: the survey opens (the invitation is claimed and handed to the worker), which is killed while sending
    services.survey_create(
        session=session,
        purpose=Purpose.REACTION,
        template=SurveyTemplate.objects.get(purpose=Purpose.REACTION, is_default=True),
        opens_on=today,
        by=None,
    )
    wait_for(lambda: smtp.conversations >= 1, "the worker to start sending")
    processes.kill(first)
    email = SurveyEmail.objects.get()
    assert (email.status, smtp.messages) == (SurveyEmail.Status.PENDING, [])
    processes.worker("mail-2", queues="default", EMAIL_URL=smtp.url)
    # then: the redelivered task sends it, once
    wait_for(lambda: smtp.messages, "the invitation to arrive")
    wait_for(lambda: SurveyEmail.objects.get(pk=email.pk).status == SurveyEmail.Status.SENT, "the row to say sent")
    time.sleep(VISIBILITY_TIMEOUT + 1)
    assert [m["To"] for m in smtp.messages] == [address]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (SurveyEmail.Status.SENT, 1)
    assert SurveyEmail.objects.count() == 1
