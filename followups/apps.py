from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up")

    def ready(self):
        # Imported once the app registry is ready: audit.registry reads the models.
        from audit.registry import exempt  # noqa: PLC0415 (app loading: models -> audit.registry -> models)

        # The e-mail log is itself a delivery record, written several times per e-mail by the
        # reminder job (tens of thousands of rows a run): a trail of its status flips would
        # double the job's cost and tell nothing the log does not.
        exempt("followups.ReminderLog")
