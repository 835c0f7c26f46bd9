"""History workbooks out of the portal: the blank template and a country's or programme's records.

Both are written from the declarations of ``spec.py`` through ``ta_portal.tabular``, so the
template offers exactly what the import reads, and an exported workbook imports back unchanged:
each record under its ref (the one it was imported with, else its portal id ``#12``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.models import DimensionScore
from assessments.models import StatusChange
from engagements.models import Engagement
from engagements.models import PhaseChange
from followups.models import REPORTED_STATES
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import StatusUpdate
from followups.models import UpdateState
from ta_portal.tabular import Sheet
from ta_portal.tabular import write_workbook

from . import spec
from .engine import local_day
from .models import HistoryRef


def write_history_workbook(rows: dict[str, Iterable[dict]], *, notes: list[list[str]] | None = None) -> bytes:
    """A workbook of the history sheets with ``rows`` (by sheet, each row by column name), after a
    sheet of ``notes`` when given; choice columns carry their drop-down lists."""
    sheets = []
    if notes is not None:
        sheets.append(Sheet(_("Instructions"), rows=notes, width=60))
    for sheet in spec.SHEETS:
        sheets.append(
            Sheet(
                sheet.name,
                header=sheet.column_names,
                rows=_values(rows.get(sheet.name, ()), sheet.column_names),
                choices={index: column.allowed() for index, column in enumerate(sheet.columns) if column.choices},
                width=16,
            )
        )
    return write_workbook(sheets)


def _values(rows: Iterable[dict], names: list[str]):
    for row in rows:
        yield [row.get(name) for name in names]


def instructions() -> list[list[str]]:
    """The instructions sheet, in the active language: the rules, then each sheet and its columns."""
    lines = [
        [_("History workbook of the TA Portal")],
        [
            _(
                "Record a programme's past: engagements, assessments and their scores, measures, follow-up "
                "rounds and the reports made in them. Fill in the sheets you need and leave the others empty."
            )
        ],
        [
            _(
                "Keep the names of the sheets and of the columns as they are. Columns may come in any order; "
                "other sheets and columns are ignored."
            )
        ],
        [
            _(
                "Each row of engagements, assessments, measures and rounds has a ref of your choice, unique on "
                "its sheet (E1, A1…); other sheets name rows by these refs. A record already in the portal is "
                "named by its id, such as #12. Importing the same workbook again updates the same records and "
                "creates nothing new."
            )
        ],
        [_("Dates are date cells, or text such as 2014-03-31. Formulas are refused: paste their values.")],
        [
            _(
                "A dry run checks everything and saves nothing. When a row has an error nothing is saved, and "
                "every error is listed with its sheet, row and column."
            )
        ],
        [],
    ]
    for sheet in spec.SHEETS:
        lines.append([sheet.name, str(sheet.help)])
        for column in sheet.columns:
            text = str(column.help)
            if column.required:
                text = _("%(text)s Required.") % {"text": text}
            if column.choices:
                text = _("%(text)s One of: %(choices)s.") % {"text": text, "choices": ", ".join(column.allowed())}
            lines.append([f"  {column.name}", text])
        lines.append([])
    return lines


def template_workbook(*, language: str) -> bytes:
    """The XLSX template: an instructions sheet in ``language``, one sheet per kind with its
    columns, example rows and validation lists."""
    with translation.override(language):
        examples = {sheet.name: sheet.examples for sheet in spec.SHEETS}
        return write_history_workbook(examples, notes=instructions())


def history_workbook(*, user, country=None, programme=None) -> bytes:
    """The records of ``country`` (a Country) or ``programme`` (a Programme) that ``user`` may see,
    as a history workbook that imports back unchanged."""
    engagements = Engagement.objects.visible_to(user).select_related("programme")
    if country is not None:
        engagements = engagements.filter(country=country)
    if programme is not None:
        engagements = engagements.filter(programme=programme)
    engagements = list(engagements.order_by("start_date", "pk"))
    ids = [e.pk for e in engagements]
    assessments = list(Assessment.objects.visible_to(user).filter(engagement_id__in=ids).order_by("start_date", "pk"))
    scores = (
        DimensionScore.objects.visible_to(user)
        .filter(assessment_id__in=[a.pk for a in assessments])
        .select_related("dimension")
        .order_by("assessment_id", "dimension__order", "dimension__code")
    )
    measures = list(Measure.objects.visible_to(user).filter(engagement_id__in=ids).order_by("pk"))
    rounds = list(FollowupRound.objects.visible_to(user).filter(engagement_id__in=ids).order_by("opens_on", "pk"))
    # The report on each measure in each round: its latest (the import compares with that one).
    reports = {}
    for update in (
        StatusUpdate.objects.visible_to(user)
        .filter(round_id__in=[r.pk for r in rounds], measure_id__in=[m.pk for m in measures])
        .filter(state__in=REPORTED_STATES)
        .order_by("submitted_at", "pk")
    ):
        reports[(update.round_id, update.measure_id)] = update
    countries = {e.pk: e.country_id for e in engagements}
    ref = _refs(
        {
            "engagements": {e.pk: e.country_id for e in engagements},
            "assessments": {a.pk: countries[a.engagement_id] for a in assessments},
            "measures": {m.pk: countries[m.engagement_id] for m in measures},
            "rounds": {r.pk: countries[r.engagement_id] for r in rounds},
        }
    )
    entered = {}
    phases = {e.pk: e.phase for e in engagements}
    for change in PhaseChange.objects.filter(engagement_id__in=ids).order_by("changed_at", "pk"):
        if change.to_phase == phases[change.engagement_id]:
            entered[change.engagement_id] = local_day(change.changed_at)
    finalised = {}
    finals = StatusChange.objects.filter(
        assessment_id__in=[a.pk for a in assessments], to_status=Assessment.Status.FINAL
    ).order_by("changed_at", "pk")
    for change in finals:
        finalised[change.assessment_id] = local_day(change.changed_at)
    rows = {
        "engagements": [
            {
                "ref": ref("engagements", e.pk),
                "country": e.country_id,
                "title": e.title,
                "programme": e.programme.code if e.programme else None,
                "start_date": e.start_date,
                "end_date": e.end_date,
                "phase": e.phase,
                "phase_changed_on": entered.get(e.pk),
            }
            for e in engagements
        ],
        "assessments": [
            {
                "ref": ref("assessments", a.pk),
                "engagement": ref("engagements", a.engagement_id),
                "title": a.title,
                "start_date": a.start_date,
                "end_date": a.end_date,
                "status": a.status,
                "finalised_on": finalised.get(a.pk) if a.status == Assessment.Status.FINAL else None,
            }
            for a in assessments
        ],
        "scores": [
            {
                "assessment": ref("assessments", s.assessment_id),
                "dimension": s.dimension.code,
                "level": s.level,
                "rationale": s.rationale,
            }
            for s in scores
        ],
        "measures": [
            {
                "ref": ref("measures", m.pk),
                "engagement": ref("engagements", m.engagement_id),
                "title": m.title,
                "description": m.description,
                "priority": m.priority,
                "agreed_on": m.agreed_on,
                "due_date": m.due_date,
            }
            for m in measures
        ],
        "rounds": [
            {
                "ref": ref("rounds", r.pk),
                "engagement": ref("engagements", r.engagement_id),
                "opened_on": r.opens_on,
                "due_date": r.due_date,
            }
            for r in rounds
        ],
        "updates": [_update_row(u, ref) for u in sorted(reports.values(), key=lambda u: (u.round_id, u.measure_id))],
    }
    return write_history_workbook(rows)


def _update_row(update: StatusUpdate, ref) -> dict:
    accepted = update.state == UpdateState.ACCEPTED
    return {
        "round": ref("rounds", update.round_id),
        "measure": ref("measures", update.measure_id),
        "status": update.status,
        "progress_pct": update.progress_pct,
        "narrative": update.narrative,
        "submitted_on": local_day(update.submitted_at),
        "verified_status": update.status if accepted else None,
        "verified_on": local_day(update.reviewed_at) if accepted else None,
    }


def _refs(records: dict[str, dict[int, str]]):
    """``ref(sheet, pk)``: the ref a record was imported with (when it is of the record's country
    and names no other record of the sheet), else its portal id."""
    named: dict[tuple[str, int], str] = {}
    countries = sorted({country for by_pk in records.values() for country in by_pk.values()})
    for href in HistoryRef.objects.filter(sheet__in=list(records), country_id__in=countries).order_by("pk"):
        if records.get(href.sheet, {}).get(href.object_id) == href.country_id:
            named[(href.sheet, href.object_id)] = href.ref
    used: dict[tuple[str, str], int] = defaultdict(int)
    for (sheet, _pk), text in named.items():
        used[(sheet, text)] += 1

    def ref(sheet: str, pk: int) -> str:
        text = named.get((sheet, pk))
        if text is None or used[(sheet, text)] > 1:
            return f"{spec.PORTAL_ID_PREFIX}{pk}"
        return text

    return ref
