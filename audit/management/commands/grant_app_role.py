import os

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from audit.roles import RoleError
from audit.roles import grant_app_role


class Command(BaseCommand):
    help = _(
        "Create or update the database role the portal runs as: it may read and write every table, "
        "but only read and add to the audit trail. Run it as the owner of the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help=_("Name of the role"))
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help=_("Environment variable holding the role's password (the role may then sign in)"),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, password_env: str | None, database: str, **options):
        password = None
        if password_env:
            # The password never appears on a command line, where other users could read it.
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(_("%(variable)s is not set or empty.") % {"variable": password_env})
        try:
            grant_app_role(role, using=database, password=password)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Role %(role)s may read and write the portal's tables, and only read and add to the audit trail.")
            % {"role": role}
        )
