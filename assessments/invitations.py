"""Calendar invitations (RFC 5545) for roundtables, with the attendees of the list."""

import zoneinfo
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Roundtable


def roundtable_invitation(roundtable: Roundtable, *, organizer=None) -> bytes:
    """An iCalendar invitation (METHOD:REQUEST). Timed when the roundtable has times (in its time
    zone), otherwise an all-day event. The SEQUENCE follows the last change, so calendars update
    the event they already hold instead of adding a second one."""
    event = Event()
    host = urlsplit(settings.SITE_URL).hostname or "ta-portal"
    event.add("uid", f"roundtable-{roundtable.pk}@{host}")
    event.add("summary", roundtable.title)
    event.add("dtstamp", timezone.now())
    event.add("sequence", int(roundtable.updated_at.timestamp()) if roundtable.updated_at else 0)
    if roundtable.start_time:
        zone = zoneinfo.ZoneInfo(roundtable.time_zone)
        start = datetime.combine(roundtable.date, roundtable.start_time, tzinfo=zone)
        end = (
            datetime.combine(roundtable.date, roundtable.end_time, tzinfo=zone)
            if roundtable.end_time
            else start + timedelta(hours=3)
        )
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", roundtable.date)
        event.add("dtend", roundtable.date + timedelta(days=1))
    location = roundtable.venue or (_("Online") if roundtable.online else "")
    if location:
        event.add("location", location)
    if roundtable.online and roundtable.venue.startswith(("https://", "http://")):
        event.add("url", roundtable.venue)
    description = [roundtable.agenda] if roundtable.agenda else []
    if roundtable.assessment_id:
        description.insert(0, _("Presentation of the assessment: %(title)s") % {"title": roundtable.assessment.title})
    if description:
        event.add("description", "\n\n".join(description))
    organizer_email = getattr(organizer, "email", "") or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    address = vCalAddress(f"mailto:{organizer_email}")
    address.params["cn"] = vText(str(organizer) if organizer else _("TA Portal"))
    event.add("organizer", address, encode=0)
    for row in roundtable.attendance.select_related("person").order_by("person__full_name"):
        if not row.person.email:
            continue
        attendee = vCalAddress(f"mailto:{row.person.email}")
        attendee.params["cn"] = vText(row.person.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    calendar = Calendar()
    calendar.add("prodid", "-//TA Portal//Roundtables//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
