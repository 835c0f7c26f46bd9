"""Reads of the network layer: scoped lists and fetches, the directory, participation counts."""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.http import Http404

from accounts.access import get_visible_or_404
from accounts.roles import EVERY_ROLE, MANAGING_ROLES
from accounts.scoping import has_role, is_admin, scope_for
from assessments.models import Dimension, Framework
from engagements.models import Country, Person

from .models import (
    AgencyGroup,
    Document,
    ExpertProfile,
    ExternalRecommendation,
    Network,
    NetworkEvent,
    NetworkMembership,
    Registration,
    agency_group_expression,
    directory_readers_allowed,
)


def topic_choices() -> QuerySet[Dimension]:
    """The dimensions of the newest version of each assessment framework (the library's topics)."""
    return Dimension.objects.filter(framework__in=Framework.objects.latest_versions()).select_related("framework")


# ---------------------------------------------------------------------------------------------
# Library


def may_upload(user) -> bool:
    """Managers, network coordinators and event organisers keep the library."""
    if not user.is_authenticated:
        return False
    if is_admin(user) or has_role(user, *MANAGING_ROLES):
        return True
    return (
        NetworkMembership.objects.filter(user=user, is_coordinator=True).exists()
        or NetworkEvent.organisers.through.objects.filter(user=user).exists()
    )


def document_search(
    *,
    user,
    search: str = "",
    kind: str = "",
    language: str = "",
    country: str = "",
    topic: int | None = None,
    substance: int | None = None,
    network: int | None = None,
    event: int | None = None,
) -> QuerySet[Document]:
    documents = Document.objects.visible_to(user).select_related(
        "current_version", "audience_network", "audience_event", "audience_country"
    )
    if search:
        documents = documents.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(authors__icontains=search)
            | Q(current_version__original_name__icontains=search)
        )
    if kind:
        documents = documents.filter(kind=kind)
    if language:
        documents = documents.filter(language=language)
    # Many-to-many filters go through subqueries, so a document never appears twice.
    if country:
        documents = documents.filter(
            pk__in=Document.countries.through.objects.filter(country_id=country.upper()).values("document")
        )
    if topic:
        documents = documents.filter(
            pk__in=Document.topics.through.objects.filter(dimension_id=topic).values("document")
        )
    if substance:
        documents = documents.filter(
            pk__in=Document.substances.through.objects.filter(controlledsubstance_id=substance).values("document")
        )
    if network:
        documents = documents.filter(
            Q(audience_network_id=network)
            | Q(pk__in=Document.events.through.objects.filter(networkevent__network_id=network).values("document"))
        )
    if event:
        documents = documents.filter(
            Q(audience_event_id=event)
            | Q(pk__in=Document.events.through.objects.filter(networkevent_id=event).values("document"))
        )
    return documents.prefetch_related("countries")


def document_get_for_user(*, user, pk: int) -> Document:
    return get_visible_or_404(
        Document.objects.select_related("current_version", "audience_network", "audience_event", "audience_country"),
        user,
        pk=pk,
    )


def document_may_edit(*, user, document: Document) -> bool:
    return Document.objects.editable_by(user).filter(pk=document.pk).exists()


# ---------------------------------------------------------------------------------------------
# Networks


def network_members(network: Network) -> QuerySet[NetworkMembership]:
    return (
        network.memberships.select_related("user", "user__person", "user__person__country")
        .prefetch_related("user__memberships__country")
        .order_by("-is_coordinator", "user__last_name", "user__first_name", "user__username")
    )


def network_may_see_members(*, user, network: Network) -> bool:
    return is_admin(user) or NetworkMembership.objects.filter(network=network, user=user).exists()


# ---------------------------------------------------------------------------------------------
# Events


def may_create_event(user) -> bool:
    if not user.is_authenticated:
        return False
    return (
        is_admin(user)
        or has_role(user, *MANAGING_ROLES)
        or NetworkMembership.objects.filter(user=user, is_coordinator=True).exists()
    )


