"""Who sees which sessions: trainers by assignment, others by the session's countries."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.trainings.factories import CourseFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.models import Enrolment
from trainings.models import TrainingSession


def test_a_trainer_sees_only_the_sessions_they_are_assigned_to(client, world):
    trainer = world.users["trainer"]  # a trainer in PE
    mine = SessionFactory(engagement=world.engagement, trainers=[trainer], title="Mine")
    colleague = SessionFactory(engagement=world.engagement, trainers=[make_user(Role.TRAINER, "PE")], title="Theirs")
    abroad = SessionFactory(engagement=world.other_engagement, trainers=[trainer], title="Mine abroad")
    client.force_login(trainer)

    listed = {s.title for s in client.get(reverse("trainings:session_list")).context["page"]}

    assert listed == {"Mine", "Mine abroad"}
    assert client.get(reverse("trainings:session_detail", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("trainings:scores", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("trainings:scores", args=[abroad.pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(trainer)
    assert api.get(f"/api/v1/training-sessions/{colleague.pk}/").status_code == 404
    assert api.get(f"/api/v1/outcomes/training-sessions/{colleague.pk}/").status_code == 404
    assert {s["id"] for s in api.get("/api/v1/training-sessions/").json()["results"]} == {abroad.pk, mine.pk}
    assert mine.pk in TrainingSession.objects.editable_by(trainer).values_list("pk", flat=True)


def test_being_listed_as_trainer_gives_nothing_without_the_trainer_role(client, world):
    viewer_elsewhere = make_user(Role.VIEWER, "BO")
    session = SessionFactory(engagement=world.engagement, trainers=[viewer_elsewhere])
    client.force_login(viewer_elsewhere)

    assert client.get(reverse("trainings:session_detail", args=[session.pk])).status_code == 404


def test_a_regional_session_belongs_to_each_of_its_countries(world):
    regional = SessionFactory(countries=["PE", "CO"])
    manager_co = make_user(Role.MANAGER, "CO")
    manager_bo = make_user(Role.MANAGER, "BO")
    counterpart_co = make_user(Role.COUNTERPART, "CO")

    assert regional in TrainingSession.objects.editable_by(world.users["manager"])
    assert regional in TrainingSession.objects.editable_by(manager_co)
    assert regional not in TrainingSession.objects.visible_to(manager_bo)
    assert regional in TrainingSession.objects.visible_to(counterpart_co)
    assert regional not in TrainingSession.objects.editable_by(counterpart_co)
    # one session, however many of its countries a user reaches
    assert TrainingSession.objects.visible_to(world.users["admin"]).filter(pk=regional.pk).count() == 1
    global_manager = world.users["global_manager"]
    assert list(TrainingSession.objects.visible_to(global_manager)).count(regional) == 1


def test_enrolments_follow_their_sessions_scope(world):
    own = SessionFactory(engagement=world.engagement)
    other = SessionFactory(engagement=world.other_engagement)
    mine = EnrolmentFactory(session=own, person=world.person)
    EnrolmentFactory(session=other, person=world.other_person)

    assert list(Enrolment.objects.visible_to(world.users["counterpart"])) == [mine]
    assert list(Enrolment.objects.editable_by(world.users["counterpart"])) == []


@pytest.mark.parametrize("role", ["viewer", "counterpart"])
def test_readers_see_the_session_and_its_figures_but_no_names(client, world, role):
    session = SessionFactory(engagement=world.engagement)
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10), post_score=Decimal(40))
    client.force_login(world.users[role])

    for name in ("session_detail", "session_results"):
        response = client.get(reverse(f"trainings:{name}", args=[session.pk]))
        assert response.status_code == 200
        assert world.person.full_name not in response.content.decode()
    assert client.get(reverse("trainings:scores", args=[session.pk])).status_code == 403


def test_a_course_page_compares_only_the_sessions_the_user_can_see(client, world):
    course = CourseFactory()
    SessionFactory(course=course, engagement=world.engagement, title="Lima")
    SessionFactory(course=course, engagement=world.other_engagement, title="Bogotá")
    client.force_login(world.users["manager"])

    response = client.get(reverse("trainings:course_detail", args=[course.pk]))

    assert [s.title for s, _figures in response.context["compared"]] == ["Lima"]
    assert "Bogotá" not in response.content.decode()


def test_the_statistics_page_pools_by_country_of_the_participants(client, world):
    regional = SessionFactory(countries=["PE", "CO"])
    EnrolmentFactory(session=regional, person=world.person, pre_score=Decimal(10), post_score=Decimal(40))
    EnrolmentFactory(session=regional, person=world.other_person, pre_score=Decimal(20), post_score=Decimal(30))
    client.force_login(world.users["admin"])

    response = client.get(reverse("trainings:statistics"))

    by_country = {code: figures for code, _name, figures in response.context["by_country"]}
    assert by_country["PE"]["mean_gain_pct"] == 60.0
    assert by_country["CO"]["mean_gain_pct"] == 20.0
    assert response.context["overall"]["n_paired"] == 2


@pytest.fixture
def shared_regional_session(db):
    """A regional session of Peru and Colombia: a Peruvian agency of 6 participants, one of 2, and a
    Colombian agency of 3."""
    session = SessionFactory(countries=["PE", "CO"])
    big, small, colombian = (
        AgencyFactory(country_id="PE"),
        AgencyFactory(country_id="PE"),
        AgencyFactory(country_id="CO"),
    )
    for agency, size in ((big, 6), (small, 2), (colombian, 3)):
        for _ in range(size):
            person = PersonFactory(agency=agency)
            EnrolmentFactory(session=session, person=person, pre_score=Decimal(20), post_score=Decimal(60))
    return {"big": big, "small": small, "colombian": colombian}


def statistics_as(client, user):
    client.force_login(user)
    context = client.get(reverse("trainings:statistics")).context
    return {code: figures for code, _name, figures in context["by_country"]}


def test_a_counterpart_sees_only_their_countrys_rows_without_groups_under_five(client, shared_regional_session):
    agencies = shared_regional_session
    by_country = statistics_as(client, make_user(Role.COUNTERPART, "PE"))
    # only Peru's row: Colombia's participants of the shared session are not theirs
    assert list(by_country) == ["PE"]
    # the agency of 6 is shown, the agency of 2 is withheld (and said to be)
    assert list(by_country["PE"]["by_agency"]) == [agencies["big"].pk]
    assert by_country["PE"]["by_agency"][agencies["big"].pk]["n_enrolled"] == 6
    assert by_country["PE"]["n_agencies_withheld"] == 1
    page = client.get(reverse("trainings:statistics")).content.decode()
    assert "1 agency with fewer than 5 participants is not shown" in page
    assert agencies["small"].acronym not in page and agencies["colombian"].acronym not in page


def test_a_manager_sees_every_agency_of_their_country_and_an_admin_every_country(client, shared_regional_session):
    agencies = shared_regional_session
    manager_view = statistics_as(client, make_user(Role.MANAGER, "PE"))
    assert list(manager_view) == ["PE"]
    assert set(manager_view["PE"]["by_agency"]) == {agencies["big"].pk, agencies["small"].pk}
    admin_view = statistics_as(client, make_user(Role.ADMIN))
    assert list(admin_view) == ["CO", "PE"]
    assert set(admin_view["CO"]["by_agency"]) == {agencies["colombian"].pk}
    assert admin_view["PE"]["n_agencies_withheld"] == 0


def test_the_everyone_figures_pool_only_the_participants_of_the_readers_countries(client, shared_regional_session):
    # given: the shared session has 8 Peruvian and 3 Colombian participants
    client.force_login(make_user(Role.COUNTERPART, "PE"))

    # when
    overall = client.get(reverse("trainings:statistics")).context["overall"]

    # then: Peru's counterpart is not shown figures that pool Colombia's participants
    assert overall["n_enrolled"] == 8
    client.force_login(make_user(Role.ADMIN))
    assert client.get(reverse("trainings:statistics")).context["overall"]["n_enrolled"] == 11


def test_a_course_pools_only_the_readers_countries_without_groups_under_five(client, shared_regional_session):
    # given: the shared session belongs to a course
    agencies = shared_regional_session
    course = TrainingSession.objects.get(countries="CO").course
    client.force_login(make_user(Role.COUNTERPART, "PE"))

    # when
    response = client.get(reverse("trainings:course_detail", args=[course.pk]))

    # then: Peru's 8 participants only, the agency of 2 withheld and said to be, nothing of Colombia's
    pooled = response.context["pooled"]
    assert pooled["n_enrolled"] == 8
    assert list(pooled["by_agency"]) == [agencies["big"].pk]
    page = response.content.decode()
    assert "1 agency with fewer than 5 participants is not shown" in page
    assert agencies["small"].acronym not in page and agencies["colombian"].acronym not in page
