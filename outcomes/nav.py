from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .facts import outcome_scope


def nav_items(request) -> list[NavItem]:
    if outcome_scope(request.user).empty:
        return []
    return [NavItem(_("Outcomes"), reverse("outcomes:index"), "/outcomes/")]


def engagement_links(request, engagement) -> list[NavItem]:
    if not outcome_scope(request.user).allows(engagement.country_id):
        return []
    return [
        NavItem(
            _("Outcomes of %(country)s") % {"country": engagement.country.local_name},
            reverse("outcomes:country", args=[engagement.country_id]),
        )
    ]