def event_list_for_user(*, user, search: str = "", kind: str = "", country: str = "", year: int | None = None):
    events = NetworkEvent.objects.visible_to(user).select_related("network", "host_country")
    if search:
        events = events.filter(
            Q(title__icontains=search) | Q(description__icontains=search) | Q(city__icontains=search)
        )
    if kind:
        events = events.filter(kind=kind)
    if country:
        code = country.upper()
        events = events.filter(
            Q(host_country_id=code)
            | Q(pk__in=NetworkEvent.countries.through.objects.filter(country_id=code).values("networkevent"))
        )
    if year:
        events = events.filter(start_date__year__lte=year, end_date__year__gte=year)
    # An aggregate drops the model's default ordering: state it again.
    return events.annotate(
        n_registered=Count("registrations", filter=~Q(registrations__status=Registration.Status.CANCELLED))
    ).order_by("-start_date", "title")


def event_get_for_user(*, user, pk: int) -> NetworkEvent:
    return get_visible_or_404(NetworkEvent.objects.select_related("network", "host_country"), user, pk=pk)


def event_may_edit(*, user, event: NetworkEvent) -> bool:
    return NetworkEvent.objects.editable_by(user).filter(pk=event.pk).exists()


def event_may_see_people(*, user, event: NetworkEvent) -> bool:
    """Participants' names: for officials and members, not for viewers (who get the counts)."""
    return directory_readers_allowed(user) or event_may_edit(user=user, event=event)


def registrable_people(*, user, event: NetworkEvent) -> QuerySet[Person]:
    """Whom the user may register: organisers anyone of a participating country; others the people they see."""
    codes = list(event.countries.values_list("code", flat=True))
    if event.host_country_id:
        codes.append(event.host_country_id)
    people = Person.objects.all() if event_may_edit(user=user, event=event) else Person.objects.visible_to(user)
    if codes:
        people = people.filter(country_id__in=codes)
    elif not event_may_edit(user=user, event=event):
        people = people.none()
    return people.select_related("agency", "country").order_by("country__name", "full_name")


def may_register_others(*, user, event: NetworkEvent) -> bool:
    if event_may_edit(user=user, event=event):
        return True
    return event.registration_open and not scope_for(user, Person.objects.read_roles).empty


def event_registrations(event: NetworkEvent) -> QuerySet[Registration]:
    return event.registrations.select_related("person", "person__country", "person__agency").annotate(
        agency_group=agency_group_expression("person__agency__kind")
    )


def with_agency_group_labels(registrations) -> list[Registration]:
    labels = dict(AgencyGroup.choices)
    rows = list(registrations)
    for registration in rows:
        registration.agency_group_label = labels.get(registration.agency_group, "")
    return rows


@dataclass
class Tally:
    registered: int = 0
    attended: int = 0


@dataclass
class Participation:
    """Registrations (not cancelled) and attendance of an event, disaggregated as donors ask."""

    total: Tally = field(default_factory=Tally)
    by_sex: dict[str, Tally] = field(default_factory=dict)
    by_agency_group: dict[str, Tally] = field(default_factory=dict)
    # [(code, name, Tally, {sex: Tally})]
    by_country: list[tuple[str, str, Tally, dict[str, Tally]]] = field(default_factory=list)
    n_countries: int = 0

    @property
    def sex_rows(self) -> list[tuple[str, Tally]]:
        return [(str(label), self.by_sex.get(value, Tally())) for value, label in Person.Sex.choices]

    @property
    def agency_rows(self) -> list[tuple[str, Tally]]:
        return [(str(label), self.by_agency_group.get(value, Tally())) for value, label in AgencyGroup.choices]

    @property
    def country_rows(self) -> list[tuple[str, Tally, list[Tally]]]:
        return [
            (name, tally, [sexes.get(value, Tally()) for value in Person.Sex.values])
            for _code, name, tally, sexes in self.by_country
        ]

    def as_dict(self) -> dict:
        def tally(t: Tally) -> dict:
            return {"registered": t.registered, "attended": t.attended}

        return {
            "registered": self.total.registered,
            "attended": self.total.attended,
            "countries": self.n_countries,
            "by_sex": {key: tally(value) for key, value in self.by_sex.items()},
            "by_agency_kind": {key: tally(value) for key, value in self.by_agency_group.items()},
            "by_country": {
                code: {**tally(t), "by_sex": {sex: tally(v) for sex, v in sexes.items()}}
                for code, _name, t, sexes in self.by_country
            },
        }


