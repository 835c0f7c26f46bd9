from datetime import date
from datetime import datetime
from datetime import time

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import FailedLogin
from audit.triggers import purge


class Command(BaseCommand):
    help = _("Delete audit entries and failed sign-ins older than a date (the retention period is yours to set).")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help=_("Delete what was recorded before this date (YYYY-MM-DD)"))

    def handle(self, *args, before: str, **options):
        try:
            cutoff = date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(_("--before must be a date such as 2025-01-31.")) from exc
        # Midnight at the start of that day, in the portal's time zone.
        moment = timezone.make_aware(datetime.combine(cutoff, time.min))
        try:
            with transaction.atomic():
                # Only the owner of the trail may run the purge (audit/triggers.py, audit/roles.py).
                entries = purge(moment)
                logins, _detail = FailedLogin.objects.filter(at__lt=moment).delete()
        except DatabaseError as exc:
            if getattr(exc.__cause__, "pgcode", None) != "42501":  # insufficient_privilege
                raise
            raise CommandError(
                _("Only the owner of the audit trail may purge it: run this with DATABASE_URL naming the owner role.")
            ) from exc
        self.stdout.write(
            _("Deleted %(entries)d audit entries and %(logins)d failed sign-ins.")
            % {"entries": entries, "logins": logins}
        )
