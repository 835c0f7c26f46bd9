from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from .certificates import register  # noqa: PLC0415 (reads the models: needs the app registry)

        register()  # the certificate PDF kind, known to web processes and workers alike
