"""Who may do what with the results framework: the one place each permission is decided.

Services check these before writing; views and the API ask the same functions, so a page never
offers what the service would refuse.
"""

from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for
from engagements.selectors import programmes_reached
from followups.models import EVIDENCE_ROLES

from .models import IndicatorValue


def can_edit_framework(user, programme) -> bool:
    """Create and change the programme's objectives, indicators, periods, targets and narratives:
    global managers and admins, and managers of a country where the programme works."""
    return programmes_reached(scope_for(user, MANAGING_ROLES)).filter(pk=programme.pk).exists()


def can_report_value(user, country) -> bool:
    """Report a value of an indicator for ``country`` (counterparts of the country, its managers)."""
    return IndicatorValue.objects.creatable_by(user, country)


def can_verify_value(user, country) -> bool:
    """Verify (accept or return) a reported value of ``country``: its managers, as for status updates."""
    return scope_for(user, MANAGING_ROLES).allows(getattr(country, "pk", country))


def can_download_value_evidence(user, value) -> bool:
    """Download a reported value's evidence file: those who see the evidence of its country, as for
    status updates (the page, the API and the API's link ask this)."""
    return bool(value.evidence_file) and scope_for(user, EVIDENCE_ROLES).allows(value.country_id)
