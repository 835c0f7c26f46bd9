"""Who may do what with the surveys: the one home of this app's permission checks.

A session's surveys are read by its readers and run (created, followed) by those who run it
(``trainings`` scoping). Free-text comments and the names of who answered (never in an anonymous
survey) are for those who run it; groups of fewer than ``SMALLEST_SHOWN_GROUP`` respondents are shown
only to them, and to nobody in an anonymous survey. The question bank and templates: managers and
admins edit, every role reads.
"""

from trainings.access import can_edit_session
from trainings.access import can_see_trainings

from .models import SurveyQuestion


def can_see_surveys(user) -> bool:
    return can_see_trainings(user)


def can_run_surveys(user, session) -> bool:
    """Creates a session's surveys by hand, sees its comments and who has answered."""
    return can_edit_session(user, session)


def can_edit_survey_catalogue(user) -> bool:
    return SurveyQuestion.objects.creatable_by(user)
