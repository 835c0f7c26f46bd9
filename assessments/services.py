"""Every write to an assessment and its parts, and to roundtables.

A final assessment is read-only: each write here first calls ``assessment_require_open`` and
fails with ``AssessmentFinalError`` (a ValidationError, so pages and the API show it as a clear error
and nothing is saved). Reopening is an explicit transition with a reason, recorded in the history.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Agency
from engagements.models import Person
from engagements.timezones import country_time_zone
from reports.models import Report
from reports.services import report_request
from ta_portal import datacache

from . import report as assessment_report
from .models import Assessment
from .models import Dimension
from .models import DimensionScore
from .models import EvidenceMeeting
from .models import Finding
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable
from .models import RoundtableAttendance
from .models import StatusChange

Status = Assessment.Status

# Allowed moves of the workflow; leaving "final" is a reopening and needs a reason.
TRANSITIONS = {
    Status.DRAFT: {Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.DRAFT, Status.FINAL},
    Status.FINAL: {Status.DRAFT},
}


class AssessmentFinalError(ValidationError):
    """Raised on the ``status`` field: it is the assessment's status that refuses the change."""

    def __init__(self):
        super().__init__(
            {
                "status": ValidationError(
                    _("This assessment is final and can no longer be changed; reopen it first."),
                    code="assessment_final",
                )
            }
        )


def assessment_require_open(assessment: Assessment) -> None:
    """Refuse a change to a final assessment (reading the stored status, not the form's)."""
    if assessment.pk is None:
        return
    stored = Assessment.objects.filter(pk=assessment.pk).values_list("status", flat=True).first()
    if stored == Status.FINAL:
        raise AssessmentFinalError


def _check_agencies(agencies: Iterable[Agency], country_code: str, field: str = "agencies") -> None:
    strangers = [agency for agency in agencies if agency.country_id != country_code]
    if strangers:
        raise ValidationError(
            {
                field: _("These agencies belong to another country: %(names)s")
                % {"names": ", ".join(str(agency) for agency in strangers)}
            }
        )


def _save_with_agencies(row, agencies, country_code: str) -> None:
    """Save a validated row and set its agencies, which must be of ``country_code`` (None: left as they are)."""
    if agencies is not None:
        _check_agencies(agencies, country_code)
    row.save()
    if agencies is not None:
        row.agencies.set(agencies)


@transaction.atomic
def assessment_save(*, assessment: Assessment, by, agencies=None, lead_assessors=None) -> Assessment:
    """Create or update an assessment (not its status: see ``assessment_set_status``)."""
    creating = assessment.pk is None
    if not creating:
        assessment_require_open(assessment)
        stored = Assessment.objects.get(pk=assessment.pk)
        if stored.framework_id != assessment.framework_id and stored.scores.exists():
            raise ValidationError({"framework": _("The framework cannot change once dimensions are scored.")})
        assessment.status = stored.status
    else:
        assessment.status = Status.DRAFT
    assessment.full_clean()
    _save_with_agencies(assessment, agencies, assessment.engagement.country_id)
    if lead_assessors is not None:
        assessment.lead_assessors.set(lead_assessors)
    if creating:
        StatusChange.objects.create(assessment=assessment, from_status="", to_status=Status.DRAFT, changed_by=by)
    return assessment


def unscored_message(dimensions: Iterable[Dimension], scored_ids) -> str:
    """Why an assessment cannot be final while some of its framework's ``dimensions`` have no score
    (``scored_ids``: the dimensions scored); empty when every one has."""
    missing = [dimension for dimension in dimensions if dimension.pk not in scored_ids]
    if not missing:
        return ""
    return _("Score every dimension before the assessment is final. Not scored: %(names)s") % {
        "names": ", ".join(str(d) for d in missing)
    }


def dimensions_unscored(assessment: Assessment) -> list[Dimension]:
    """The dimensions of the assessment's framework that have no score yet, in the framework's order."""
    scored = {score.dimension_id for score in assessment.scores.all()}  # prefetched by the API's lists
    return [dimension for dimension in assessment.framework.dimensions.all() if dimension.pk not in scored]


