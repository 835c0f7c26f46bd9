from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from audit.models import AuditEntry, FailedLogin


class Command(BaseCommand):
    help = _("Delete audit entries and failed sign-ins older than a date (the retention period is yours to set).")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help=_("Delete what was recorded before this date (YYYY-MM-DD)"))

    def handle(self, *args, before: str, **options):
        try:
            cutoff = date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(_("--before must be a date such as 2025-01-31.")) from exc
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The trail refuses deletion (see audit/triggers.py) except inside this transaction.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('ta_portal.audit_purge', 'on', true)")
            entries, _detail = AuditEntry.objects.filter(at__date__lt=cutoff).delete()
            logins, _detail = FailedLogin.objects.filter(at__date__lt=cutoff).delete()
        self.stdout.write(_("Deleted %(entries)d audit entries and %(logins)d failed sign-ins.") % {
            "entries": entries, "logins": logins})
