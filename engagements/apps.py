from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ta_portal import datacache


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = _("Engagements")

    def ready(self):
        # Every write to the programme's data moves its cache versions (ta_portal/datacache.py).
        datacache.watch()