@transaction.atomic
def assessment_set_status(*, assessment: Assessment, to_status: str, by, reason: str = "") -> Assessment:
    """Move an assessment through draft → in review → final; reopening a final one needs a reason."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    current = locked.status
    if to_status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if to_status == current:
        return locked
    if to_status not in TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("An assessment cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Status(current).label, "to": Status(to_status).label}
            }
        )
    reason = reason.strip()
    if current == Status.FINAL and not reason:
        raise ValidationError({"reason": _("Say why the final assessment is reopened.")})
    if to_status == Status.FINAL:
        scored = set(locked.scores.values_list("dimension_id", flat=True))
        if message := unscored_message(locked.framework.dimensions.all(), scored):
            raise ValidationError({"status": message})
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        assessment=locked, from_status=current, to_status=to_status, reason=reason, changed_by=by
    )
    assessment.status = to_status
    return locked


@dataclass(frozen=True)
class ScoreEntry:
    dimension: str  # the dimension's code
    level: int | None  # None: not scored (an existing score is removed)
    rationale: str = ""


def score_errors(entries: list[ScoreEntry], dimensions: dict[str, Dimension]) -> dict[int, dict[str, list[str]]]:
    """The errors of each entry, by its position in ``entries`` and then by field: a dimension not of
    the framework (``dimensions``, by code), a dimension scored twice, a level outside 1–5.

    The one check of score rows: ``scores_replace`` refuses with it, and the API calls it to answer
    each bad row by its index.
    """
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        # Every error of the row, not only the first: an unknown dimension's level is checked too.
        if entry.dimension not in dimensions:
            errors[index] = {
                "dimension": [_("Unknown dimension “%(code)s” for this framework.") % {"code": entry.dimension}]
            }
        elif entry.dimension in seen:
            errors.setdefault(index, {})["dimension"] = [_("This dimension is scored twice.")]
        seen.add(entry.dimension)
        if entry.level is not None and (
            isinstance(entry.level, bool) or not isinstance(entry.level, int) or not 1 <= entry.level <= 5
        ):
            errors.setdefault(index, {})["level"] = [_("The level must be a whole number from 1 to 5.")]
    return errors


def framework_dimensions(assessment: Assessment) -> dict[str, Dimension]:
    """The dimensions of the assessment's framework, by code."""
    return {d.code: d for d in assessment.framework.dimensions.all()}


@transaction.atomic
def scores_replace(*, assessment: Assessment, entries: list[ScoreEntry], by, partial: bool = False) -> None:
    """Set the assessment's scores from ``entries`` (all or nothing).

    Without ``partial`` the entries are the whole set: a dimension left out loses its score.
    """
    assessment_require_open(assessment)
    dimensions = framework_dimensions(assessment)
    if errors := score_errors(entries, dimensions):
        # Keyed by the dimension's code: the page shows them above its one row per dimension.
        by_dimension: dict[str, list[str]] = {}
        for index, fields in errors.items():
            for messages in fields.values():
                by_dimension.setdefault(str(entries[index].dimension), []).extend(messages)
        raise ValidationError(by_dimension)
    existing = {score.dimension.code: score for score in assessment.scores.select_related("dimension")}
    keep: set[str] = set()
    for entry in entries:
        if entry.level is None:
            continue
        keep.add(entry.dimension)
        score = existing.get(entry.dimension)
        if score is None:
            DimensionScore.objects.create(
                assessment=assessment,
                dimension=dimensions[entry.dimension],
                level=entry.level,
                rationale=entry.rationale.strip(),
            )
        elif score.level != entry.level or score.rationale != entry.rationale.strip():
            score.level = entry.level
            score.rationale = entry.rationale.strip()
            score.save(update_fields=["level", "rationale"])
    named = {entry.dimension for entry in entries}
    removed = [code for code in existing if code not in keep and (code in named or not partial)]
    if removed:
        assessment.scores.filter(dimension__code__in=removed).delete()
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    datacache.changed(Assessment)


@transaction.atomic
def meeting_save(*, meeting: EvidenceMeeting, people=None, by=None) -> EvidenceMeeting:
    assessment_require_open(meeting.assessment)
    country = meeting.assessment.engagement.country_id
    meeting.full_clean()
    if meeting.agency_id:
        _check_agencies([meeting.agency], country, "agency")
    if people is not None:
        _check_people(people, country)
    meeting.save()
    if people is not None:
        meeting.people.set(people)
    return meeting


