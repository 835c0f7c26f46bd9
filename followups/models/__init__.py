"""Follow-up monitoring: measures, schedules and rounds, status updates with evidence, indicators,
the coordination questionnaire and the log of every follow-up e-mail.

A measure's status is never edited directly: it is derived from its status updates (see
``services.measure_recompute``), so every change has an author, a date and a history. Two levels
of truth are kept: what the counterparts reported (``status``) and what a manager verified
(``verified_status``).

The models live in one module per sub-domain; every public name is available from here.
"""

from .indicators import (
    COORDINATION_QUESTIONS,
    MAX_ANSWER,
    UNANSWERED_MESSAGE,
    CoordinationResponse,
    Frequency,
    Indicator,
    IndicatorValue,
    RoundPartQuerySet,
    unanswered_questions,
)
from .measures import (
    CLOSED_STATUSES,
    EVIDENCE_ROLES,
    REPORTING_ROLES,
    EngagementPartQuerySet,
    Measure,
    MeasureQuerySet,
    MeasureStatus,
    Priority,
)
from .reminders import ReminderKind, ReminderLog, ReminderLogQuerySet
from .rounds import FollowupRound, FollowupRoundQuerySet, FollowupSchedule, RoundMeasure, RoundStatus, add_months
from .updates import (
    REPORTED_STATES,
    Evidence,
    EvidenceQuerySet,
    StatusUpdate,
    StatusUpdateQuerySet,
    UpdateState,
    evidence_upload_to,
)

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
    "evidence_upload_to",
    "unanswered_questions",
]
