from django.db.models import Q, QuerySet

from accounts.access import get_visible_or_404
from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for

from .models import Agency, Country, Engagement, Person


def engagement_list_for_user(*, user, search: str = "", country: str = "", phase: str = "") -> QuerySet[Engagement]:
    engagements = Engagement.objects.visible_to(user).select_related("country", "programme")
    if search:
        engagements = engagements.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if country:
        engagements = engagements.filter(country_id=country.upper())
    if phase:
        engagements = engagements.filter(phase=phase)
    return engagements


def engagement_get_for_user(*, user, pk: int) -> Engagement:
    return get_visible_or_404(Engagement.objects.select_related("country", "programme"), user, pk=pk)


def countries_visible_to(user) -> QuerySet[Country]:
    """Countries the user has any role in (for filters and pickers)."""
    from accounts.roles import EVERY_ROLE

    return Country.objects.filter(scope_for(user, EVERY_ROLE).q("code"))


def countries_editable_by(user, roles=MANAGING_ROLES) -> QuerySet[Country]:
    return Country.objects.filter(scope_for(user, roles).q("code"))


def agency_list_for_user(*, user, search: str = "", country: str = "", kind: str = "") -> QuerySet[Agency]:
    agencies = Agency.objects.visible_to(user).select_related("country")
    if search:
        agencies = agencies.filter(Q(name__icontains=search) | Q(acronym__icontains=search))
    if country:
        agencies = agencies.filter(country_id=country.upper())
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies


def person_list_for_user(*, user, search: str = "", country: str = "", agency: str = "") -> QuerySet[Person]:
    people = Person.objects.visible_to(user).select_related("country", "agency")
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if country:
        people = people.filter(country_id=country.upper())
    if agency:
        people = people.filter(agency_id=agency)
    return people


def person_email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another person has this e-mail (compared without case, as the unique constraint does)."""
    return Person.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists()
