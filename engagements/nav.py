from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .access import can_read_people


def nav_items(request) -> list[NavItem]:
    items = [
        NavItem(_("Engagements"), reverse("engagements:list"), "/engagements/"),
        NavItem(_("Agencies"), reverse("engagements:agency_list"), "/agencies/", secondary=True),
    ]
    if can_read_people(request.user):
        items.append(NavItem(_("People"), reverse("engagements:person_list"), "/people/", secondary=True))
    items.append(
        NavItem(_("Controlled substances"), reverse("engagements:substance_list"), "/substances/", secondary=True)
    )
    return items
