from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        # Web processes and workers both need to know how to render an annual progress report.
        from reports import registry

        from .report import REPORT_KIND

        registry.register(REPORT_KIND)
