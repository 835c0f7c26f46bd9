"""Who may do what with assessments and roundtables, for the checks that are not a queryset's
``visible_to`` / ``editable_by`` / ``creatable_by``. Views compute the booleans their templates
show from these; the API and the navigation ask here too."""

from accounts.scoping import scope_for

from .models import Assessment
from .models import Roundtable


def can_read_assessments(user) -> bool:
    """Whether the user has a role that reads assessments somewhere (the pages and the menu entry)."""
    return not scope_for(user, Assessment.objects.read_roles).empty


def can_read_assessment(user, assessment_id: int | None) -> bool:
    return assessment_id is not None and Assessment.objects.visible_to(user).filter(pk=assessment_id).exists()


def can_edit_assessment(user, assessment: Assessment) -> bool:
    return Assessment.objects.editable_by(user).filter(pk=assessment.pk).exists()


def can_edit_roundtable(user, roundtable: Roundtable) -> bool:
    return Roundtable.objects.editable_by(user).filter(pk=roundtable.pk).exists()
