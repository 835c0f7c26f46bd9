from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .models import ExternalRecommendation


def nav_items(request) -> list[NavItem]:
    return [NavItem(_("Network"), reverse("network:home"), "/network/")]


def engagement_links(request, engagement) -> list[NavItem]:
    """From an engagement, the recommendations its country received from outside bodies."""
    visible = ExternalRecommendation.objects.visible_to(request.user).filter(country_id=engagement.country_id)
    count = visible.count()
    if not count:
        return []
    url = reverse("network:external_recommendation_list") + f"?country={engagement.country_id}"
    return [NavItem(_("External recommendations (%(n)d)") % {"n": count}, url)]
