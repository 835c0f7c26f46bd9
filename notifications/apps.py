from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Imported once the app registry is ready: audit.registry reads the models.
        from audit.registry import register  # noqa: PLC0415 (app loading: models -> audit.registry -> models)

        # Who renewed their calendar address, and when, is audited like the API tokens; the nonce
        # the address is derived from never enters the trail. Notifications and digests are
        # deliveries (many per write), not data: they are left out.
        register("notifications.CalendarFeed", redact=("nonce",), ignore=("last_used_at",))
        register("notifications.NotificationPreference")
