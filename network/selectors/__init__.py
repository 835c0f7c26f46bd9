"""Reads of the network layer, one module per sub-domain (as ``network.models``)."""

from .common import countries_in_scope
from .common import country_names
from .common import text_search
from .common import topic_choices
from .directory import ExpertEntry
from .directory import directory_entries
from .directory import directory_queryset
from .directory import expert_get_for_user
from .events import Participation
from .events import Tally
from .events import event_get_for_user
from .events import event_list_for_user
from .events import event_participation
from .events import event_registrations
from .events import with_agency_group_labels
from .library import document_get_for_user
from .library import document_search
from .networks import network_get_for_user
from .networks import network_members
from .recommendations import external_recommendation_get_for_user
from .recommendations import external_recommendation_list_for_user

__all__ = [
    "ExpertEntry",
    "Participation",
    "Tally",
    "countries_in_scope",
    "country_names",
    "directory_entries",
    "directory_queryset",
    "document_get_for_user",
    "document_search",
    "event_get_for_user",
    "event_list_for_user",
    "event_participation",
    "event_registrations",
    "expert_get_for_user",
    "external_recommendation_get_for_user",
    "external_recommendation_list_for_user",
    "network_get_for_user",
    "network_members",
    "text_search",
    "topic_choices",
    "with_agency_group_labels",
]
