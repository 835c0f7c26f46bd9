"""Calendar invitations (RFC 5545, ``.ics``) for every app: roundtables, training sessions, network
events, and the calendar each user subscribes to (``calendar_feed_file``).

Each app describes its event (``CalendarEvent``) and calls ``calendar_file``; the UID, the
organizer, attendees, all-day versus timed dates and the product line are written here once, with
the ``icalendar`` library. A stable UID plus a growing SEQUENCE lets a calendar update the event it
already holds instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event
from icalendar import vCalAddress
from icalendar import vDuration
from icalendar import vText

from ta_portal.mail import site_url


@dataclass(frozen=True)
class Participant:
    email: str
    name: str


@dataclass
class CalendarEvent:
    """One event. ``start``/``end`` are dates (an all-day event; ``end`` is the last day, inclusive)
    or aware datetimes (a timed event)."""

    uid_prefix: str  # e.g. "roundtable": the UID is "<prefix>-<pk>@<site host>"
    pk: int
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    sequence: int = 0
    location: str = ""
    description: str = ""
    url: str = ""
    organizer: Participant | None = None
    attendees: Sequence[Participant] = ()
    rsvp: bool = False  # ask attendees to answer
    # Further properties in the order written, e.g. {"status": "CONFIRMED"}.
    extra: dict = field(default_factory=dict)

    @classmethod
    def all_day(cls, uid_prefix: str, record, **properties) -> CalendarEvent:
        """An all-day event over a record's ``start_date`` to ``end_date``, named by its ``title`` and
        linking to its page."""
        return cls(
            uid_prefix=uid_prefix,
            pk=record.pk,
            summary=record.title,
            start=record.start_date,
            end=record.end_date,
            url=site_url(record.get_absolute_url()),
            **properties,
        )


def calendar_response(content: bytes, *, filename: str) -> HttpResponse:
    """An ``.ics`` file as a download."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "ta-portal"


def portal_organizer() -> Participant:
    """The portal's own sender, for invitations nobody in particular sends."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Participant(email=address, name=name or address)


def _address(person: Participant) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    return address


def _event(item: CalendarEvent) -> Event:
    event = Event()
    event.add("uid", f"{item.uid_prefix}-{item.pk}@{site_host()}")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("sequence", item.sequence)
    event.add("summary", item.summary)
    event.add("dtstart", item.start)
    if isinstance(item.end, dt.datetime):
        event.add("dtend", item.end)
    else:
        # The DTEND of an all-day event is exclusive: the day after the last day.
        event.add("dtend", item.end + dt.timedelta(days=1))
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    for name, value in item.extra.items():
        event.add(name, value)
    if item.organizer is not None:
        event.add("organizer", _address(item.organizer), encode=0)
    for person in item.attendees:
        if not person.email:
            continue
        attendee = _address(person)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        if item.rsvp:
            attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    return event


def _calendar(items: Sequence[CalendarEvent], *, product: str, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//TA Portal//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for item in items:
        calendar.add_component(_event(item))
    if any(isinstance(item.start, dt.datetime) for item in items):
        # A timed event in a local time zone needs its VTIMEZONE for calendars to place it.
        calendar.add_missing_timezones()
    return calendar


def calendar_file(item: CalendarEvent, *, product: str, method: str = "PUBLISH") -> bytes:
    """The ``.ics`` file: ``PUBLISH`` for a download, ``REQUEST`` for an invitation to attendees."""
    return _calendar([item], product=product, method=method).to_ical()


def calendar_feed_file(items: Sequence[CalendarEvent], *, product: str, name: str) -> bytes:
    """A calendar of many events that applications subscribe to (and poll): published, named, and
    with a hint of how often to look again."""
    calendar = _calendar(items, product=product, method="PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(dt.timedelta(hours=6)))
    return calendar.to_ical()
