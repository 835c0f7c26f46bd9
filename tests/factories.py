"""Factories for test data, and the standard two-country world used by permission tests."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

import factory

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_role
from assessments.framework_data import load_framework
from assessments.framework_data import load_framework_translations
from assessments.models import Dimension
from assessments.models import Framework
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Person
from engagements.reference_data import load_countries
from engagements.reference_data import load_substances
from engagements.reference_data import load_translations
from surveys.defaults import load_defaults as load_survey_defaults
from surveys.models import SurveyQuestion
from surveys.models import SurveyTemplate
from surveys.models import TemplateQuestion

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def make_user(role: str, *countries: str, username: str | None = None, **extra) -> User:
    user = UserFactory(**({"username": username} if username else {}), **extra)
    user_set_role(user=user, role=role, country_codes=countries)
    return user


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    country_id = "PE"
    name = factory.Sequence(lambda n: f"Agency {n}")
    acronym = factory.Sequence(lambda n: f"AG{n}")
    kind = Agency.Kind.CUSTOMS


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    sex = Person.Sex.FEMALE
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    country_id = factory.LazyAttribute(lambda p: p.agency.country_id if p.agency else "PE")


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    country_id = "PE"
    title = factory.Sequence(lambda n: f"Engagement {n}")
    start_date = date(2025, 1, 15)
    phase = Engagement.Phase.ASSESSMENT


@dataclass
class World:
    """Two countries (PE = own, CO = other), with users of every role in PE, and global ones.

    ``users[role]`` holds the PE user of that role; ``admin`` and ``global_manager`` reach everything.
    """

    own: str = "PE"
    other: str = "CO"
    users: dict[str, User] = field(default_factory=dict)
    engagement: Engagement | None = None
    other_engagement: Engagement | None = None
    agency: Agency | None = None
    other_agency: Agency | None = None
    person: Person | None = None
    other_person: Person | None = None


def build_world() -> World:
    world = World()
    for role in Role.values:
        world.users[role] = make_user(role, world.own, username=f"{role}_pe")
    world.users["admin"] = make_user(Role.ADMIN, username="admin_global")
    world.users["global_manager"] = make_user(Role.MANAGER, username="manager_global")
    world.agency = AgencyFactory(country_id=world.own)
    world.other_agency = AgencyFactory(country_id=world.other)
    world.person = PersonFactory(agency=world.agency)
    world.other_person = PersonFactory(agency=world.other_agency)
    world.engagement = EngagementFactory(country_id=world.own, title="Own engagement")
    world.other_engagement = EngagementFactory(country_id=world.other, title="Other engagement")
    return world


def reloaded(world: World) -> World:
    """A copy of ``world`` whose objects are read again from the database (one query per model):
    tests that share one stored world each get instances of their own, so what one test changes in
    memory (a field set, memoised roles) never reaches the next."""
    users = User.objects.in_bulk([user.pk for user in world.users.values()])
    agencies = Agency.objects.in_bulk([world.agency.pk, world.other_agency.pk])
    people = Person.objects.in_bulk([world.person.pk, world.other_person.pk])
    engagements = Engagement.objects.in_bulk([world.engagement.pk, world.other_engagement.pk])
    return World(
        own=world.own,
        other=world.other,
        users={role: users[user.pk] for role, user in world.users.items()},
        engagement=engagements[world.engagement.pk],
        other_engagement=engagements[world.other_engagement.pk],
        agency=agencies[world.agency.pk],
        other_agency=agencies[world.other_agency.pk],
        person=people[world.person.pk],
        other_person=people[world.other_person.pk],
    )


def load_reference_data() -> None:
    """The rows the data migrations load (countries, substances, the default framework, the default
    survey templates, and their names in the other languages); idempotent."""
    load_countries(Country)
    load_substances(ControlledSubstance)
    load_translations(Country, ControlledSubstance)
    load_framework(Framework, Dimension)
    load_framework_translations(Framework, Dimension)
    load_survey_defaults(SurveyQuestion, SurveyTemplate, TemplateQuestion)
