"""Forms of the network pages, one module per sub-domain (as ``network.models``)."""

from .common import SearchForm
from .common import TimeInput
from .directory import DirectoryFilterForm
from .directory import ExpertProfileForm
from .directory import NewExpertProfileForm
from .events import AgendaItemForm
from .events import AttendanceForm
from .events import EventFilterForm
from .events import EventForm
from .events import EventOutcomeForm
from .events import NewParticipantForm
from .events import RegistrationForm
from .library import DocumentFilterForm
from .library import DocumentForm
from .library import DocumentReplaceForm
from .networks import NetworkForm
from .networks import NetworkMemberForm
from .recommendations import ExternalRecommendationFilterForm
from .recommendations import ExternalRecommendationForm

__all__ = [
    "AgendaItemForm",
    "AttendanceForm",
    "DirectoryFilterForm",
    "DocumentFilterForm",
    "DocumentForm",
    "DocumentReplaceForm",
    "EventFilterForm",
    "EventForm",
    "EventOutcomeForm",
    "ExpertProfileForm",
    "ExternalRecommendationFilterForm",
    "ExternalRecommendationForm",
    "NetworkForm",
    "NetworkMemberForm",
    "NewExpertProfileForm",
    "NewParticipantForm",
    "RegistrationForm",
    "SearchForm",
    "TimeInput",
]
