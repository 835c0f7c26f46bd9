"""The network's notifications (see notifications.kinds): documents shared with one's audience,
event invitations given or changed; and who, of the users, belongs to a document's audience."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.roles import MANAGING_ROLES
from notifications.kinds import Kind

from .models import Document
from .models import NetworkEvent
from .models import NetworkMembership
from .models import Registration

KINDS = {
    "network.document_shared": Kind(_("A document was shared with you: “%(title)s”.")),
    "network.event_invited": Kind(_("You are registered for “%(title)s”, from %(start)s.")),
    "network.event_changed": Kind(_("The event “%(title)s” changed: it is now from %(start)s to %(end)s.")),
}


def document_audience(document: Document):
    """The ids of the active users a document's audience names (as ``Document.objects.visible_to``
    lets them read it), in one query."""
    audience = Document.Audience
    users = get_user_model().objects.filter(is_active=True)
    if document.audience == audience.EVERYONE:
        return users.values("pk")
    if document.audience == audience.NETWORK:
        members = NetworkMembership.objects.filter(network_id=document.audience_network_id).values("user")
        return users.filter(pk__in=members).values("pk")
    if document.audience == audience.EVENT:
        event = document.audience_event_id
        registered = Registration.objects.active().filter(event_id=event, person__user__isnull=False)
        organisers = NetworkEvent.organisers.through.objects.filter(networkevent_id=event)
        return users.filter(Q(pk__in=registered.values("person__user")) | Q(pk__in=organisers.values("user"))).values(
            "pk"
        )
    if document.audience == audience.COUNTRY:
        members = Membership.objects.filter(Q(country_id=document.audience_country_id) | Q(country__isnull=True))
        return users.filter(pk__in=members.values("user")).values("pk")
    if document.audience == audience.MANAGERS:
        return users.filter(pk__in=Membership.objects.filter(role__in=MANAGING_ROLES).values("user")).values("pk")
    return users.none().values("pk")
