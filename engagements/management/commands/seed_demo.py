from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.models import User
from engagements.demo import DEMO_PASSWORD
from engagements.demo import DEMO_USERS
from ta_portal import datacache
from ta_portal.discovery import portal_modules


class Command(BaseCommand):
    help = _("Build the demo world once (each app's demo.seed, in app order) and print the demo logins.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help=_("Seed again even if the demo exists."))

    def handle(self, *args, force: bool, **options):
        if force or not User.objects.filter(username="manager").exists():
            for module in portal_modules("demo"):
                module.seed(self.stdout)
            # The demos write in bulk too (bulk_create, update()), which sends no signal.
            datacache.all_changed()
        else:
            self.stdout.write(_("The demo data exists already; nothing to do (use --force to seed again)."))
        self.stdout.write(_("Demo logins (password for all: %s):") % DEMO_PASSWORD)
        for username, role, countries, *_rest in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {role:<12} {', '.join(countries) or _('all countries')}")
