from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Importing them connects their sign-in signal receivers; they use the auth forms and models,
        # so they load once the app registry is ready.
        from . import lockout  # noqa: F401, PLC0415 (needs the app registry)
        from . import otp  # noqa: F401, PLC0415 (needs the app registry)
        from . import tokencache  # noqa: F401, PLC0415 (needs the app registry)
        from . import visits  # noqa: F401, PLC0415 (needs the app registry)

        # Writes that end a token or change a user's reach forget the cached tokens.
        tokencache.watch()
