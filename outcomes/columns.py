"""Every column of the outcome tables, declared once: the dashboards' tables (which the pages show,
the annual report prints and the dashboard exports write) and the lists managers export.

A column is its key, its header, its kind of figure (how ``ta_portal.figures`` shows it; an export
writes shares, kind "rate", as percentages, so their headers say "(%)") and where an item holds
its value. A table names its columns by key (``columns("code", "name")``); the figures of a
country's or a year's row sit in its ``training``, ``measures`` and ``followup`` blocks, and a
table reads them there with ``Column.within``. List columns are read from ``QuerySet.values()``
of their sources (``sources()``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext_lazy

from engagements.models import Engagement
from ta_portal.tabular import Column
from trainings.columns import FIGURE_COLUMNS

from .models import ActivityTarget
from .models import OutcomeTarget

SEX_LABELS = {
    "female": gettext_lazy("Female"),
    "male": gettext_lazy("Male"),
    "other": gettext_lazy("Other"),
    "undisclosed": gettext_lazy("Undisclosed"),
}
PHASE_LABELS = dict(Engagement.Phase.choices)
METRIC_LABELS = {**dict(ActivityTarget.Metric.choices), **dict(OutcomeTarget.Metric.choices)}


def _phases(row) -> str:
    return ", ".join(str(PHASE_LABELS.get(e.phase, e.phase)) for e in row.engagements)


def _level(evaluation) -> str:
    return _("Activity") if evaluation.kind == "activity" else _("Outcome")


def _comparison(evaluation) -> str:
    return evaluation.target.get_comparator_display() if evaluation.kind == "outcome" else "≥"


def _objective(attribute: str):
    def read(evaluation) -> str:
        objective = evaluation.target.objective
        return getattr(objective, attribute) if objective else ""

    return read


def _target_country(evaluation) -> str:
    target = evaluation.target
    return target.country.local_name if target.country_id else _("All countries")


def _metric(evaluation) -> str:
    return str(METRIC_LABELS.get(evaluation.target.metric, evaluation.target.metric))


def _session_kind(evaluation) -> str:
    target = evaluation.target
    return target.get_session_kind_display() if target.session_kind else ""


def _catalogue(*declared: Column) -> dict[str, Column]:
    catalogue = {column.key: column for column in declared}
    if len(catalogue) != len(declared):
        raise ValueError("Two outcome columns share a key.")
    return catalogue


# Columns whose value an item holds under their key: a list's field, a key of a figures block, an
# attribute of a dashboard's row.
_BY_KEY = (
    # Pre/post training figures (a figures block of trainings.statistics).
    *FIGURE_COLUMNS,
    # A country's or a year's row of the programme dashboard.
    Column("code", gettext_lazy("Code"), "text"),
    Column("name", gettext_lazy("Country"), "text"),
    Column("sex", gettext_lazy("Sex"), "text"),
    Column("year", gettext_lazy("Year"), "text"),
    Column("sessions", gettext_lazy("Sessions held"), "int"),
    Column("people", gettext_lazy("People trained"), "int"),
    Column("measures_agreed", gettext_lazy("Measures agreed"), "int"),
    Column("coordination", gettext_lazy("Coordination score (0–100)"), "score"),
    Column("assessments", gettext_lazy("Assessments completed"), "int"),
    Column("maturity_change", gettext_lazy("Maturity change (levels)"), "change"),
    Column("status", gettext_lazy("Status"), "status"),
    # A target of the programme against its actual (an evaluation of outcomes.targets).
    Column("actual", gettext_lazy("Actual"), "short"),
    Column("target_value", gettext_lazy("Target value"), "short"),
    Column("expected", gettext_lazy("Expected by then"), "short"),
    # Groups of participants, maturity and measures of the country dashboard.
    Column("participants", gettext_lazy("Participants"), "text"),
    Column("agency", gettext_lazy("Agency"), "text"),
    Column("dimension", gettext_lazy("Dimension"), "text"),
    Column("baseline", gettext_lazy("Baseline level"), "int"),
    Column("latest", gettext_lazy("Latest level"), "int"),
    Column("change", pgettext_lazy("difference between two maturity levels", "Change"), "int"),
    Column("measure_status", gettext_lazy("Status"), "text"),
    Column("reported", gettext_lazy("Reported by the country"), "int"),
    Column("verified_by_manager", gettext_lazy("Verified by a manager"), "int"),
    Column("current_phase", gettext_lazy("Current phase"), "text"),
    Column("submitted_on", gettext_lazy("Submitted"), "date"),
    # The lists' fields, read from the database by their paths (and the dashboards' rows alike).
    Column("id", "id", "int"),
    Column("title", gettext_lazy("Title"), "text"),
    Column("description", gettext_lazy("Description"), "text"),
    Column("country_id", gettext_lazy("Country code"), "text"),
    Column("country__name", gettext_lazy("Country"), "text"),
    Column("programme__code", gettext_lazy("Programme"), "text"),
    Column("phase", gettext_lazy("Phase"), "text"),
    Column("start_date", gettext_lazy("Start"), "date"),
    Column("end_date", gettext_lazy("End"), "date"),
    Column("created_at", gettext_lazy("Created"), "text"),
    Column("updated_at", gettext_lazy("Updated"), "text"),
    Column("n_sessions", gettext_lazy("Training sessions"), "int"),
    Column("n_measures", gettext_lazy("Measures"), "int"),
    Column("n_rounds", gettext_lazy("Follow-up rounds"), "int"),
    Column("course__title", gettext_lazy("Course"), "text"),
    Column("kind", gettext_lazy("Kind"), "text"),
    Column("modality", gettext_lazy("Modality"), "text"),
    Column("venue", gettext_lazy("Venue"), "text"),
    Column("language", gettext_lazy("Language"), "text"),
    Column("countries", gettext_lazy("Countries"), "text"),
    Column("engagement_id", gettext_lazy("Engagement id"), "int"),
    Column("engagement__title", gettext_lazy("Engagement"), "text"),
    Column("engagement__country_id", gettext_lazy("Country"), "text"),
    Column("max_score", gettext_lazy("Maximum score"), "num"),
    Column("pass_mark", gettext_lazy("Pass mark"), "num"),
    Column("framework__name", gettext_lazy("Framework"), "text"),
    Column("framework__version", gettext_lazy("Framework version"), "int"),
    Column("n_scored", gettext_lazy("Dimensions scored"), "int"),
    Column("mean_level", gettext_lazy("Mean level"), "level"),
    Column("assessment_id", gettext_lazy("Assessment id"), "int"),
    Column("date", gettext_lazy("Date"), "date"),
    Column("online", gettext_lazy("Online"), "text"),
    Column("n_agencies", gettext_lazy("Agencies"), "int"),
    Column("n_invited", gettext_lazy("Attendees invited"), "int"),
    Column("n_attended", gettext_lazy("Attendees present"), "int"),
    Column("n_measures_agreed", gettext_lazy("Measures agreed"), "int"),
    Column("recommendation_id", gettext_lazy("Recommendation id"), "int"),
    Column("roundtable_id", gettext_lazy("Roundtable id"), "int"),
    Column("roundtable__date", gettext_lazy("Agreed at roundtable on"), "date"),
    Column("responsible_agency", gettext_lazy("Responsible agency"), "text"),
    Column("priority", gettext_lazy("Priority"), "text"),
    Column("due_date", gettext_lazy("Due"), "date"),
    Column("progress_pct", gettext_lazy("Reported progress (%)"), "int"),
    Column("verified_status", gettext_lazy("Verified status"), "text"),
    Column("verified_at", gettext_lazy("Verified at"), "text"),
    Column("verified", gettext_lazy("Verified as reported"), "text"),
    Column("overdue", gettext_lazy("Overdue"), "text"),
    Column("latest_update__submitted_at", gettext_lazy("Last reported"), "text"),
    Column("opens_on", gettext_lazy("Opened"), "date"),
    Column("round_status", gettext_lazy("Status"), "text"),
    Column("submitted_at", gettext_lazy("Submitted"), "text"),
    Column("on_time", gettext_lazy("On time"), "text"),
    Column("closed_at", gettext_lazy("Closed"), "text"),
    Column("n_measures_asked", gettext_lazy("Measures asked about"), "int"),
    Column("indicator_id", gettext_lazy("Indicator id"), "int"),
    Column("indicator__name", gettext_lazy("Indicator"), "text"),
    Column("indicator__unit", gettext_lazy("Unit"), "text"),
    Column("indicator__baseline", gettext_lazy("Baseline"), "num"),
    Column("indicator__target", gettext_lazy("Target"), "num"),
    Column("round__engagement_id", gettext_lazy("Engagement id"), "int"),
    Column("round__engagement__country_id", gettext_lazy("Country"), "text"),
    Column("round_id", gettext_lazy("Round id"), "int"),
    Column("round__due_date", gettext_lazy("Round due"), "date"),
    Column("value", gettext_lazy("Value"), "num"),
    Column("note", gettext_lazy("Note"), "text"),
)
# Columns read from elsewhere in their item: a path into it, or a function of it.
_DERIVED = (
    Column("engagements", gettext_lazy("Engagements"), "int", source=lambda row: len(row.engagements)),
    Column("phases", gettext_lazy("Phases"), "text", source=_phases),
    Column("paired_results", gettext_lazy("Paired results"), "int", source="training.n_paired"),
    Column("measures", gettext_lazy("Measures agreed"), "int", source="measures.total"),
    Column("implemented", gettext_lazy("Implemented"), "int", source="measures.by_status.implemented"),
    Column(
        "implementation_rate", gettext_lazy("Implementation rate (%)"), "rate", source="measures.implementation_rate"
    ),
    Column(
        "implementation_rate_at_year_end",
        gettext_lazy("Implementation rate at year end (%)"),
        "rate",
        source="measures.implementation_rate",
    ),
    Column("rounds_due", gettext_lazy("Follow-up rounds due"), "int", source="followup.rounds_due"),
    Column("rounds_on_time", gettext_lazy("Submitted on time"), "int", source="followup.rounds_submitted_on_time"),
    Column("compliance_rate", gettext_lazy("Follow-up compliance (%)"), "rate", source="followup.compliance_rate"),
    Column("targets_behind", gettext_lazy("Targets behind"), "int", source=lambda row: len(row.behind)),
    Column(
        "behind_on", gettext_lazy("Behind on"), "text", source=lambda row: "; ".join(e.target.title for e in row.behind)
    ),
    Column("target", gettext_lazy("Target"), "text", source="target.title"),
    Column("comparison", gettext_lazy("Comparison"), "text", source=_comparison),
    Column("unit", gettext_lazy("Unit"), "text", source=lambda evaluation: evaluation.unit.strip()),
    Column("level", gettext_lazy("Level"), "text", source=_level),
    Column("metric", gettext_lazy("Measured by"), "text", source=_metric),
    Column("session_kind", gettext_lazy("Kind of session"), "text", source=_session_kind),
    Column("country", gettext_lazy("Country"), "text", source=_target_country),
    Column("objective_code", gettext_lazy("Objective"), "text", source=_objective("code")),
    Column("objective", gettext_lazy("Objective title"), "text", source=_objective("title")),
    Column("period_start", gettext_lazy("Period start"), "date", source="target.period_start"),
    Column("period_end", gettext_lazy("Period end"), "date", source="target.period_end"),
    Column("counted_to", gettext_lazy("Counted up to"), "date", source="window.end"),
    Column("assessment_status", gettext_lazy("Status"), "text", source="status"),
    Column("reported_status", gettext_lazy("Reported status"), "text", source="status"),
)
COLUMNS = _catalogue(*_BY_KEY, *_DERIVED)


def columns(*keys: str) -> list[Column]:
    return [COLUMNS[key] for key in keys]


def sources(table_columns) -> list[str]:
    """The fields a list reads from the database: its columns' sources, named once."""
    return list(dict.fromkeys(column.source or column.key for column in table_columns))
