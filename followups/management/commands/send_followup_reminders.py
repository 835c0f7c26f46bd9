from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.reminders import send_followup_reminders


class Command(BaseCommand):
    help = _(
        "Send the follow-up reminders and escalations due on a day (today by default); the beat job runs the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day to act as, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date: str | None = None, **options):
        today = _parse(date) if date else timezone.localdate()
        result = send_followup_reminders(today=today)
        self.stdout.write(
            _("%(day)s: %(rounds)d rounds waiting, %(claimed)d e-mails claimed, %(again)d sent again.")
            % {
                "day": today.isoformat(),
                "rounds": result["rounds"],
                "claimed": result["claimed"],
                "again": result["redispatched"],
            }
        )


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date must be a date as YYYY-MM-DD, not “%s”.") % value)
