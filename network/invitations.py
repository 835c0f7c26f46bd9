"""Calendar invitations (RFC 5545) for network events, as a download and as an e-mail."""

import datetime as dt
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import NetworkEvent, Registration


def _uid(event: NetworkEvent) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "ta-portal"
    return f"network-event-{event.pk}@{host}"


def _location(event: NetworkEvent) -> str:
    parts = [event.venue, event.city, event.host_country.local_name if event.host_country_id else ""]
    place = ", ".join(part for part in parts if part)
    if event.online_url:
        place = f"{place} ({event.online_url})" if place else event.online_url
    return place


def _description(event: NetworkEvent) -> str:
    lines = [event.description.strip()] if event.description else []
    items = list(event.agenda_items.all())
    if items:
        lines.append(_("Agenda:"))
        for item in items:
            when = item.day.isoformat()
            if item.start_time:
                when += f" {item.start_time:%H:%M}"
                if item.end_time:
                    when += f"–{item.end_time:%H:%M}"
            speakers = f" ({item.speakers})" if item.speakers else ""
            lines.append(f"{when} {item.title}{speakers}")
    lines.append(settings.SITE_URL + event.get_absolute_url())
    return "\n".join(lines)


def event_calendar(event: NetworkEvent, *, registration: Registration | None = None) -> bytes:
    """The event as an iCalendar file: published for download, or a request addressed to one participant."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//TA Portal//Precursor network//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST" if registration else "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", _uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    # All-day events: DTEND is exclusive, the day after the last day.
    vevent.add("dtstart", event.start_date)
    vevent.add("dtend", event.end_date + dt.timedelta(days=1))
    location = _location(event)
    if location:
        vevent.add("location", location)
    vevent.add("description", _description(event))
    vevent.add("url", settings.SITE_URL + event.get_absolute_url())
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = icalendar.vText(name or address)
    vevent["organizer"] = organizer
    if registration is not None:
        attendee = icalendar.vCalAddress(f"mailto:{registration.person.email}")
        attendee.params["cn"] = icalendar.vText(registration.person.full_name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    return calendar.to_ical()


def send_invitation_email(registration: Registration) -> None:
    """One e-mail with the invitation attached, in the participant's language when they have an account."""
    person = registration.person
    language = getattr(person.user, "language", "") if person.user_id else ""
    with translation.override(language or settings.LANGUAGE_CODE):
        event = registration.event
        context = {
            "event": event,
            "person": person,
            "location": _location(event),
            "url": settings.SITE_URL + event.get_absolute_url(),
            "updated": registration.invitation_sequence not in (None, 0) or event.sequence > 0,
        }
        subject = render_to_string("network/email/invitation_subject.txt", context).strip()
        body = render_to_string("network/email/invitation.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[person.email])
    message.attach("invitation.ics", event_calendar(event, registration=registration), "text/calendar; method=REQUEST")
    message.send()
