from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.services import open_scheduled_rounds

from .send_followup_reminders import _parse


class Command(BaseCommand):
    help = _(
        "Open the follow-up rounds the schedules call for on a day (today by default); the beat job runs the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day to act as, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date: str | None = None, **options):
        today = _parse(date) if date else timezone.localdate()
        opened = open_scheduled_rounds(today=today)
        self.stdout.write(_("%(day)s: %(n)d rounds opened.") % {"day": today.isoformat(), "n": len(opened)})
        for round_ in opened:
            self.stdout.write(f"  {round_.engagement} · {round_.opens_on} → {round_.due_date}")
