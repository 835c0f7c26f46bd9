"""Reads the network pages share: topics, country names, the countries in a user's scope, text search."""

from django.db.models import QuerySet

from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from assessments.models import Dimension
from assessments.models import Framework
from engagements.models import Country
from ta_portal.filtering import text_search  # noqa: F401  (the network selectors import it from here)


def topic_choices() -> QuerySet[Dimension]:
    """The dimensions of the newest version of each assessment framework (the library's topics)."""
    return Dimension.objects.filter(framework__in=Framework.objects.latest_versions()).select_related("framework")


def country_names(codes) -> dict[str, str]:
    """Country names in the active language, in one query."""
    return {country.code: country.local_name for country in Country.objects.filter(code__in=list(codes))}


def countries_in_scope(user, roles=EVERY_ROLE) -> QuerySet[Country]:
    return Country.objects.filter(scope_for(user, roles).q("code"))
