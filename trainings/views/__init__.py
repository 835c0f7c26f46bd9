"""The trainings pages (thin: reads in ``selectors``, writes in ``services``)."""

from .certificates import certificate_action
from .certificates import certificate_revoke
from .certificates import session_certificates
from .quiz import quiz_import
from .scores import exam_form_edit
from .scores import exam_forms
from .scores import item_scores
from .scores import results_download
from .scores import score_grid
from .scores import score_history
from .scores import score_import
from .scores import score_preview
from .scores import session_results
from .sessions import attendance
from .sessions import course_create
from .sessions import course_detail
from .sessions import course_edit
from .sessions import course_list
from .sessions import participant_create
from .sessions import participant_remove
from .sessions import participants
from .sessions import session_create
from .sessions import session_detail
from .sessions import session_edit
from .sessions import session_invitation
from .sessions import session_list
from .sessions import statistics_overview

__all__ = [
    "attendance",
    "certificate_action",
    "certificate_revoke",
    "course_create",
    "course_detail",
    "course_edit",
    "course_list",
    "exam_form_edit",
    "exam_forms",
    "item_scores",
    "participant_create",
    "participant_remove",
    "participants",
    "quiz_import",
    "results_download",
    "score_grid",
    "score_history",
    "score_import",
    "score_preview",
    "session_certificates",
    "session_create",
    "session_detail",
    "session_edit",
    "session_invitation",
    "session_list",
    "session_results",
    "statistics_overview",
]
