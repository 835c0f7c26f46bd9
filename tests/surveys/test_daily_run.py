"""The daily run opens a reaction survey when a session ends and an application survey the course's
months later, with the default templates; running it again changes nothing."""

from datetime import date
from datetime import timedelta

import pytest
from django.core.management import call_command

from surveys import services
from surveys.models import Purpose
from surveys.models import Survey
from tests.surveys.factories import session_with_people
from tests.trainings.factories import CourseFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def test_reaction_at_the_end_application_months_later_once(django_capture_on_commit_callbacks):
    course = CourseFactory(application_survey_months=2)
    ended = session_with_people(2, course=course, start_date=DAY - timedelta(days=2), end_date=DAY)
    no_course = session_with_people(1, course=None, start_date=date(2025, 11, 3), end_date=date(2025, 11, 10))
    running = session_with_people(1, start_date=DAY, end_date=DAY + timedelta(days=3))
    nobody = session_with_people(0, start_date=DAY - timedelta(days=2), end_date=DAY)
    # on the last day of a session: its reaction survey; the course-less session ended four months ago
    with django_capture_on_commit_callbacks(execute=True):
        opened = services.open_due_surveys(today=DAY)
    assert {(s.session_id, s.purpose) for s in opened} == {
        (ended.pk, Purpose.REACTION),
        (no_course.pk, Purpose.APPLICATION),
    }
    assert not Survey.objects.filter(session__in=[running.pk, nobody.pk]).exists()
    survey = Survey.objects.get(session=ended, purpose=Purpose.REACTION)
    assert (survey.opens_on, survey.closes_on, survey.anonymous) == (DAY, DAY + timedelta(days=60), True)
    assert survey.invitations.count() == 2
    # again the same day, or the next: nothing new
    assert services.open_due_surveys(today=DAY) == []
    assert services.open_due_surveys(today=DAY + timedelta(days=1)) == []
    # the course's two months later: the application survey (and the reaction of the session that
    # was running, ended since)
    opened = services.open_due_surveys(today=date(2026, 5, 10))
    assert {(s.session_id, s.purpose) for s in opened} == {
        (ended.pk, Purpose.APPLICATION),
        (running.pk, Purpose.REACTION),
    }
    assert Survey.objects.count() == 4


def test_a_session_enrolled_later_gets_its_invitation_and_the_command_runs_the_same():
    session = session_with_people(1, start_date=DAY - timedelta(days=2), end_date=DAY)
    call_command("run_surveys", "--date", DAY.isoformat(), stdout=__import__("io").StringIO())
    survey = Survey.objects.get(session=session)
    from tests.trainings.factories import EnrolmentFactory  # noqa: PLC0415

    EnrolmentFactory(session=session)
    services.open_due_surveys(today=DAY + timedelta(days=1))
    assert survey.invitations.count() == 2


def test_a_manager_may_not_create_a_second_survey_of_a_kind(world):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    session = session_with_people(1, engagement=world.engagement, start_date=DAY - timedelta(days=2), end_date=DAY)
    manager = world.users["manager"]
    services.survey_create(session=session, purpose=Purpose.REACTION, opens_on=DAY, by=manager, today=DAY)
    with pytest.raises(ValidationError) as refused:
        services.survey_create(session=session, purpose=Purpose.REACTION, opens_on=DAY, by=manager, today=DAY)
    assert "purpose" in refused.value.message_dict
