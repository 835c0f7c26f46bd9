from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ta_portal.navigation import NavItem

from .access import can_review_updates
from .access import can_see_followup


def nav_items(request) -> list[NavItem]:
    if not can_see_followup(request.user):
        return []
    items = [NavItem(_("Follow-up"), reverse("followups:index"), "/followups/")]
    if can_review_updates(request.user):
        items.append(
            NavItem(
                _("Verification inbox"),
                reverse("followups:inbox"),
                "/followups/inbox/",
                short_label=pgettext("navigation: a part of “Verification inbox”", "Verification"),
            )
        )
    return items


def engagement_links(request, engagement) -> list[NavItem]:
    return [NavItem(_("Follow-up board"), reverse("followups:board", args=[engagement.pk]))]
