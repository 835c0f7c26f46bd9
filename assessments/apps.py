from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        # Web processes and workers both need to know how to render an assessment report.
        from reports import registry  # noqa: PLC0415 (app registry: imported once apps are ready)

        from .report import REPORT_KIND  # noqa: PLC0415 (app registry: .report imports the models)

        registry.register(REPORT_KIND)
