from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from audit.registry import register


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Money")

    def ready(self):
        # Every change to money is in the audit trail; managers see the entries of their countries.
        register("finance.Budget", country_path="engagement__country")
        register("finance.Transaction", country_path="engagement__country")
        register("finance.IatiPublication")
