"""Each role's work on the home page: what is theirs (insider), nothing of another country or role
(outsider), each item linking to where it is done; counted in the navigation; in a bounded number
of queries. Data on fixed dates, items asked for ``today`` (the pages read the clock: marked)."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import role_countries
from assessments.models import Assessment
from assessments.models import Roundtable
from engagements.models import Engagement
from engagements.models import PhaseChange
from engagements.models import Programme
from followups import services as followup_services
from network.models import Document
from outcomes.models import ActivityTarget
from ta_portal.work import work_items
from tests.assessments.factories import make_assessment
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.network.factories import make_document
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from tests.trainings.factories import exam_form

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
SINCE = datetime(2026, 3, 1, tzinfo=UTC)


def items_of(user, role=None, *, today=TODAY, since=SINCE):
    found = work_items(user, today=today, since=since)
    return [item for item in found if role is None or item.role == role]


def titles(items):
    return [item.title for item in items]


# ---- Counterpart ------------------------------------------------------------------------------------


def test_a_counterpart_sees_the_open_round_with_its_days_left_and_measures_to_report(world):
    # given: a round of the own engagement asking about two measures, one reported
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    first = make_measure(world.engagement, title="Inspect", by=manager)
    make_measure(world.engagement, title="Train", by=manager)
    round_ = open_round(world.engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))
    report(first, round_, counterpart)
    open_round(world.other_engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))

    # when
    items = items_of(counterpart, Role.COUNTERPART)

    # then: one item, the own round, linking to the round's page
    assert [item.url for item in items] == [reverse("followups:round_detail", args=[round_.pk])]
    assert "16 days left" in items[0].detail and "1 measure still to report" in items[0].detail
    # the other country's counterpart sees only theirs, a trainer none of it
    other = make_user(Role.COUNTERPART, "CO")
    assert [item.url for item in items_of(other)] != [items[0].url]
    assert items_of(world.users["trainer"], Role.COUNTERPART) == []


def test_a_counterpart_sees_a_returned_report_with_its_comment_until_it_is_reported_again(world):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    measure = make_measure(world.engagement, title="Inspect", by=manager)
    round_ = open_round(world.engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))
    update = report(measure, round_, counterpart)
    followup_services.status_update_review(update=update, by=manager, accept=False, comment="Attach the plan.")

    returned = [item for item in items_of(counterpart, Role.COUNTERPART) if "returned" in item.title]
    assert titles(returned) == ["Report returned: Inspect"]
    assert returned[0].detail == "Comment: Attach the plan."
    assert returned[0].url == reverse("followups:round_detail", args=[round_.pk])
    assert not [i for i in items_of(make_user(Role.COUNTERPART, "CO")) if "returned" in i.title]

    # when: it is reported again, the item goes
    report(measure, round_, counterpart, narrative="Plan attached.")
    assert not [item for item in items_of(counterpart, Role.COUNTERPART) if "returned" in item.title]


def test_a_counterpart_sees_documents_shared_with_them_since_the_last_visit(world):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    new = make_document(by=manager, title="Customs guide", audience=Document.Audience.COUNTRY, audience_country_id="PE")
    old = make_document(by=manager, title="Old guide")
    Document.objects.filter(pk=old.pk).update(created_at=SINCE - timedelta(days=1))
    make_document(by=manager, title="For Colombia", audience=Document.Audience.COUNTRY, audience_country_id="CO")

    items = [item for item in items_of(counterpart, Role.COUNTERPART, since=SINCE - timedelta(hours=1))]
    assert titles(items) == ["New document: Customs guide"]
    assert items[0].url == new.get_absolute_url()


# ---- Manager ----------------------------------------------------------------------------------------


def test_a_manager_sees_reports_awaiting_verification_in_their_countries_only(world):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    measures = [make_measure(world.engagement, title=title, by=manager) for title in ("Inspect", "Train")]
    round_ = open_round(world.engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))
    for measure in measures:
        report(measure, round_, counterpart)

    waiting = [item for item in items_of(manager, Role.MANAGER) if "verification" in item.title]
    assert [(item.title, item.url) for item in waiting] == [
        ("2 reports awaiting verification", reverse("followups:inbox"))
    ]
    assert not [i for i in items_of(make_user(Role.MANAGER, "CO")) if "verification" in i.title]
    assert items_of(counterpart, Role.MANAGER) == []


def test_a_manager_sees_overdue_rounds_and_which_are_escalated(world, settings):
    settings.FOLLOWUP_ESCALATION_DAYS = 30
    manager = world.users["manager"]
    make_measure(world.engagement, by=manager)
    late = open_round(world.engagement, opens_on=date(2026, 1, 1), due_date=date(2026, 2, 1))
    other = EngagementFactory(country_id="PE", title="Second engagement")
    make_measure(other, by=manager)
    recent = open_round(other, opens_on=date(2026, 2, 1), due_date=date(2026, 3, 1))
    open_round(world.other_engagement, opens_on=date(2026, 1, 1), due_date=date(2026, 2, 1))

    overdue = {item.url: item.detail for item in items_of(manager, Role.MANAGER) if "overdue" in item.title}
    assert overdue == {
        late.get_absolute_url(): "42 days overdue; escalated to the managers",
        recent.get_absolute_url(): "14 days overdue",
    }
    assert not [i for i in items_of(make_user(Role.MANAGER, "CO")) if i.url in overdue]


def test_a_manager_sees_drafts_untouched_for_sixty_days_and_roundtables_without_measures(world):
    manager = world.users["manager"]
    stale = make_assessment(engagement=world.engagement, title="Forgotten draft")
    make_assessment(engagement=world.engagement, title="Fresh draft")
    Assessment.objects.filter(pk=stale.pk).update(updated_at=datetime(2026, 1, 1, 12, tzinfo=UTC))
    Assessment.objects.exclude(pk=stale.pk).update(updated_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    bare = Roundtable.objects.create(engagement=world.engagement, title="Lima", date=date(2026, 3, 1), venue="Lima")
    agreed = Roundtable.objects.create(engagement=world.engagement, title="Cusco", date=date(2026, 3, 2), venue="Cusco")
    make_measure(world.engagement, roundtable=agreed, by=manager)
    Roundtable.objects.create(engagement=world.engagement, title="Later", date=date(2026, 4, 2), venue="Lima")

    items = items_of(manager, Role.MANAGER)
    assert {item.title: item.url for item in items if item.title.startswith(("Draft", "Roundtable"))} == {
        "Draft untouched: Forgotten draft": stale.get_absolute_url(),
        "Roundtable without measures: Lima": reverse("followups:roundtable_measures", args=[bare.pk]),
    }
    outsider = items_of(make_user(Role.MANAGER, "CO"))
    assert not [i for i in outsider if "Draft" in i.title or "Roundtable" in i.title]


def test_a_manager_is_told_of_countries_in_scope_without_any_counterpart(world):
    # PE has a counterpart (world.users["counterpart"]); CO has none
    titles_of_global = titles(items_of(world.users["global_manager"], Role.MANAGER))
    assert "Colombia has no counterpart in the portal" in titles_of_global
    assert not [t for t in titles_of_global if t.startswith("Peru has no")]
    assert not [t for t in titles(items_of(world.users["manager"])) if "no counterpart" in t]


def _engagement_with_activities(world, manager):
    engagement = EngagementFactory(country_id="PE", title="Planning still", phase=Engagement.Phase.PLANNING)
    make_assessment(engagement=engagement, status=Assessment.Status.FINAL)
    Roundtable.objects.create(engagement=engagement, title="Lima", date=date(2026, 2, 1), venue="Lima")
    make_measure(engagement, by=manager)
    open_round(engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))
    return engagement


def test_a_manager_is_offered_the_phase_the_activities_reach(world):
    manager = world.users["manager"]
    engagement = _engagement_with_activities(world, manager)

    suggested = [item for item in items_of(manager, Role.MANAGER) if "suggest" in item.title]
    assert titles(suggested) == ["Planning still: its activities suggest the phase “Follow-up”"]
    assert suggested[0].url == engagement.get_absolute_url()
    assert suggested[0].form_context["form"].initial["to_phase"] == "follow_up"
    assert "A follow-up round was opened." in suggested[0].detail
    # not to another country's manager, nor to the counterpart
    assert not [i for i in items_of(make_user(Role.MANAGER, "CO")) if "suggest" in i.title]
    assert not [i for i in items_of(world.users["counterpart"]) if "suggest" in i.title]


def test_moving_on_in_one_click_records_the_reason_in_the_phase_history(world, client):
    manager = world.users["manager"]
    engagement = _engagement_with_activities(world, manager)
    client.force_login(manager)

    response = client.post(
        reverse("engagements:advance", args=[engagement.pk]),
        {"to_phase": "follow_up", "reason": "A follow-up round was opened."},
    )

    assert response.status_code == 302 and response["Location"] == engagement.get_absolute_url()
    engagement.refresh_from_db()
    assert engagement.phase == "follow_up"
    change = PhaseChange.objects.get(engagement=engagement)
    assert (change.from_phase, change.to_phase, change.changed_by, change.reason) == (
        "planning",
        "follow_up",
        manager,
        "A follow-up round was opened.",
    )
    # and the suggestion is gone
    assert not [i for i in items_of(manager, Role.MANAGER) if "suggest" in i.title]


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"to_phase": "follow_up", "reason": "   "}, "Say why the engagement moves on."),
        ({"to_phase": "planning", "reason": "Back"}, "in the phase “Planning” already, or beyond it"),
        ({"to_phase": "nowhere", "reason": "Why not"}, "Select a valid choice."),
    ],
)
def test_a_bad_move_on_shows_what_is_wrong_and_saves_nothing(world, client, posted, message):
    manager = world.users["manager"]
    engagement = _engagement_with_activities(world, manager)
    client.force_login(manager)

    response = client.post(reverse("engagements:advance", args=[engagement.pk]), posted)

    assert response.status_code == 200
    assert message in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.phase == "planning" and not PhaseChange.objects.filter(engagement=engagement).exists()


def test_moving_on_needs_the_right_to_edit_the_engagement(world, client):
    engagement = _engagement_with_activities(world, world.users["manager"])
    data = {"to_phase": "follow_up", "reason": "Because"}
    url = reverse("engagements:advance", args=[engagement.pk])
    client.force_login(make_user(Role.MANAGER, "CO"))
    assert client.post(url, data).status_code == 404
    client.force_login(world.users["counterpart"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.users["manager"])
    assert client.get(url).status_code == 405
    engagement.refresh_from_db()
    assert engagement.phase == "planning"


# ---- Trainer ----------------------------------------------------------------------------------------


def test_a_trainer_sees_their_ended_sessions_missing_attendance_scores_and_certificates(world):
    trainer = world.users["trainer"]
    session = SessionFactory(
        title="Customs course", start_date=date(2026, 3, 2), end_date=date(2026, 3, 3), trainers=[trainer]
    )
    exam_form(session)
    EnrolmentFactory(session=session, person=PersonFactory(), days_attended=None)
    EnrolmentFactory(session=session, person=PersonFactory(), days_attended=Decimal(2), post_score=Decimal(40))
    EnrolmentFactory(session=session, person=PersonFactory(), days_attended=Decimal(2), post_score=None)
    SessionFactory(title="Not theirs", start_date=date(2026, 3, 2), end_date=date(2026, 3, 3))
    SessionFactory(title="Still running", start_date=date(2026, 3, 10), end_date=date(2026, 3, 20), trainers=[trainer])

    items = {item.title: (item.url, item.detail) for item in items_of(trainer, Role.TRAINER)}

    assert items == {
        "Customs course: attendance missing": (
            reverse("trainings:attendance", args=[session.pk]),
            "1 participant without attendance",
        ),
        "Customs course: scores missing": (
            reverse("trainings:scores", args=[session.pk]),
            "2 participants without a post-exam score",
        ),
        "Customs course: certificates ready to issue": (
            reverse("trainings:certificates", args=[session.pk]),
            "1 participant eligible without a certificate",
        ),
    }
    assert items_of(make_user(Role.TRAINER, "PE"), Role.TRAINER) == []
    assert items_of(world.users["manager"], Role.TRAINER) == []


# ---- Viewer -----------------------------------------------------------------------------------------


def test_a_viewer_sees_what_changed_since_the_last_visit_and_what_is_behind_target(world):
    manager, counterpart, viewer = world.users["manager"], world.users["counterpart"], world.users["viewer"]
    programme = Programme.objects.create(name="Precursors", code="precursors", start_date=date(2025, 1, 1))
    Engagement.objects.filter(pk__in=[world.engagement.pk, world.other_engagement.pk]).update(programme=programme)
    ActivityTarget.objects.create(
        programme=programme,
        title="Twelve national trainings held",
        metric="sessions_held",
        target_value=12,
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    measure = make_measure(world.engagement, by=manager)
    round_ = open_round(world.engagement, opens_on=date(2026, 3, 1), due_date=date(2026, 3, 31))
    update = report(measure, round_, counterpart)
    followup_services.status_update_review(update=update, by=manager, accept=True)
    SessionFactory(title="Held", start_date=date(2026, 3, 2), end_date=date(2026, 3, 3))

    # a visit long ago: the report was verified since, the session held since
    items = items_of(viewer, Role.VIEWER, since=datetime(2026, 2, 1, tzinfo=UTC))

    assert [(i.title, i.url, i.detail) for i in items] == [
        (
            "Peru: new since your last visit",
            reverse("outcomes:country", args=["PE"]),
            "1 report verified, 1 follow-up round submitted, 1 training session held",
        ),
        (
            "Precursors: behind target",
            reverse("outcomes:programme", args=["precursors"]) + "?year=2026",
            "Twelve national trainings held",
        ),
    ]
    # a visit after all of it: nothing new, still behind
    later = items_of(viewer, Role.VIEWER, since=timezone.now() + timedelta(minutes=1))  # (recorded at now)
    assert titles(later) == ["Precursors: behind target"]
    # Colombia's viewer: nothing of Peru
    assert not [i for i in items_of(make_user(Role.VIEWER, "CO")) if "Peru" in i.title]


# ---- Several roles, the page and the navigation -----------------------------------------------------


def test_a_user_with_several_roles_sees_a_section_for_each(world, client):
    user = make_user(Role.MANAGER, "PE", username="many")
    from accounts.services import user_set_role  # noqa: PLC0415

    user_set_role(user=user, role=Role.VIEWER, country_codes=["PE"])
    user_set_role(user=user, role=Role.TRAINER, country_codes=["PE"])
    client.force_login(user)

    content = client.get(reverse("home")).content.decode()

    for heading in ("Programme / project manager", "Trainer", "Viewer (donor, analyst)"):
        assert f">{heading}" in content
    assert "National counterpart" not in content


@pytest.mark.clock_sensitive
def test_the_navigation_counts_the_work_waiting_in_each_section(world, client):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    day = date.today()
    measure = make_measure(world.engagement, by=manager)
    round_ = open_round(world.engagement, opens_on=day - timedelta(days=2), due_date=day + timedelta(days=20))
    report(measure, round_, counterpart)
    client.force_login(manager)

    home = client.get(reverse("home")).content.decode()
    # then: the inbox carries its badge, with words for screen readers, on home and on the next page
    assert "1 report awaiting verification" in home
    assert re.search(r'Verification inbox</span> <span class="badge[^>]*>1</span>', home) and "(1 waiting)" in home
    assert "(1 waiting)" in client.get(reverse("engagements:list")).content.decode()


# ---- Queries ----------------------------------------------------------------------------------------


def _busy_country(world, manager, counterpart, n):
    """``n`` engagements each with a draft assessment, a roundtable, a returned and a pending report, an
    overdue round and a session with missing attendance."""
    trainer = world.users["trainer"]
    for i in range(n):
        engagement = EngagementFactory(country_id="PE", title=f"Busy {i}", phase=Engagement.Phase.PLANNING)
        make_assessment(engagement=engagement, title=f"Draft {i}")
        Roundtable.objects.create(engagement=engagement, title=f"RT {i}", date=date(2026, 1, 5), venue="Lima")
        first, second = (make_measure(engagement, title=f"M{i}{k}", by=manager) for k in "ab")
        round_ = open_round(engagement, opens_on=date(2026, 1, 1), due_date=date(2026, 2, 1))
        returned = report(first, round_, counterpart)
        followup_services.status_update_review(update=returned, by=manager, accept=False, comment="Fix")
        report(second, round_, counterpart)
        session = SessionFactory(
            engagement=engagement, start_date=date(2026, 3, 2), end_date=date(2026, 3, 3), trainers=[trainer]
        )
        EnrolmentFactory(session=session, person=PersonFactory(), days_attended=None)
        make_document(by=manager, title=f"Doc {i}")


def _queries(user) -> tuple[list[str], int]:
    role_countries(user)  # the user's roles, read once per request before any page's work
    with CaptureQueriesContext(connection) as captured:
        found = work_items(user, today=TODAY, since=SINCE - timedelta(days=400))
    return [q["sql"][:60] for q in captured.captured_queries], len(found)


def test_the_work_is_gathered_in_the_same_number_of_queries_whatever_the_data(world):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    everyone = make_user(Role.MANAGER, "PE", username="all_roles")
    from accounts.services import user_set_role  # noqa: PLC0415

    for role in (Role.COUNTERPART, Role.TRAINER, Role.VIEWER):
        user_set_role(user=everyone, role=role, country_codes=["PE"])
    SessionFactory(trainers=[everyone])  # the trainer role reaches sessions by assignment

    _busy_country(world, manager, counterpart, 1)
    small_queries, small_items = _queries(everyone)
    _busy_country(world, manager, counterpart, 4)
    large_queries, large_items = _queries(everyone)

    assert large_items > small_items
    assert small_queries == large_queries
    assert len(large_queries) <= 30


@pytest.mark.clock_sensitive
def test_the_home_page_makes_the_same_number_of_queries_whatever_the_data(world, client):
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    client.force_login(manager)

    def page_queries() -> int:
        client.get(reverse("home"))  # the session settles (the counts it keeps)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    _busy_country(world, manager, counterpart, 1)
    small = page_queries()
    _busy_country(world, manager, counterpart, 4)

    assert page_queries() == small


@pytest.mark.clock_sensitive
def test_with_the_data_cache_the_counts_follow_the_data_on_every_page(world, client, settings, redis_url):
    # given: the data cache on (Redis), and a manager who has not opened the home page
    settings.DATA_CACHE_SECONDS = 60
    manager, counterpart = world.users["manager"], world.users["counterpart"]
    day = date.today()
    first, second = (make_measure(world.engagement, title=title, by=manager) for title in ("Inspect", "Train"))
    round_ = open_round(world.engagement, opens_on=day - timedelta(days=2), due_date=day + timedelta(days=20))
    report(first, round_, counterpart)
    client.force_login(manager)
    assert "(1 waiting)" in client.get(reverse("engagements:list")).content.decode()

    # when: another report comes in
    report(second, round_, counterpart)

    # then: the next page counts it, without the work list computed again while nothing changes
    assert "(2 waiting)" in client.get(reverse("engagements:list")).content.decode()
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("engagements:list"))
    assert not [q for q in captured.captured_queries if "followups_statusupdate" in q["sql"]]
