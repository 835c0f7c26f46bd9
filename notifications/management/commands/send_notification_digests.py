from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.digest import send_notification_digests


class Command(BaseCommand):
    help = _("Send the notification digests due on a day (today by default); the beat job runs the same.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day to act as, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date: str | None = None, **options):
        today = _parse(date) if date else timezone.localdate()
        result = send_notification_digests(today=today)
        claimed = ngettext("%(count)d digest claimed", "%(count)d digests claimed", result["claimed"]) % {
            "count": result["claimed"]
        }
        again = ngettext("%(count)d sent again", "%(count)d sent again", result["redispatched"]) % {
            "count": result["redispatched"]
        }
        self.stdout.write(f"{today.isoformat()}: {claimed}, {again}.")


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date must be a date as YYYY-MM-DD, not “%s”.") % value)
