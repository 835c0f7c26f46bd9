"""The precursor network: networks of officials, a restricted document library, an expert
directory, network events and the recommendations countries receive from outside bodies.

Access here is not only by country. A library document names its audience (everyone signed in,
the members of a network, the participants of an event, one country's users, or managers), an
event is seen by its countries' users, its organisers, its network and its participants, and the
expert directory spans countries because each expert opted in. ``visible_to(user)`` on each
queryset is the one place where those rules live.
"""

from .directory import ExpertProfile, directory_readers_allowed
from .events import AgendaItem, EventOutcome, NetworkEvent, Registration
from .library import Document, DocumentVersion
from .networks import (
    AGENCY_GROUP_OF_KIND,
    AgencyGroup,
    Network,
    NetworkMembership,
    agency_group_expression,
    agency_group_of,
)
from .recommendations import ExternalRecommendation

__all__ = [
    "AGENCY_GROUP_OF_KIND",
    "AgencyGroup",
    "AgendaItem",
    "Document",
    "DocumentVersion",
    "EventOutcome",
    "ExpertProfile",
    "ExternalRecommendation",
    "Network",
    "NetworkEvent",
    "NetworkMembership",
    "Registration",
    "agency_group_expression",
    "agency_group_of",
    "directory_readers_allowed",
]
