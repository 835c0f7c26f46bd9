from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .access import can_see_trainings


def nav_items(request) -> list[NavItem]:
    if not can_see_trainings(request.user):
        return []
    return [NavItem(_("Trainings"), reverse("trainings:session_list"), "/trainings/")]


def engagement_links(request, engagement) -> list[NavItem]:
    url = reverse("trainings:session_list") + f"?engagement={engagement.pk}"
    return [NavItem(_("Training sessions"), url)]
