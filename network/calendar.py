"""The network events in a user's calendar subscription (notifications.feeds)."""

from ta_portal.ics import CalendarEvent

from .invitations import event_location
from .models import NetworkEvent

LIMIT = 500


def calendar_events(user, *, start, end) -> list[CalendarEvent]:
    events = (
        NetworkEvent.objects.visible_to(user)
        .filter(start_date__lte=end, end_date__gte=start)
        .select_related("host_country")
        .order_by("start_date", "pk")[:LIMIT]
    )
    return [
        CalendarEvent.all_day(
            "network-event",
            event,
            sequence=event.sequence,
            location=event_location(event),
            extra={"transp": "TRANSPARENT"},
        )
        for event in events
    ]
