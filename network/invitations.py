"""Calendar invitations (RFC 5545) for network events, as a download and as an e-mail."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from ta_portal.ics import CalendarEvent
from ta_portal.ics import Participant
from ta_portal.ics import calendar_file
from ta_portal.ics import portal_organizer
from ta_portal.mail import render_subject
from ta_portal.mail import render_text
from ta_portal.mail import site_url

from .models import NetworkEvent
from .models import Registration


def event_location(event: NetworkEvent) -> str:
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
    lines.append(site_url(event.get_absolute_url()))
    return "\n".join(lines)


def event_calendar(event: NetworkEvent, *, registration: Registration | None = None) -> bytes:
    """The event as an iCalendar file: published for download, or a request addressed to one participant."""
    attendees = []
    if registration is not None:
        attendees.append(Participant(email=registration.person.email, name=registration.person.full_name))
    item = CalendarEvent.all_day(
        "network-event",
        event,
        sequence=event.sequence,
        location=event_location(event),
        description=_description(event),
        organizer=portal_organizer(),
        attendees=attendees,
        extra={"status": "CONFIRMED", "transp": "TRANSPARENT"},
    )
    return calendar_file(item, product="Precursor network", method="REQUEST" if registration else "PUBLISH")


def send_invitation_email(registration: Registration) -> None:
    """One e-mail with the invitation attached, in the participant's language when they have an account."""
    person = registration.person
    language = getattr(person.user, "language", "") if person.user_id else ""
    with translation.override(language or settings.LANGUAGE_CODE):
        event = registration.event
        context = {
            "event": event,
            "person": person,
            "location": event_location(event),
            "url": site_url(event.get_absolute_url()),
            "updated": registration.invitation_sequence not in (None, 0) or event.sequence > 0,
        }
        subject = render_subject("network/email/invitation_subject.txt", context)
        body = render_text("network/email/invitation.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[person.email])
    message.attach("invitation.ics", event_calendar(event, registration=registration), "text/calendar; method=REQUEST")
    message.send()
