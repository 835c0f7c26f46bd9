"""Who may do what with the trainings: the one home of this app's permission checks.

Views, templates (through booleans the views compute), serializers and the API call these; the
rules themselves are the scoping querysets of ``models.py`` (who sees, runs and plans a session).
Creating a session or a course is ``TrainingSession.objects.creatable_by(user)`` /
``Course.objects.creatable_by(user)``.
"""

from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for

from .models import Certificate
from .models import Course
from .models import TrainingSession


def can_see_trainings(user) -> bool:
    """Any role reads the course catalogue, so any role reaches the trainings pages."""
    return not scope_for(user, EVERY_ROLE).empty


def can_edit_session(user, session: TrainingSession) -> bool:
    """Runs the session: enrolment, attendance, exams, scores, certificates, participants' names."""
    return TrainingSession.objects.editable_by(user).filter(pk=session.pk).exists()


def can_plan_session(user, session: TrainingSession) -> bool:
    """Changes its countries, engagement and trainers (managers and admins of its countries)."""
    return TrainingSession.objects.manageable_by(user).filter(pk=session.pk).exists()


def can_edit_course(user, course: Course) -> bool:
    return Course.objects.editable_by(user).filter(pk=course.pk).exists()


def can_revoke_certificate(user, certificate: Certificate) -> bool:
    """The managers of the session's countries and admins revoke a certificate; its trainers do not."""
    return Certificate.objects.revocable_by(user).filter(pk=certificate.pk).exists()
