"""The training sessions in a user's calendar subscription (notifications.feeds): those the user
sees (their countries' sessions, or those they are assigned to as trainer)."""

from ta_portal.ics import CalendarEvent

from .models import TrainingSession

LIMIT = 500


def calendar_events(user, *, start, end) -> list[CalendarEvent]:
    sessions = (
        TrainingSession.objects.visible_to(user)
        .filter(start_date__lte=end, end_date__gte=start)
        .order_by("start_date", "pk")[:LIMIT]
    )
    return [
        CalendarEvent.all_day(
            "training-session",
            session,
            sequence=int(session.updated_at.timestamp()) % 2_000_000_000,
            location=session.venue,
            description=str(session.get_kind_display()),
        )
        for session in sessions
    ]
