"""What the trainings views share: fetching a session for those who run it."""

from django.core.exceptions import PermissionDenied

from .. import selectors
from ..access import can_edit_session
from ..models import TrainingSession


def session_for_editing(request, pk: int) -> TrainingSession:
    """The session, if the user runs it: 404 out of scope, 403 visible but not theirs to change."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    if not can_edit_session(request.user, session):
        raise PermissionDenied
    return session
