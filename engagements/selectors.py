from django.db.models import Prefetch
from django.db.models import QuerySet

from accounts.access import get_visible_or_404
from accounts.models import User
from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.scoping import Scope
from accounts.scoping import scope_for
from ta_portal.filtering import filter_given
from ta_portal.filtering import text_search

from .models import Agency
from .models import ControlledSubstance
from .models import Country
from .models import Engagement
from .models import Person
from .models import Programme


def _filtered(rows: QuerySet, *, search: str, search_fields: tuple[str, ...], country: str, **exact) -> QuerySet:
    """A list page's rows: the search in any of ``search_fields``, the country, and each exact filter given."""
    return filter_given(text_search(rows, search, *search_fields), country_id=country.upper(), **exact)


def engagement_list_for_user(*, user, search: str = "", country: str = "", phase: str = "") -> QuerySet[Engagement]:
    return _filtered(
        Engagement.objects.visible_to(user).select_related("country", "programme"),
        search=search,
        search_fields=("title", "description"),
        country=country,
        phase=phase,
    )


def engagement_get_for_user(*, user, pk: int) -> Engagement:
    return get_visible_or_404(Engagement.objects.select_related("country", "programme"), user, pk=pk)


def countries_visible_to(user) -> QuerySet[Country]:
    """Countries the user has any role in (for filters and pickers)."""
    return Country.objects.filter(scope_for(user, EVERY_ROLE).q("code"))


def countries_editable_by(user, roles=MANAGING_ROLES) -> QuerySet[Country]:
    return Country.objects.filter(scope_for(user, roles).q("code"))


def programmes_reached(scope: Scope) -> QuerySet[Programme]:
    """Programmes with an engagement in the scope's countries (every programme for a global scope)."""
    if scope.everywhere:
        return Programme.objects.all()
    if scope.empty:
        return Programme.objects.none()
    return Programme.objects.filter(pk__in=Engagement.objects.filter(scope.q("country")).values("programme_id"))


def agency_list_for_user(*, user, search: str = "", country: str = "", kind: str = "") -> QuerySet[Agency]:
    return _filtered(
        Agency.objects.visible_to(user).select_related("country"),
        search=search,
        search_fields=("name", "acronym"),
        country=country,
        kind=kind,
    )


def person_list_for_user(*, user, search: str = "", country: str = "", agency: str = "") -> QuerySet[Person]:
    return _filtered(
        Person.objects.visible_to(user).select_related("country", "agency"),
        search=search,
        search_fields=("full_name", "email"),
        country=country,
        agency_id=agency,
    )


def managing_users() -> QuerySet[User]:
    """Active users with a managing role somewhere: who may manage an engagement or lead an assessment."""
    return User.objects.filter(is_active=True, memberships__role__in=MANAGING_ROLES).distinct().order_by("username")


def substances_visible_to(user) -> QuerySet[ControlledSubstance]:
    """The substances the user may read, each with the countries of its listing the user may read."""
    countries = Country.objects.filter(scope_for(user, EVERY_ROLE).q("code"))
    return ControlledSubstance.objects.visible_to(user).prefetch_related(Prefetch("countries", queryset=countries))


def substances_by_listing(*, user) -> list[tuple[str, list[ControlledSubstance]]]:
    """The controlled substances the user may read, by listing (Table I, Table II, regional, national),
    each listing's substances in alphabetical order of their names in the current language."""
    rows = substances_visible_to(user)
    groups: dict[str, list[ControlledSubstance]] = {}
    for substance in rows:
        groups.setdefault(substance.listing, []).append(substance)
    labels = dict(ControlledSubstance.Listing.choices)
    return [
        (labels[listing], sorted(groups[listing], key=lambda s: s.local_name.casefold()))
        for listing in ControlledSubstance.Listing.values
        if listing in groups
    ]
