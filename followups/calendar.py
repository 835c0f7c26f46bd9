"""The due dates of follow-up rounds in a user's calendar subscription (notifications.feeds)."""

from django.utils.translation import gettext as _

from ta_portal.ics import CalendarEvent
from ta_portal.mail import site_url

from .models import FollowupRound

LIMIT = 500


def calendar_events(user, *, start, end) -> list[CalendarEvent]:
    rounds = (
        FollowupRound.objects.visible_to(user)
        .filter(due_date__gte=start, due_date__lte=end, recorded_at__isnull=True)
        .select_related("engagement")
        .order_by("due_date", "pk")[:LIMIT]
    )
    return [
        CalendarEvent(
            uid_prefix="followup-round-due",
            pk=round_.pk,
            summary=_("Follow-up report due: %(engagement)s") % {"engagement": round_.engagement.title},
            start=round_.due_date,
            end=round_.due_date,
            url=site_url(round_.get_absolute_url()),
            extra={"transp": "TRANSPARENT"},
        )
        for round_ in rounds
    ]
