from django.urls import reverse
from django.utils.translation import gettext as _

from engagements.models import Engagement
from ta_portal.navigation import NavItem

from .selectors import may_read_assessments


def nav_items(request) -> list[NavItem]:
    if not may_read_assessments(request.user):
        return []
    return [NavItem(_("Assessments"), reverse("assessments:list"), "/assessments/")]


def engagement_links(request, engagement) -> list[NavItem]:
    user = request.user
    links = []
    if may_read_assessments(user):
        links.append(NavItem(_("Assessments"), f"{reverse('assessments:list')}?engagement={engagement.pk}"))
        links.append(NavItem(_("Roundtables"), f"{reverse('assessments:roundtable_list')}?engagement={engagement.pk}"))
    if Engagement.objects.editable_by(user).filter(pk=engagement.pk).exists():
        links.append(NavItem(_("New assessment"), f"{reverse('assessments:create')}?engagement={engagement.pk}"))
        links.append(
            NavItem(_("Plan a roundtable"), f"{reverse('assessments:roundtable_create')}?engagement={engagement.pk}")
        )
    return links
