from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        # Web processes and workers both need to know how to render an assessment report.
        from reports import registry

        from .report import REPORT_KIND

        registry.register(REPORT_KIND)
