"""Factories for trainings: courses, sessions (with their countries and trainers), enrolments."""

from datetime import date
from decimal import Decimal

import factory

from tests.factories import PersonFactory
from trainings.models import Course
from trainings.models import Enrolment
from trainings.models import ExamForm
from trainings.models import Question
from trainings.models import TrainingSession


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    code = factory.Sequence(lambda n: f"course-{n}")


class SessionFactory(factory.django.DjangoModelFactory):
    """A session; ``countries`` defaults to the engagement's country, ``trainers`` to none."""

    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    engagement = None
    title = factory.Sequence(lambda n: f"Session {n}")
    start_date = date(2025, 5, 5)
    end_date = date(2025, 5, 9)
    max_score = Decimal(50)
    pass_mark = Decimal(35)

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        codes = list(extracted or [])
        if obj.engagement_id:
            codes.append(obj.engagement.country_id)
        obj.countries.set(codes or ["PE"])

    @factory.post_generation
    def trainers(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.trainers.set(extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    agency = factory.LazyAttribute(lambda e: e.person.agency)


def exam_form(session, code="A", points=(10, 10, 10, 10, 10)) -> ExamForm:
    form = ExamForm.objects.create(session=session, code=code)
    for number, value in enumerate(points, start=1):
        Question.objects.create(form=form, number=number, points=Decimal(value), topic=f"Topic {number}")
    return form
