"""Who may do what with engagements, agencies and people, for the checks that are not a
queryset's ``visible_to`` / ``editable_by`` / ``creatable_by``. Views, templates (through the
booleans views compute from these), serializers and the API all ask here."""

from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for

from .models import Engagement
from .models import Person
from .models import Programme


def can_read_people(user) -> bool:
    """Whether the user has a role that reads people somewhere (viewers get figures, not people)."""
    return not scope_for(user, Person.objects.read_roles).empty


def can_edit_engagement(user, engagement: Engagement) -> bool:
    return Engagement.objects.editable_by(user).filter(pk=engagement.pk).exists()


def programmes_editable_by(user):
    """The programmes whose certificates a user configures: admins and global managers every one,
    managers of some countries those with an engagement there."""
    scope = scope_for(user, MANAGING_ROLES)
    if scope.everywhere:
        return Programme.objects.all()
    if scope.empty:
        return Programme.objects.none()
    return Programme.objects.filter(pk__in=Engagement.objects.filter(scope.q("country")).values("programme_id"))


def can_configure_certificates(user) -> bool:
    """Managers and admins configure what their programmes' certificates print."""
    return not scope_for(user, MANAGING_ROLES).empty


def can_edit_programme_certificates(user, programme: Programme) -> bool:
    return programmes_editable_by(user).filter(pk=programme.pk).exists()
