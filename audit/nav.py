from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from ta_portal.navigation import NavItem

from .access import can_read_audit


def nav_items(request) -> list[NavItem]:
    if not can_read_audit(request.user):
        return []
    return [NavItem(_("Audit trail"), reverse("audit:list"), "/audit/", secondary=True)]


def engagement_links(request, engagement) -> list[NavItem]:
    """The engagement's own history, for those who read the audit trail."""
    if not can_read_audit(request.user):
        return []
    query = urlencode({"model": engagement._meta.label_lower, "object": engagement.pk})
    return [NavItem(_("Change history"), f"{reverse('audit:list')}?{query}")]
