"""Who may do what in the follow-up: the one place each permission is decided.

Services check these before writing; views, templates (through the ``can_*`` values the views
pass) and the API ask the same functions, so a page never offers what the service would refuse.
"""

from accounts.scoping import scope_for

from .models import Evidence
from .models import Measure
from .models import StatusUpdate


def can_see_followup(user) -> bool:
    """Open the follow-up pages at all: some country's measures are readable."""
    return Measure.objects.readable_by(user)


def can_manage_followup(user, engagement) -> bool:
    """Add and change the engagement's measures, schedule, rounds and indicators; verify reports."""
    return Measure.objects.creatable_by(user, engagement.country_id)


def can_review_updates(user, engagement=None) -> bool:
    """Verify (accept or return) reports: of this engagement, or of some engagement when none is given."""
    # The engagement's managers verify, as they manage its measures (StatusUpdate.objects.verifiable_by).
    return Measure.objects.creatable_by(user, engagement.country_id if engagement is not None else None)


def can_report_progress(user, engagement) -> bool:
    """Report on the engagement's measures: status updates, indicator values, the questionnaire."""
    return StatusUpdate.objects.creatable_by(user, engagement.country_id)


def can_see_evidence(user, engagement) -> bool:
    """Open the evidence files of the engagement's reports."""
    return scope_for(user, Evidence.objects.read_roles).allows(engagement.country_id)
