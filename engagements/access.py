"""Who may do what with engagements, agencies and people, for the checks that are not a
queryset's ``visible_to`` / ``editable_by`` / ``creatable_by``. Views, templates (through the
booleans views compute from these), serializers and the API all ask here."""

from accounts.roles import MANAGING_ROLES
from accounts.scoping import manages_somewhere
from accounts.scoping import scope_for

from .models import Engagement
from .models import Person
from .models import Programme
from .selectors import programmes_reached


def can_read_people(user) -> bool:
    """Whether the user has a role that reads people somewhere (viewers get figures, not people)."""
    return not scope_for(user, Person.objects.read_roles).empty


def can_edit_engagement(user, engagement: Engagement) -> bool:
    return Engagement.objects.editable_by(user).filter(pk=engagement.pk).exists()


def programmes_editable_by(user):
    """The programmes whose certificates a user configures: admins and global managers every one,
    managers of some countries those with an engagement there."""
    return programmes_reached(scope_for(user, MANAGING_ROLES))


def can_configure_certificates(user) -> bool:
    """Managers and admins configure what their programmes' certificates print."""
    return manages_somewhere(user)


def can_edit_programme_certificates(user, programme: Programme) -> bool:
    return programmes_editable_by(user).filter(pk=programme.pk).exists()
