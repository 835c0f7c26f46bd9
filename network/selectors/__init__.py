"""Reads of the network layer, one module per sub-domain (as ``network.models``)."""

from .common import countries_in_scope, country_names, text_search, topic_choices
from .directory import ExpertEntry, directory_entries, directory_queryset, expert_get_for_user
from .events import (
    Participation,
    Tally,
    event_get_for_user,
    event_list_for_user,
    event_participation,
    event_registrations,
    with_agency_group_labels,
)
from .library import document_get_for_user, document_search
from .networks import network_get_for_user, network_members
from .recommendations import external_recommendation_get_for_user, external_recommendation_list_for_user

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
