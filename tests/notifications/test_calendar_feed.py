"""The calendar subscription: a secret address per user, readable without signing in, showing the
round due dates, training sessions, roundtables and network events of the user's scope and
nothing else; revoked, it answers 404."""

from datetime import date
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from accounts.roles import Role
from assessments.models import Roundtable
from notifications import feeds
from notifications import services
from notifications.models import CalendarFeed
from tests.factories import UserFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.network.factories import EventFactory
from tests.trainings.factories import SessionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def country_events(code: str, day: date, *, label: str) -> None:
    """A roundtable, a training session, a round due and a network event in one country."""
    engagement = other_engagement(code, title=f"{label} engagement")
    make_measure(engagement)
    open_round(engagement, opens_on=day, due_date=day + timedelta(days=30))
    Roundtable.objects.create(engagement=engagement, title=f"{label} roundtable", date=day + timedelta(days=10))
    SessionFactory(
        engagement=engagement,
        title=f"{label} session",
        start_date=day + timedelta(days=5),
        end_date=day + timedelta(days=7),
    )
    EventFactory(
        title=f"{label} meeting",
        host_country_id=code,
        countries=[code],
        start_date=day + timedelta(days=40),
        end_date=day + timedelta(days=41),
    )


def summaries(content: bytes) -> set[str]:
    calendar = Calendar.from_ical(content)
    return {str(event["summary"]) for event in calendar.walk("VEVENT")}


PERU = {
    "Peru roundtable",
    "Peru session",
    "Peru meeting",
    "Follow-up report due: Peru engagement",
}


@pytest.fixture
def two_countries(db):
    country_events("PE", TODAY, label="Peru")
    country_events("CO", TODAY, label="Colombia")


def test_an_insider_sees_their_country_s_events_and_no_other_country_s(two_countries):
    counterpart = make_user(Role.COUNTERPART, "PE")
    assert summaries(feeds.calendar_for(counterpart, today=TODAY)) == PERU


def test_someone_of_the_other_country_sees_only_theirs(two_countries):
    colombian = make_user(Role.COUNTERPART, "CO")
    assert summaries(feeds.calendar_for(colombian, today=TODAY)) == {
        "Colombia roundtable",
        "Colombia session",
        "Colombia meeting",
        "Follow-up report due: Colombia engagement",
    }


def test_an_outsider_sees_nothing(two_countries):
    outsider = UserFactory()  # no role anywhere
    assert summaries(feeds.calendar_for(outsider, today=TODAY)) == set()


def test_each_role_sees_what_its_scope_reaches(two_countries):
    # viewers read no roundtable; a trainer sees only the sessions assigned to them
    viewer = make_user(Role.VIEWER, "PE")
    assert "Peru roundtable" not in summaries(feeds.calendar_for(viewer, today=TODAY))
    trainer = make_user(Role.TRAINER, "PE")
    assert "Peru session" not in summaries(feeds.calendar_for(trainer, today=TODAY))
    global_manager = make_user(Role.MANAGER)
    assert PERU <= summaries(feeds.calendar_for(global_manager, today=TODAY))


def test_events_long_past_are_left_out(two_countries):
    counterpart = make_user(Role.COUNTERPART, "PE")
    assert summaries(feeds.calendar_for(counterpart, today=TODAY + timedelta(days=400))) == set()


@pytest.mark.parametrize("countries", [1, 6])
def test_the_feed_takes_the_same_queries_whatever_the_number_of_events(countries, django_assert_max_num_queries):
    for n in range(countries):
        country_events("PE", TODAY + timedelta(days=n), label=f"Peru {n}")
    counterpart = make_user(Role.COUNTERPART, "PE")
    with django_assert_max_num_queries(10):
        content = feeds.calendar_for(counterpart, today=TODAY)
    assert len(summaries(content)) == 4 * countries


# ---- The address --------------------------------------------------------------------------------


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.clock_sensitive
def test_the_address_works_without_signing_in_and_stops_once_revoked(settings):
    # given: events around today (the feed shows them relative to the day it is read)
    settings.SITE_URL = "https://portal.example.org"
    country_events("PE", timezone.localdate(), label="Peru")
    counterpart = make_user(Role.COUNTERPART, "PE", language="es")
    address = feeds.feed_url(services.calendar_feed_get(user=counterpart))
    assert address.startswith("https://portal.example.org/notifications/calendar/")
    # when: read by a calendar application (no session)
    response = Client().get(path_of(address))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Vence el informe de seguimiento: Peru engagement" in summaries(response.content)  # the owner's language
    assert "Peru roundtable" in summaries(response.content)
    # and once revoked the old address is 404, the new one works
    new_address = feeds.feed_url(services.calendar_feed_renew(user=counterpart))
    assert new_address != address
    assert Client().get(path_of(address)).status_code == 404
    assert Client().get(path_of(new_address)).status_code == 200


def test_a_wrong_secret_or_an_inactive_user_is_404(db):
    user = make_user(Role.COUNTERPART, "PE")
    feed = services.calendar_feed_get(user=user)
    good = path_of(feeds.feed_url(feed))
    assert Client().get(good.replace(feeds.feed_secret(feed), "0" * 64)).status_code == 404
    assert Client().get(reverse("notifications:calendar_feed", args=[feed.pk + 1000, "x"])).status_code == 404
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get(good).status_code == 404


def test_the_database_holds_no_usable_address(db):
    feed = services.calendar_feed_get(user=make_user(Role.COUNTERPART, "PE"))
    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert feeds.feed_secret(feed) not in str(stored)


def test_the_profile_and_the_api_give_the_same_address_and_the_profile_revokes_it(client, settings):
    settings.SITE_URL = "https://portal.example.org"
    user = make_user(Role.MANAGER, "PE")
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    url = api.get("/api/v1/me/calendar/").json()["url"]
    assert url in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("notifications:calendar_renew"))
    renewed = api.get("/api/v1/me/calendar/").json()["url"]
    assert renewed != url
    assert Client().get(path_of(url)).status_code == 404
