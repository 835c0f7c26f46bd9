from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions

pytestmark = pytest.mark.clock_sensitive


@pytest.mark.services
def test_a_real_worker_clears_expired_sessions(celery_worker):
    # given: one expired and one live session
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + timedelta(days=1))
    # when: the task goes through Redis to the worker
    result = clear_expired_sessions.delay()
    result.get(timeout=20)
    # then
    assert result.successful()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.mark.services
def test_running_the_task_twice_is_harmless(celery_worker):
    Session.objects.create(session_key="expired", session_data="x", expire_date=timezone.now() - timedelta(days=1))
    clear_expired_sessions.delay().get(timeout=20)
    clear_expired_sessions.delay().get(timeout=20)
    assert not Session.objects.exists()
