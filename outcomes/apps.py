from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from reports import registry


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        # Web processes and workers both need to know how to render an annual progress report.
        from .report import REPORT_KIND  # noqa: PLC0415 (app registry: outcomes.report imports the models)

        registry.register(REPORT_KIND)
        # The results framework belongs to no country: covered by label (audit.registry).
        from audit.registry import register  # noqa: PLC0415 (app loading: models -> audit.registry -> models)

        for label in ("outcomes.Indicator", "outcomes.IndicatorPeriod", "outcomes.ObjectiveNarrative"):
            register(label)
