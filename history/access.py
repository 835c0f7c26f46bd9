"""Who may do what with history imports (services check these; pages and the API ask the same)."""

from accounts.scoping import is_admin
from accounts.scoping import manages_somewhere


def can_import_history(user) -> bool:
    """Import a history workbook (into the countries the user manages): managers and administrators.
    They also download the template and export the records of the countries they manage."""
    return manages_somewhere(user)


def can_see_every_import(user) -> bool:
    """Administrators see everyone's imports; anyone else only their own."""
    return is_admin(user)


def can_see_import(user, history_import) -> bool:
    """An import is seen by whoever made it, and by administrators."""
    return history_import.created_by_id == getattr(user, "pk", None) or can_see_every_import(user)


def can_confirm_import(user, history_import) -> bool:
    """The real import of a dry run is asked for by whoever made the dry run (while they may import)."""
    return history_import.created_by_id == getattr(user, "pk", None) and can_import_history(user)
