"""The calendar subscription: its secret address, and the calendar behind it.

The address is ``/notifications/calendar/<feed id>/<secret>.ics``, the secret an HMAC of the feed's
nonce under the site's SECRET_KEY. Like the API tokens (accounts/apitokens.py) the database holds
nothing usable on its own; unlike them the address can be shown again (calendar applications keep
polling it, so people copy it more than once). Revoking draws a new nonce. Changing SECRET_KEY
revokes every address.

The events come from each app's ``calendar.py`` (``calendar_events(user, *, start, end)``), found by
discovery, so this app imports none of them; each app returns only what the user's scope reaches.
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ta_portal.discovery import portal_modules
from ta_portal.ics import calendar_feed_file
from ta_portal.mail import site_url

from .models import CalendarFeed

SALT = "notifications.calendar-feed"
# What a subscription shows: half a year back (what was just done) to two years ahead.
DAYS_BEFORE = 183
DAYS_AFTER = 731


def feed_secret(feed: CalendarFeed) -> str:
    return salted_hmac(SALT, f"{feed.pk}:{feed.user_id}:{feed.nonce}", algorithm="sha256").hexdigest()


def feed_url(feed: CalendarFeed) -> str:
    """The absolute address calendar applications subscribe to."""
    return site_url(reverse("notifications:calendar_feed", args=[feed.pk, feed_secret(feed)]))


def feed_for_secret(pk: int, secret: str) -> CalendarFeed | None:
    """The live subscription this address names, or None (unknown, revoked, or its user is inactive)."""
    feed = CalendarFeed.objects.select_related("user").filter(pk=pk, user__is_active=True).first()
    if feed is None or not hmac.compare_digest(feed_secret(feed), secret):
        return None
    return feed


def calendar_for(user, *, today: dt.date | None = None) -> bytes:
    """The user's calendar: every app's events in the user's scope, from half a year back."""
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=DAYS_BEFORE), today + dt.timedelta(days=DAYS_AFTER)
    events = []
    for module in portal_modules("calendar"):
        events.extend(module.calendar_events(user, start=start, end=end))
    return calendar_feed_file(events, product="Calendar", name="TA Portal")
