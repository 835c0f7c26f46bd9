"""Who is told of what: each write that concerns someone raises one notification for each person
concerned, within the object's scope and nobody else, once the write commits."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from followups import services as followups
from network import services as network
from network.models import Document
from network.models import NetworkEvent
from notifications import kinds
from notifications.models import Notification
from notifications.services import notify
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report
from tests.network.factories import EventFactory
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.services import certificates_issue

pytestmark = pytest.mark.django_db

DAY0 = date(2026, 3, 2)


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def peru(db):
    people = {
        "ana": make_user(Role.COUNTERPART, "PE", username="ana", language="es"),
        "ben": make_user(Role.COUNTERPART, "PE", username="ben"),
        "gone": make_user(Role.COUNTERPART, "PE", username="gone", is_active=False),
        "carla": make_user(Role.COUNTERPART, "CO", username="carla"),
        "boss": make_user(Role.MANAGER, "PE", username="boss"),
        "other_boss": make_user(Role.MANAGER, "PE", username="other_boss"),
        "co_boss": make_user(Role.MANAGER, "CO", username="co_boss"),
        "viewer": make_user(Role.VIEWER, "PE", username="vic"),
    }
    engagement = other_engagement("PE", title="Peru follow-up")
    engagement.managers.add(people["boss"])
    people["measure"] = make_measure(engagement, title="Adopt the inspection plan")
    people["engagement"] = engagement
    return people


def test_nothing_is_stored_before_the_write_commits(peru, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[peru["ana"]], kind="followups.report_accepted", params={"measure": "M"})
    assert Notification.objects.count() == 0
    for callback in callbacks:
        callback()
    assert told("followups.report_accepted") == ["ana"]


def test_an_undeclared_kind_is_refused(peru):
    with pytest.raises(ValueError):
        notify(recipients=[peru["ana"]], kind="nobody.declared_this")


def test_a_round_opened_tells_the_country_s_active_counterparts_only(peru, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = open_round(peru["engagement"], opens_on=DAY0, due_date=date(2026, 4, 1))
    assert told("followups.round_opened") == ["ana", "ben"]
    notification = Notification.objects.filter(kind="followups.round_opened").first()
    assert notification.url == round_.get_absolute_url()
    assert notification.params == {"engagement": "Peru follow-up", "due": "2026-04-01"}


def test_a_report_submitted_tells_the_engagement_s_managers_and_its_return_tells_the_author(
    peru, django_capture_on_commit_callbacks
):
    round_ = open_round(peru["engagement"], opens_on=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        update = report(peru["measure"], round_, peru["ana"])
    # the engagement names its manager: only that one (not the other Peruvian manager, never Colombia's)
    assert told("followups.report_submitted") == ["boss"]
    with django_capture_on_commit_callbacks(execute=True):
        followups.status_update_review(update=update, by=peru["boss"], accept=False, comment="Attach the plan.")
    assert told("followups.report_returned") == ["ana"]
    returned = Notification.objects.get(kind="followups.report_returned")
    assert returned.url == update.get_absolute_url()
    # read in the author's language, with the comment as typed
    with translation.override("en"):
        assert kinds.message(returned.kind, returned.params) == (
            "Your report on “Adopt the inspection plan” was returned: Attach the plan."
        )


def test_an_accepted_report_tells_its_author(peru, django_capture_on_commit_callbacks):
    round_ = open_round(peru["engagement"], opens_on=DAY0)
    update = report(peru["measure"], round_, peru["ben"])
    with django_capture_on_commit_callbacks(execute=True):
        followups.status_update_review(update=update, by=peru["boss"], accept=True)
    assert told("followups.report_accepted") == ["ben"]


def test_an_engagement_naming_no_manager_tells_the_country_s_managers(peru, django_capture_on_commit_callbacks):
    peru["engagement"].managers.clear()
    round_ = open_round(peru["engagement"], opens_on=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        report(peru["measure"], round_, peru["ana"])
    assert told("followups.report_submitted") == ["boss", "other_boss"]


def test_a_named_manager_who_no_longer_manages_the_country_is_not_told(peru, django_capture_on_commit_callbacks):
    peru["engagement"].managers.set([peru["co_boss"]])
    round_ = open_round(peru["engagement"], opens_on=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        report(peru["measure"], round_, peru["ana"])
    assert "co_boss" not in told("followups.report_submitted")


def test_a_manager_s_own_report_tells_nobody(peru, django_capture_on_commit_callbacks):
    round_ = open_round(peru["engagement"], opens_on=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        report(peru["measure"], round_, peru["boss"])
    assert told("followups.report_submitted") == []


def test_a_certificate_tells_its_holder_if_they_are_a_user(peru, django_capture_on_commit_callbacks):
    session = SessionFactory(engagement=peru["engagement"], title="Risk profiling")
    holder = PersonFactory(user=peru["ben"])
    EnrolmentFactory(session=session, person=holder, days_attended=5, post_score=Decimal(45))
    EnrolmentFactory(session=session, days_attended=5, post_score=Decimal(45))  # no account: nobody to tell
    with django_capture_on_commit_callbacks(execute=True):
        issued = certificates_issue(session=session, by=peru["boss"])
    assert len(issued) == 2
    assert told("trainings.certificate_issued") == ["ben"]
    notification = Notification.objects.get(kind="trainings.certificate_issued")
    mine = next(c for c in issued if c.enrolment.person == holder)
    assert notification.url == mine.get_verify_url()


PE_USERS = {f"{role}_pe" for role in Role.values} | {"admin_global", "manager_global"}
CO_USERS = {f"{role}_co" for role in Role.values}
AUDIENCES = {
    # who is in each audience (the uploader, manager_pe, is never told of their own upload)
    "everyone": PE_USERS | CO_USERS,
    "network": {"viewer_pe", "counterpart_co"},
    "event": {"trainer_pe", "viewer_co"},
    "country": PE_USERS,
    "managers": {"admin_pe", "admin_global", "manager_global", "admin_co", "manager_co"},
}


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_a_shared_document_tells_its_audience_and_nobody_who_may_not_read_it(
    world, audience, django_capture_on_commit_callbacks
):
    # given: users of every role in both countries, a network and an event with members
    co = {role: make_user(role, "CO", username=f"{role}_co") for role in Role.values}
    network_ = NetworkFactory(members=[world.users["viewer"], co["counterpart"]])
    event = EventFactory(organisers=[world.users["trainer"]])
    network.event_register(event=event, person=PersonFactory(user=co["viewer"]), by=world.users["admin"])
    fields = {
        "network": {"audience_network": network_},
        "event": {"audience_event": event},
        "country": {"audience_country_id": "PE"},
    }.get(audience, {})
    uploader = world.users["manager"]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(by=uploader, title="Risk indicators", audience=audience, **fields)
    # then: the audience is told, and everyone told may read it
    notified = set(told("network.document_shared"))
    assert notified == AUDIENCES[audience] - {uploader.username}
    readers = {u.username for u in User.objects.all() if Document.objects.visible_to(u).filter(pk=document.pk).exists()}
    assert notified <= readers
    assert Notification.objects.filter(kind="network.document_shared").first().url == document.get_absolute_url()


def test_an_event_registration_and_a_move_tell_the_registered_user(world, django_capture_on_commit_callbacks):
    event = EventFactory(title="Annual meeting")
    person = PersonFactory(user=world.users["counterpart"])
    with django_capture_on_commit_callbacks(execute=True):
        network.event_register(event=event, person=person, by=world.users["manager"])
        network.event_register(event=event, person=PersonFactory(), by=world.users["manager"])  # no account
    assert told("network.event_invited") == ["counterpart_pe"]
    event = NetworkEvent.objects.get(pk=event.pk)
    event.start_date, event.end_date = date(2026, 6, 1), date(2026, 6, 3)
    with django_capture_on_commit_callbacks(execute=True):
        network.event_save(event=event, by=world.users["manager"])
    assert told("network.event_changed") == ["counterpart_pe"]
    changed = Notification.objects.get(kind="network.event_changed")
    assert changed.params == {"title": "Annual meeting", "start": "2026-06-01", "end": "2026-06-03"}
    # a change that does not move the meeting tells nobody again
    event.description = "Bring your laptop."
    with django_capture_on_commit_callbacks(execute=True):
        network.event_save(event=event, by=world.users["manager"])
    assert told("network.event_changed") == ["counterpart_pe"]


def test_widening_a_documents_audience_tells_only_those_it_adds(world, django_capture_on_commit_callbacks):
    # given: a document shared with the managers, who were told
    uploader = world.users["manager"]
    co = {role: make_user(role, "CO", username=f"{role}_co") for role in Role.values}
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(by=uploader, title="Risk indicators", audience="managers")
    told_first = set(told("network.document_shared"))
    assert told_first == AUDIENCES["managers"] - {uploader.username}
    # when: another manager opens it to Peru's users, then edits only its title
    editor = co["admin"]
    document = Document.objects.get(pk=document.pk)
    document.audience, document.audience_country_id = "country", "PE"
    with django_capture_on_commit_callbacks(execute=True):
        network.document_update(document=document, by=editor)
    # then: Peru's users who could not read it before are told once; the managers not again
    added = PE_USERS - {u.username for u in User.objects.filter(username__in=told_first)} - {uploader.username}
    assert added, "the new audience adds someone"
    counts = Notification.objects.filter(kind="network.document_shared").values_list("recipient__username", flat=True)
    assert sorted(counts) == sorted(told_first | added)
    # an edit that keeps the audience tells nobody
    document.title = "Risk indicators, 2027"
    with django_capture_on_commit_callbacks(execute=True):
        network.document_update(document=document, by=editor)
    assert sorted(told("network.document_shared")) == sorted(told_first | added)
    # narrowing it back tells nobody either, not even those it gives the document back to
    document.audience, document.audience_country_id = "managers", None
    with django_capture_on_commit_callbacks(execute=True):
        network.document_update(document=document, by=editor)
    assert Notification.objects.filter(kind="network.document_shared").count() == len(told_first | added)
