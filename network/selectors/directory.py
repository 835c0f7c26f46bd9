"""Reads of the expert directory: rows with hidden contact details blanked in SQL."""

from dataclasses import dataclass
from dataclasses import field

from django.db.models import Case
from django.db.models import CharField
from django.db.models import F
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.http import Http404

from ..models import AgencyGroup
from ..models import ExpertProfile
from ..models import agency_group_expression
from .common import country_names
from .common import text_search


@dataclass
class ExpertEntry:
    """What the directory shows of an expert. Contact fields are empty unless the expert shows them:
    they are blanked in SQL, so a hidden address never reaches a template, a serializer or a vCard."""

    id: int
    full_name: str
    position: str
    country_code: str
    country_name: str
    agency: str
    agency_acronym: str
    agency_kind: str
    expertise: str
    languages: str
    bio: str
    show_contact: bool
    email: str
    phone: str
    topics: list[str] = field(default_factory=list)

    @property
    def agency_kind_label(self) -> str:
        return str(AgencyGroup(self.agency_kind).label)

    @property
    def expertise_list(self) -> list[str]:
        return [item.strip() for item in self.expertise.split(",") if item.strip()]


_ENTRY_FIELDS = {
    "id": "id",
    "full_name": "person__full_name",
    "position": "person__position",
    "country_code": "person__country_id",
    "country_name": "person__country__name",
    "agency": "person__agency__name",
    "agency_acronym": "person__agency__acronym",
    "agency_kind": "agency_group",
    "expertise": "expertise",
    "languages": "languages",
    "bio": "bio",
    "show_contact": "show_contact",
    "email": "shown_email",
    "phone": "shown_phone",
}


def directory_queryset(
    *, user, search: str = "", country: str = "", agency_kind: str = "", topic: int | None = None
) -> QuerySet:
    """The directory rows as dicts (see ``ExpertEntry``), filtered; hidden contact details are never selected."""
    profiles = ExpertProfile.objects.visible_to(user).annotate(
        agency_group=agency_group_expression("person__agency__kind"),
        shown_email=Case(When(show_contact=True, then=F("person__email")), default=Value(""), output_field=CharField()),
        shown_phone=Case(When(show_contact=True, then=F("phone")), default=Value(""), output_field=CharField()),
    )
    profiles = text_search(
        profiles,
        search,
        "person__full_name",
        "expertise",
        "person__position",
        "person__agency__name",
        "person__agency__acronym",
    )
    if country:
        profiles = profiles.filter(person__country_id=country.upper())
    if agency_kind:
        profiles = profiles.filter(agency_group=agency_kind)
    if topic:
        profiles = profiles.filter(
            pk__in=ExpertProfile.topics.through.objects.filter(dimension_id=topic).values("expertprofile")
        )
    return profiles.order_by("person__full_name", "pk").values(*_ENTRY_FIELDS.values())


def directory_entries(rows) -> list[ExpertEntry]:
    """Entries for the given rows (a page of ``directory_queryset``), with their topics in one query."""
    entries = [
        ExpertEntry(**{key: (row[column] if row[column] is not None else "") for key, column in _ENTRY_FIELDS.items()})
        for row in rows
    ]
    topics: dict[int, list[str]] = {}
    links = (
        ExpertProfile.topics.through.objects.filter(expertprofile_id__in=[entry.id for entry in entries])
        .select_related("dimension")
        .order_by("dimension__order")
    )
    for link in links:
        topics.setdefault(link.expertprofile_id, []).append(link.dimension.local_name())
    names = country_names({entry.country_code for entry in entries})
    for entry in entries:
        entry.topics = topics.get(entry.id, [])
        entry.country_name = names.get(entry.country_code, entry.country_name)
    return entries


def expert_get_for_user(*, user, pk: int) -> ExpertEntry:
    rows = list(directory_queryset(user=user).filter(pk=pk))
    if not rows:
        raise Http404
    return directory_entries(rows)[0]
