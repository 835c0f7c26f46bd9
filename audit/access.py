"""Who may read the audit trail: the one home of this app's permission checks.

Which entries a reader sees is ``AuditEntry.objects.visible_to(user)`` (their countries).
"""

from accounts.roles import Role
from accounts.scoping import has_role
from accounts.scoping import is_admin


def can_read_audit(user) -> bool:
    return has_role(user, Role.ADMIN, Role.MANAGER)


def can_read_failed_logins(user) -> bool:
    """Refused sign-ins are tied to no country: administrators only."""
    return is_admin(user)
