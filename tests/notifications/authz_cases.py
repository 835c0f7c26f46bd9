"""Notifications and the calendar subscription: each user's own, whatever their role or country.

Another user's notification is 404 to everyone (administrators included: notifications are
personal). The calendar feed needs no sign-in: its secret address is the key; a revoked address
is 404.
"""

from urllib.parse import urlsplit

from django.urls import reverse

from notifications import services
from notifications.feeds import feed_url
from notifications.models import Notification
from tests.authz import Case
from tests.authz import same
from tests.factories import make_user

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")
EVERYONE = {role: same(200) for role in ROLES}
REDIRECTED = {role: same(302) for role in ROLES}
NOT_FOUND = {role: same(404) for role in ROLES}


def _someone_elses_notification(world):
    owner = make_user("counterpart", world.own, username="notified_elsewhere")
    world.notification = Notification.objects.create(recipient=owner, kind="followups.report_accepted")
    world.other_notification = world.notification


def _feeds(world):
    """The own side: a live subscription; the other side: one that was revoked (its old address)."""
    live = services.calendar_feed_get(user=world.users["counterpart"])
    revoked_owner = make_user("counterpart", world.other, username="revoked_feed")
    revoked = services.calendar_feed_get(user=revoked_owner)
    old_address = urlsplit(feed_url(revoked)).path
    services.calendar_feed_renew(user=revoked_owner)
    world.feed_address = urlsplit(feed_url(live)).path
    world.other_feed_address = old_address


CASES = [
    Case("notifications page", "notifications:list", "GET", lambda w, s: reverse("notifications:list"), EVERYONE),
    Case(
        "mark someone else's notification read",
        "notifications:read",
        "POST",
        lambda w, s: reverse("notifications:read", args=[w.notification.pk]),
        NOT_FOUND,
        data=lambda w, s: {},
        setup=_someone_elses_notification,
    ),
    Case(
        "mark all one's notifications read",
        "notifications:read_all",
        "POST",
        lambda w, s: reverse("notifications:read_all"),
        REDIRECTED,
        data=lambda w, s: {},
    ),
    Case(
        "choose one's e-mail digest",
        "notifications:digest",
        "POST",
        lambda w, s: reverse("notifications:digest"),
        REDIRECTED,
        data=lambda w, s: {"digest": "weekly"},
    ),
    Case(
        "renew one's calendar address",
        "notifications:calendar_renew",
        "POST",
        lambda w, s: reverse("notifications:calendar_renew"),
        REDIRECTED,
        data=lambda w, s: {},
    ),
    Case(
        "calendar feed: live address answers anyone, a revoked one nobody",
        "notifications:calendar_feed",
        "GET",
        lambda w, s: w.feed_address if s == "own" else w.other_feed_address,
        {role: (200, 404) for role in ROLES},
        anonymous=200,
        setup=_feeds,
    ),
    Case("API notifications", "notification-list", "GET", lambda w, s: "/api/v1/notifications/", EVERYONE, api=True),
    Case(
        "API mark someone else's notification read",
        "notification-read",
        "POST",
        lambda w, s: f"/api/v1/notifications/{w.notification.pk}/read/",
        NOT_FOUND,
        api=True,
        setup=_someone_elses_notification,
    ),
    Case("API my calendar address", "api-my-calendar", "GET", lambda w, s: "/api/v1/me/calendar/", EVERYONE, api=True),
]
