"""Follow-up monitoring: measures, schedules and rounds, status updates with evidence, indicators,
the coordination questionnaire and the log of every follow-up e-mail.

A measure's status is never edited directly: it is derived from its status updates (see
``services.measure_recompute``), so every change has an author, a date and a history. Two levels
of truth are kept: what the counterparts reported (``status``) and what a manager verified
(``verified_status``).

The models live in one module per sub-domain; every public name is available from here.
"""

from .indicators import COORDINATION_QUESTIONS
from .indicators import MAX_ANSWER
from .indicators import UNANSWERED_MESSAGE
from .indicators import CoordinationResponse
from .indicators import Frequency
from .indicators import Indicator
from .indicators import IndicatorValue
from .indicators import RoundPartQuerySet
from .indicators import unanswered_questions
from .measures import CLOSED_STATUSES
from .measures import EVIDENCE_ROLES
from .measures import REPORTING_ROLES
from .measures import EngagementPartQuerySet
from .measures import Measure
from .measures import MeasureQuerySet
from .measures import MeasureStatus
from .measures import Priority
from .measures import agreed_day
from .reminders import ReminderKind
from .reminders import ReminderLog
from .reminders import ReminderLogQuerySet
from .rounds import FollowupRound
from .rounds import FollowupRoundQuerySet
from .rounds import FollowupSchedule
from .rounds import RoundMeasure
from .rounds import RoundStatus
from .rounds import add_months
from .updates import REPORTED_STATES
from .updates import Evidence
from .updates import EvidenceQuerySet
from .updates import StatusUpdate
from .updates import StatusUpdateQuerySet
from .updates import UpdateState
from .updates import evidence_upload_to
from .updates import report_date_errors

__all__ = [
    "CLOSED_STATUSES",
    "COORDINATION_QUESTIONS",
    "EVIDENCE_ROLES",
    "MAX_ANSWER",
    "REPORTED_STATES",
    "REPORTING_ROLES",
    "UNANSWERED_MESSAGE",
    "CoordinationResponse",
    "EngagementPartQuerySet",
    "Evidence",
    "EvidenceQuerySet",
    "FollowupRound",
    "FollowupRoundQuerySet",
    "FollowupSchedule",
    "Frequency",
    "Indicator",
    "IndicatorValue",
    "Measure",
    "MeasureQuerySet",
    "MeasureStatus",
    "Priority",
    "ReminderKind",
    "ReminderLog",
    "ReminderLogQuerySet",
    "RoundMeasure",
    "RoundPartQuerySet",
    "RoundStatus",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "UpdateState",
    "add_months",
    "agreed_day",
    "evidence_upload_to",
    "report_date_errors",
    "unanswered_questions",
]
