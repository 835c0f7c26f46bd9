"""Reads of events: scoped lists, registrations and participation counts."""

from dataclasses import dataclass
from dataclasses import field

from django.db.models import Count
from django.db.models import F
from django.db.models import Q
from django.db.models import QuerySet

from accounts.access import get_visible_or_404
from engagements.models import Person

from ..models import AgencyGroup
from ..models import NetworkEvent
from ..models import Registration
from ..models import agency_group_expression
from .common import country_names
from .common import text_search


def event_list_for_user(*, user, search: str = "", kind: str = "", country: str = "", year: int | None = None):
    events = NetworkEvent.objects.visible_to(user).select_related("network", "host_country")
    events = text_search(events, search, "title", "description", "city")
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
