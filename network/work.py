"""Counterparts' work in the library: the documents shared with them since their last visit."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.scoping import has_role
from ta_portal.work import WorkItem

from .models import Document

# The newest are listed; beyond them the item points at the library.
SHOWN = 10


def work_items(user, *, today, since) -> list[WorkItem]:
    if not has_role(user, Role.COUNTERPART):
        return []
    new = list(
        Document.objects.visible_to(user)
        .exclude(created_by=user)
        .filter(created_at__gte=since)
        .select_related("audience_network", "audience_event", "audience_country")
        .order_by("-created_at", "-pk")[: SHOWN + 1]
    )
    items = [
        WorkItem(
            order=30,
            role=Role.COUNTERPART,
            title=_("New document: %(title)s") % {"title": document.title},
            url=document.get_absolute_url(),
            detail=_("Shared with: %(audience)s") % {"audience": document.audience_label},
        )
        for document in new[:SHOWN]
    ]
    if len(new) > SHOWN:
        items.append(
            WorkItem(
                order=31,
                role=Role.COUNTERPART,
                title=_("More new documents in the library"),
                url=reverse("network:document_list"),
            )
        )
    return items
