from django.urls import reverse
from django.utils.translation import gettext as _

from engagements.access import can_edit_engagement
from ta_portal.navigation import NavItem

from .access import can_read_assessments


def nav_items(request) -> list[NavItem]:
    if not can_read_assessments(request.user):
        return []
    return [NavItem(_("Assessments"), reverse("assessments:list"), "/assessments/")]


def engagement_links(request, engagement) -> list[NavItem]:
    user = request.user
    links = []
    if can_read_assessments(user):
        links.append(NavItem(_("Assessments"), f"{reverse('assessments:list')}?engagement={engagement.pk}"))
        links.append(NavItem(_("Roundtables"), f"{reverse('assessments:roundtable_list')}?engagement={engagement.pk}"))
    if can_edit_engagement(user, engagement):
        links.append(NavItem(_("New assessment"), f"{reverse('assessments:create')}?engagement={engagement.pk}"))
        links.append(
            NavItem(_("Plan a roundtable"), f"{reverse('assessments:roundtable_create')}?engagement={engagement.pk}")
        )
    return links
