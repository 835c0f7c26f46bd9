from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .access import can_import_history


def nav_items(request) -> list[NavItem]:
    if not can_import_history(request.user):
        return []
    return [NavItem(_("History"), reverse("history:import_list"), "/history/", secondary=True)]
