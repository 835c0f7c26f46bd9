import os

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_assign_sole_role

PASSWORD_VARIABLE = "TA_PORTAL_PASSWORD"  # noqa: S105 (the name of a variable, not a password)


class Command(BaseCommand):
    help = _(
        "Create or update a user with one role, for some countries or (without --country) for all. "
        "Running it again sets the role and countries anew. The password comes from the "
        "TA_PORTAL_PASSWORD environment variable, never the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--country", action="append", default=[], metavar="CODE", help=_("ISO 3166 code; repeatable")
        )
        parser.add_argument("--email", default=None)

    def handle(self, *args, username, role, country, email, **options):
        username = username.strip()
        if not username:
            raise CommandError(_("The username must not be empty."))
        codes = sorted({code.strip().upper() for code in country})
        if role == Role.ADMIN and codes:
            raise CommandError(_("Administrators reach every country; leave out --country."))
        # Countries are named by model label, as in Membership: accounts imports no other app.
        Country = apps.get_model("engagements", "Country")  # noqa: N806
        unknown = sorted(set(codes) - set(Country.objects.filter(code__in=codes).values_list("code", flat=True)))
        if unknown:
            raise CommandError(_("Unknown country code(s): %s") % ", ".join(unknown))
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(_("Not a valid e-mail address: %s") % email)
        password = os.environ.get(PASSWORD_VARIABLE, "")
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                if not password:
                    raise CommandError(_("Set %s to give the new user a password.") % PASSWORD_VARIABLE)
                user = User(username=username)
            if email is not None:
                user.email = email
            if password:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages))
                user.set_password(password)
            user.save()
            user_assign_sole_role(user=user, role=role, country_codes=codes)
        verb = _("Created") if created else _("Updated")
        scope = ", ".join(codes) or _("all countries")
        self.stdout.write(f"{verb} {username}: {role} ({scope})")
