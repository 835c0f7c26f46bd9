"""The precursor network: networks of officials, a restricted document library, an expert
directory, network events and the recommendations countries receive from outside bodies.

Access here is not only by country. A library document names its audience (everyone signed in,
the members of a network, the participants of an event, one country's users, or managers), an
event is seen by its countries' users, its organisers, its network and its participants, and the
expert directory spans countries because each expert opted in. ``visible_to(user)`` on each
queryset is the one place where those rules live.
"""

from .certificates import EventCertificate
from .directory import ExpertProfile
from .directory import directory_readers_allowed
from .events import AgendaItem
from .events import EventOutcome
from .events import NetworkEvent
from .events import Registration
from .library import Document
from .library import DocumentVersion
from .networks import AGENCY_GROUP_OF_KIND
from .networks import AgencyGroup
from .networks import Network
from .networks import NetworkMembership
from .networks import agency_group_expression
from .networks import agency_group_of
from .recommendations import ExternalRecommendation

__all__ = [
    "AGENCY_GROUP_OF_KIND",
    "AgencyGroup",
    "AgendaItem",
    "Document",
    "DocumentVersion",
    "EventCertificate",
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
