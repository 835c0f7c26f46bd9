"""The roundtables in a user's calendar subscription (notifications.feeds)."""

from django.utils.translation import gettext as _

from ta_portal.ics import CalendarEvent
from ta_portal.mail import site_url

from .invitations import roundtable_location
from .invitations import roundtable_sequence
from .invitations import roundtable_times
from .models import Roundtable

LIMIT = 500


def calendar_events(user, *, start, end) -> list[CalendarEvent]:
    roundtables = (
        Roundtable.objects.visible_to(user)
        .filter(date__gte=start, date__lte=end)
        .select_related("engagement")
        .order_by("date", "pk")[:LIMIT]
    )
    events = []
    for roundtable in roundtables:
        first, last = roundtable_times(roundtable)
        events.append(
            CalendarEvent(
                uid_prefix="roundtable",
                pk=roundtable.pk,
                summary=roundtable.title,
                start=first,
                end=last,
                sequence=roundtable_sequence(roundtable),
                location=roundtable_location(roundtable),
                description=_("Roundtable of %(engagement)s") % {"engagement": roundtable.engagement.title},
                url=site_url(roundtable.get_absolute_url()),
            )
        )
    return events
