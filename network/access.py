"""Who may do what in the network layer, written once.

Pages, templates (through booleans the views compute), forms, serializers and API viewsets ask
these functions; none of them spells a role out. Row scoping itself stays in the querysets
(``visible_to`` / ``editable_by`` / ``creatable_by``); the functions here answer the questions
those querysets do not.
"""

from django.db.models import QuerySet

from accounts.roles import MANAGING_ROLES
from accounts.scoping import has_role
from accounts.scoping import is_admin
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Person

from .models import Document
from .models import ExpertProfile
from .models import ExternalRecommendation
from .models import Network
from .models import NetworkEvent
from .models import NetworkMembership
from .models import Registration
from .models import directory_readers_allowed
from .selectors.common import countries_in_scope


def _is_manager(user) -> bool:
    return is_admin(user) or has_role(user, *MANAGING_ROLES)


def _is_coordinator(user) -> bool:
    return NetworkMembership.objects.filter(user=user, is_coordinator=True).exists()


# ---------------------------------------------------------------------------------------------
# Library


def can_upload_document(user) -> bool:
    """Managers, network coordinators and event organisers keep the library."""
    if not user.is_authenticated:
        return False
    return (
        _is_manager(user) or _is_coordinator(user) or NetworkEvent.organisers.through.objects.filter(user=user).exists()
    )


def can_edit_document(user, document: Document) -> bool:
    return Document.objects.editable_by(user).filter(pk=document.pk).exists()


def can_restrict_to_managers(user) -> bool:
    """Only managers may make a document readable by managers alone."""
    return _is_manager(user)


# ---------------------------------------------------------------------------------------------
# Networks


def can_create_network(user) -> bool:
    """Managers and the coordinators of a network found networks (and events)."""
    if not user.is_authenticated:
        return False
    return _is_manager(user) or _is_coordinator(user)


def can_edit_network(user, network: Network) -> bool:
    return Network.objects.editable_by(user).filter(pk=network.pk).exists()


def can_see_network_members(user, network: Network) -> bool:
    return is_admin(user) or NetworkMembership.objects.filter(network=network, user=user).exists()


def networks_choosable_by(user) -> QuerySet[Network]:
    """The networks a user may attach an event or a document to: their own (an admin's: all)."""
    return Network.objects.all() if is_admin(user) else Network.objects.with_member(user)


def countries_choosable_by(user) -> QuerySet[Country]:
    """The countries a user may address a document to: those in their scope (an admin's: all)."""
    return Country.objects.all() if is_admin(user) else countries_in_scope(user)


# ---------------------------------------------------------------------------------------------
# Events


def can_create_event(user) -> bool:
    return can_create_network(user)


def can_edit_event(user, event: NetworkEvent) -> bool:
    return NetworkEvent.objects.editable_by(user).filter(pk=event.pk).exists()


def can_see_event_people(user, event: NetworkEvent) -> bool:
    """Participants' names: for officials and members, not for viewers (who get the counts)."""
    return directory_readers_allowed(user) or can_edit_event(user, event)


def registrable_people(user, event: NetworkEvent) -> QuerySet[Person]:
    """Whom the user may register: organisers anyone of a participating country; others the people they see."""
    editor = can_edit_event(user, event)
    codes = list(event.countries.values_list("code", flat=True))
    if event.host_country_id:
        codes.append(event.host_country_id)
    people = Person.objects.all() if editor else Person.objects.visible_to(user)
    if codes:
        people = people.filter(country_id__in=codes)
    elif not editor:
        people = people.none()
    return people.select_related("agency", "country").order_by("country__name", "full_name")


def can_register_others(user, event: NetworkEvent) -> bool:
    if can_edit_event(user, event):
        return True
    return event.registration_open and not scope_for(user, Person.objects.read_roles).empty


def can_cancel_registration(user, registration: Registration) -> bool:
    """The person themself, the event's organisers, and while registration is open whoever may register them."""
    event = registration.event
    if registration.person.user_id == user.pk or can_edit_event(user, event):
        return True
    return event.registration_open and registrable_people(user, event).filter(pk=registration.person_id).exists()


# ---------------------------------------------------------------------------------------------
# Expert directory


def can_read_directory(user) -> bool:
    return directory_readers_allowed(user)


def can_list_expert(user) -> bool:
    """Whether the user may list someone else in the directory (they may change some person)."""
    return Person.objects.creatable_by(user)


def can_edit_expert_profile(user, profile_pk: int) -> bool:
    return ExpertProfile.objects.editable_by(user).filter(pk=profile_pk).exists()


# ---------------------------------------------------------------------------------------------
# External recommendations


def can_create_external_recommendation(user) -> bool:
    return ExternalRecommendation.objects.creatable_by(user)


def can_edit_external_recommendation(user, recommendation: ExternalRecommendation) -> bool:
    return ExternalRecommendation.objects.editable_by(user).filter(pk=recommendation.pk).exists()


# ---------------------------------------------------------------------------------------------
# Certificates of attendance


def can_issue_event_certificates(user, event: NetworkEvent) -> bool:
    """Those who run the event issue its certificates of attendance and download them."""
    return can_edit_event(user, event)


def can_revoke_event_certificate(user, event: NetworkEvent) -> bool:
    """Revoking is for managers (and admins) among those who run the event, not for organisers alone."""
    return _is_manager(user) and can_edit_event(user, event)
