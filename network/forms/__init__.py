"""Forms of the network pages, one module per sub-domain (as ``network.models``)."""

from .common import SearchForm, TimeInput
from .directory import DirectoryFilterForm, ExpertProfileForm, NewExpertProfileForm
from .events import (
    AgendaItemForm,
    AttendanceForm,
    EventFilterForm,
    EventForm,
    EventOutcomeForm,
    NewParticipantForm,
    RegistrationForm,
)
from .library import DocumentFilterForm, DocumentForm, DocumentReplaceForm
from .networks import NetworkForm, NetworkMemberForm
from .recommendations import ExternalRecommendationFilterForm, ExternalRecommendationForm

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
