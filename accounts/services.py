from collections.abc import Iterable

from django.db import transaction

from .models import Membership, User
from .roles import Role
from .scoping import forget_roles


@transaction.atomic
def user_set_role(*, user: User, role: str, country_codes: Iterable[str]) -> None:
    """Give the user exactly this role, for these countries (none: every country).

    Other roles the user holds are left alone; re-running with the same arguments changes nothing.
    """
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    codes = sorted(set(country_codes))
    wanted = set(codes) or {None}
    existing = dict(user.memberships.filter(role=role).values_list("pk", "country_id"))
    Membership.objects.filter(pk__in=[pk for pk, code in existing.items() if code not in wanted]).delete()
    current = set(existing.values())
    Membership.objects.bulk_create([Membership(user=user, role=role, country_id=code) for code in wanted - current])
    forget_roles(user)


@transaction.atomic
def user_assign_sole_role(*, user: User, role: str, country_codes: Iterable[str]) -> None:
    """Make this role, for these countries, the only one the user holds (what operators script).

    Administrators also get the Django admin site (staff and superuser); anyone else loses it.
    """
    user.memberships.exclude(role=role).delete()
    user_set_role(user=user, role=role, country_codes=country_codes)
    is_admin = role == Role.ADMIN
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
