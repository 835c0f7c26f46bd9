from ta_portal.navigation import nav_items

from .roles import Role
from .scoping import role_countries


def navigation(request):
    """The user's roles, for templates that adapt to them (the navigation itself is built per app)."""
    user = getattr(request, "user", None)
    if getattr(request, "otp_pending", False):
        # Password given, second factor not yet: show nothing of what the account reaches.
        return {"user_roles": [], "is_portal_admin": False, "nav_items": [], "nav_more": []}
    roles = role_countries(user) if user is not None else {}
    items = nav_items(request)
    more = [item for item in items if item.secondary]
    return {
        "user_roles": [(Role(role).label, scope) for role, scope in roles.items()],
        "is_portal_admin": Role.ADMIN in roles,
        "nav_items": items,
        "nav_more": more,
        "nav_more_current": any(item.section and item.section in request.path for item in more),
    }
