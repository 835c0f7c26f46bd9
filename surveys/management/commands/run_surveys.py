from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys import reminders
from surveys import services


class Command(BaseCommand):
    help = _("Open the evaluation surveys due on a day (today by default) and send their invitations and reminders.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day to act as, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date: str | None = None, **options):
        today = _parse(date) if date else timezone.localdate()
        opened = services.open_due_surveys(today=today)
        result = reminders.send_survey_emails(today=today)
        self.stdout.write(
            _("%(day)s: %(opened)d surveys opened, %(claimed)d e-mails claimed, %(again)d sent again.")
            % {
                "day": today.isoformat(),
                "opened": len(opened),
                "claimed": result["claimed"],
                "again": result["redispatched"],
            }
        )


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date must be a date as YYYY-MM-DD, not “%s”.") % value) from None
