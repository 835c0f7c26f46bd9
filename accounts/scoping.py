"""The scoping rule every query uses: which countries a user reaches in which roles.

Models express their own rule through a queryset method (``visible_to(user)``) built on
``scope_for(user, roles).q("country")``; views and API viewsets fetch through those querysets, so
an object outside the user's scope is simply not found (404) and its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from .roles import MANAGING_ROLES
from .roles import Role


@dataclass(frozen=True)
class Scope:
    """The countries a user reaches: every country, or a set of ISO codes (possibly empty)."""

    everywhere: bool
    countries: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.countries

    def q(self, country_field: str) -> Q:
        """A filter keeping the rows whose ``country_field`` (a path to a country code) is in scope."""
        if self.everywhere:
            return Q()
        if not self.countries:
            return Q(pk__in=[])
        return Q(**{f"{country_field}__in": sorted(self.countries)})

    def allows(self, country_code: str | None) -> bool:
        return self.everywhere or (country_code is not None and country_code in self.countries)


NOWHERE = Scope(everywhere=False, countries=frozenset())
EVERYWHERE = Scope(everywhere=True, countries=frozenset())


def role_countries(user) -> dict[str, Scope]:
    """Each role the user holds, with its scope; memoised on the user for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_role_scopes", None)
    if cached is not None:
        return cached
    global_roles: set[str] = set()
    per_role: dict[str, set[str]] = {}
    for role, country_id in user.memberships.values_list("role", "country_id"):
        if country_id is None:
            global_roles.add(role)
        else:
            per_role.setdefault(role, set()).add(country_id)
    scopes = {role: Scope(everywhere=False, countries=frozenset(codes)) for role, codes in per_role.items()}
    for role in global_roles:
        scopes[role] = EVERYWHERE
    # Administrators see everything, whatever countries their membership names.
    if user.is_superuser or Role.ADMIN in scopes:
        scopes[Role.ADMIN] = EVERYWHERE
    user._role_scopes = scopes
    return scopes


def forget_roles(user) -> None:
    """Drop the memoised roles (after memberships change)."""
    if hasattr(user, "_role_scopes"):
        del user._role_scopes


def scope_for(user, roles: Iterable[str]) -> Scope:
    """The union of the user's scopes over the given roles."""
    scopes = role_countries(user)
    countries: set[str] = set()
    for role in roles:
        scope = scopes.get(role)
        if scope is None:
            continue
        if scope.everywhere:
            return EVERYWHERE
        countries |= scope.countries
    return Scope(everywhere=False, countries=frozenset(countries)) if countries else NOWHERE


def manages_somewhere(user) -> bool:
    """A manager or administrator of at least one country: who may add to the catalogues, import a
    programme's history or configure what its certificates print."""
    return not scope_for(user, MANAGING_ROLES).empty


def has_role(user, *roles: str) -> bool:
    scopes = role_countries(user)
    return any(role in scopes for role in roles)


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)
