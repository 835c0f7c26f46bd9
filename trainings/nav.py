from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from ta_portal.navigation import NavItem


def nav_items(request) -> list[NavItem]:
    if scope_for(request.user, EVERY_ROLE).empty:
        return []
    return [NavItem(_("Trainings"), reverse("trainings:session_list"), "/trainings/")]


def engagement_links(request, engagement) -> list[NavItem]:
    url = reverse("trainings:session_list") + f"?engagement={engagement.pk}"
    return [NavItem(_("Training sessions"), url)]
