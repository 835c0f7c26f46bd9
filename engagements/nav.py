from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scoping import scope_for
from ta_portal.navigation import NavItem

from .models import Person


def nav_items(request) -> list[NavItem]:
    items = [
        NavItem(_("Engagements"), reverse("engagements:list"), "/engagements/"),
        NavItem(_("Agencies"), reverse("engagements:agency_list"), "/agencies/"),
    ]
    if not scope_for(request.user, Person.objects.read_roles).empty:
        items.append(NavItem(_("People"), reverse("engagements:person_list"), "/people/"))
    return items