@transaction.atomic
def instrument_save(*, instrument: LegalInstrument, by=None) -> LegalInstrument:
    assessment_require_open(instrument.assessment)
    instrument.full_clean()
    instrument.save()
    return instrument


@transaction.atomic
def finding_save(*, finding: Finding, agencies=None, substances=None, by=None) -> Finding:
    assessment = finding.assessment
    assessment_require_open(assessment)
    if finding.dimension_id and finding.dimension.framework_id != assessment.framework_id:
        raise ValidationError({"dimension": _("The dimension belongs to another framework.")})
    finding.full_clean()
    _save_with_agencies(finding, agencies, assessment.engagement.country_id)
    if substances is not None:
        finding.substances.set(substances)
    return finding


@transaction.atomic
def recommendation_save(*, recommendation: Recommendation, by=None) -> Recommendation:
    assessment = recommendation.finding.assessment
    assessment_require_open(assessment)
    recommendation.full_clean()
    if recommendation.responsible_agency_id:
        _check_agencies([recommendation.responsible_agency], assessment.engagement.country_id, "responsible_agency")
    recommendation.save()
    return recommendation


@transaction.atomic
def assessment_part_delete(*, part, by=None) -> None:
    """Delete a meeting, instrument, finding (with its recommendations) or recommendation."""
    assessment = part.finding.assessment if isinstance(part, Recommendation) else part.assessment
    assessment_require_open(assessment)
    if isinstance(part, Finding | Recommendation):
        recommendations = (
            Recommendation.objects.filter(pk=part.pk)
            if isinstance(part, Recommendation)
            else part.recommendations.all()
        )
        if hasattr(Recommendation, "measures") and recommendations.filter(measures__isnull=False).exists():
            raise ValidationError(
                _("A measure is tracked from this recommendation; it cannot be deleted. Edit it instead.")
            )
    part.delete()


@transaction.atomic
def roundtable_time_zone(engagement) -> str:
    """The time zone a roundtable of ``engagement`` is held in unless said otherwise: its country's."""
    return country_time_zone(engagement.country_id if engagement else None) or "UTC"


def roundtable_save(*, roundtable: Roundtable, agencies=None, by=None) -> Roundtable:
    roundtable.full_clean()
    _save_with_agencies(roundtable, agencies, roundtable.engagement.country_id)
    return roundtable


def _check_people(people: Iterable[Person], country_code: str, field: str = "people") -> None:
    strangers = [p.full_name for p in people if p.country_id != country_code]
    if strangers:
        raise ValidationError(
            {field: _("These people belong to another country: %(names)s") % {"names": ", ".join(strangers)}}
        )


@transaction.atomic
def roundtable_set_attendance(
    *,
    roundtable: Roundtable,
    attended: dict[int, bool],
    add: Iterable[Person] = (),
    remove: Iterable[int] = (),
    by=None,
) -> None:
    """Record who attended (by person id), invite more people from the register, drop some."""
    add = list(add)
    _check_people(add, roundtable.engagement.country_id, "attendees")
    remove = set(remove)
    if remove:
        roundtable.attendance.filter(person_id__in=remove).delete()
    for row in roundtable.attendance.exclude(person_id__in=remove):
        value = attended.get(row.person_id, row.attended)
        if value != row.attended:
            row.attended = value
            row.save(update_fields=["attended"])
    for person in add:
        RoundtableAttendance.objects.get_or_create(
            roundtable=roundtable, person=person, defaults={"attended": attended.get(person.pk, False)}
        )


@transaction.atomic
def roundtable_add_new_person(*, roundtable: Roundtable, person: Person, attended: bool = False, by=None) -> Person:
    """Register someone met on the spot (in the roundtable's country) and add them to the attendees."""
    person.country_id = roundtable.engagement.country_id
    person.full_clean()
    person.save()
    RoundtableAttendance.objects.create(roundtable=roundtable, person=person, attended=attended)
    return person


def assessment_report_request(*, assessment: Assessment, language: str, by) -> Report:
    """The assessment's PDF report in ``language``: a ready one made from the same data is reused,
    otherwise it is queued for rendering (returns at once)."""
    return report_request(
        owner=assessment,
        kind=assessment_report.KIND,
        language=language,
        fingerprint=assessment_report.assessment_report_fingerprint(assessment, language),
        by=by,
    )