def event_participation(event: NetworkEvent) -> Participation:
    """Counts in SQL (GROUP BY), three queries whatever the number of participants, and one for the country names."""
    active = Registration.objects.active().filter(event=event)
    counts = {"registered": Count("pk"), "attended": Count("pk", filter=Q(attended=True))}
    result = Participation()
    for sex in Person.Sex.values:
        result.by_sex[sex] = Tally()
    for group in AgencyGroup.values:
        result.by_agency_group[group] = Tally()
    for row in active.values(key=F("person__sex")).annotate(**counts).order_by():
        result.by_sex[row["key"]] = Tally(row["registered"], row["attended"])
    for row in active.values(key=agency_group_expression("person__agency__kind")).annotate(**counts).order_by():
        result.by_agency_group[row["key"]] = Tally(row["registered"], row["attended"])
    per_country: dict[str, tuple[str, Tally, dict[str, Tally]]] = {}
    for row in (
        active.values("person__country_id", "person__country__name", "person__sex")
        .annotate(**counts)
        .order_by("person__country__name", "person__sex")
    ):
        code = row["person__country_id"]
        name, tally, sexes = per_country.setdefault(
            code, (row["person__country__name"], Tally(), {sex: Tally() for sex in Person.Sex.values})
        )
        tally.registered += row["registered"]
        tally.attended += row["attended"]
        sexes[row["person__sex"]] = Tally(row["registered"], row["attended"])
    names = country_names(per_country)
    result.by_country = [
        (code, names.get(code, name), tally, sexes) for code, (name, tally, sexes) in per_country.items()
    ]
    result.n_countries = len(per_country)
    result.total = Tally(
        sum(t.registered for t in result.by_sex.values()), sum(t.attended for t in result.by_sex.values())
    )
    return result


# ---------------------------------------------------------------------------------------------
# Expert directory


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
    if search:
        profiles = profiles.filter(
            Q(person__full_name__icontains=search)
            | Q(expertise__icontains=search)
            | Q(person__position__icontains=search)
            | Q(person__agency__name__icontains=search)
            | Q(person__agency__acronym__icontains=search)
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


# ---------------------------------------------------------------------------------------------
# External recommendations


def external_recommendation_list_for_user(
    *, user, search: str = "", country: str = "", source: str = "", year: int | None = None
) -> QuerySet[ExternalRecommendation]:
    recommendations = ExternalRecommendation.objects.visible_to(user).select_related("country", "topic", "engagement")
    if search:
        recommendations = recommendations.filter(
            Q(text__icontains=search)
            | Q(theme__icontains=search)
            | Q(round__icontains=search)
            | Q(reference__icontains=search)
        )
    if country:
        recommendations = recommendations.filter(country_id=country.upper())
    if source:
        recommendations = recommendations.filter(source=source)
    if year:
        recommendations = recommendations.filter(date__year=year)
    return recommendations


def external_recommendation_get_for_user(*, user, pk: int) -> ExternalRecommendation:
    return get_visible_or_404(
        ExternalRecommendation.objects.select_related("country", "topic", "engagement", "event", "created_by"),
        user,
        pk=pk,
    )


def country_names(codes) -> dict[str, str]:
    """Country names in the active language, in one query."""
    return {country.code: country.local_name for country in Country.objects.filter(code__in=list(codes))}


def countries_in_scope(user, roles=EVERY_ROLE) -> QuerySet[Country]:
    return Country.objects.filter(scope_for(user, roles).q("code"))
