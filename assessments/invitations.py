"""Calendar invitations (RFC 5545) for roundtables, with the attendees of the list."""

import zoneinfo
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from ta_portal.ics import CalendarEvent
from ta_portal.ics import Participant
from ta_portal.ics import calendar_file

from .models import Roundtable


def roundtable_times(roundtable: Roundtable) -> tuple[date | datetime, date | datetime]:
    """Start and end: timed when the roundtable has times (in its time zone), otherwise its day."""
    if not roundtable.start_time:
        return roundtable.date, roundtable.date
    zone = zoneinfo.ZoneInfo(roundtable.time_zone)
    start = datetime.combine(roundtable.date, roundtable.start_time, tzinfo=zone)
    end = (
        datetime.combine(roundtable.date, roundtable.end_time, tzinfo=zone)
        if roundtable.end_time
        else start + timedelta(hours=3)
    )
    return start, end


def roundtable_sequence(roundtable: Roundtable) -> int:
    """The SEQUENCE follows the last change, so calendars update the event they already hold."""
    return int(roundtable.updated_at.timestamp()) if roundtable.updated_at else 0


def roundtable_location(roundtable: Roundtable) -> str:
    return roundtable.venue or (_("Online") if roundtable.online else "")


def roundtable_invitation(roundtable: Roundtable, *, organizer=None) -> bytes:
    """An iCalendar invitation (METHOD:REQUEST). Timed when the roundtable has times (in its time
    zone), otherwise an all-day event. The SEQUENCE follows the last change, so calendars update
    the event they already hold instead of adding a second one."""
    start, end = roundtable_times(roundtable)
    description = [roundtable.agenda] if roundtable.agenda else []
    if roundtable.assessment_id:
        description.insert(0, _("Presentation of the assessment: %(title)s") % {"title": roundtable.assessment.title})
    organizer_email = getattr(organizer, "email", "") or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    attendance = roundtable.attendance.select_related("person").order_by("person__full_name")
    item = CalendarEvent(
        uid_prefix="roundtable",
        pk=roundtable.pk,
        summary=roundtable.title,
        start=start,
        end=end,
        sequence=roundtable_sequence(roundtable),
        location=roundtable_location(roundtable),
        description="\n\n".join(description),
        url=roundtable.venue if roundtable.online and roundtable.venue.startswith(("https://", "http://")) else "",
        organizer=Participant(email=organizer_email, name=str(organizer) if organizer else _("TA Portal")),
        attendees=[Participant(email=row.person.email, name=row.person.full_name) for row in attendance],
        rsvp=True,
    )
    return calendar_file(item, product="Roundtables", method="REQUEST")
