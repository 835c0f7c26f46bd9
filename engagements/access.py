"""Who may do what with engagements, agencies and people, for the checks that are not a
queryset's ``visible_to`` / ``editable_by`` / ``creatable_by``. Views, templates (through the
booleans views compute from these), serializers and the API all ask here."""

from accounts.scoping import scope_for

from .models import Engagement
from .models import Person


def can_read_people(user) -> bool:
    """Whether the user has a role that reads people somewhere (viewers get figures, not people)."""
    return not scope_for(user, Person.objects.read_roles).empty


def can_edit_engagement(user, engagement: Engagement) -> bool:
    return Engagement.objects.editable_by(user).filter(pk=engagement.pk).exists()
