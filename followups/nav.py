from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from ta_portal.navigation import NavItem

from .access import can_review_updates


def nav_items(request) -> list[NavItem]:
    if scope_for(request.user, EVERY_ROLE).empty:
        return []
    items = [NavItem(_("Follow-up"), reverse("followups:index"), "/followups/")]
    if can_review_updates(request.user):
        items.append(NavItem(_("Verification inbox"), reverse("followups:inbox"), "/followups/inbox/"))
    return items


def engagement_links(request, engagement) -> list[NavItem]:
    return [NavItem(_("Follow-up board"), reverse("followups:board", args=[engagement.pk]))]
