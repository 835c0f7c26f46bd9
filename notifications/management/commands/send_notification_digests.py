from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.digest import send_notification_digests


class Command(BaseCommand):
    help = _("Send the notification digests due on a day (today by default); the beat job runs the same.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day to act as, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date: str | None = None, **options):
        today = _parse(date) if date else timezone.localdate()
        result = send_notification_digests(today=today)
        self.stdout.write(
            _("%(day)s: %(claimed)d digests claimed, %(again)d sent again.")
            % {"day": today.isoformat(), "claimed": result["claimed"], "again": result["redispatched"]}
        )


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date must be a date as YYYY-MM-DD, not “%s”.") % value)
