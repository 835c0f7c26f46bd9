from django.core.management.base import BaseCommand

from reports.services import reports_redispatch_pending


class Command(BaseCommand):
    help = "Queue again the reports requested while the broker was unreachable (beat runs this every minute)."

    def handle(self, *args, **options):
        sent = reports_redispatch_pending()
        self.stdout.write(f"{sent} pending report(s) queued again.")
