"""A history workbook against the portal: every row checked, then everything written or nothing.

``HistoryImporter.check()`` finds the record each row is about (by its ref imported before, or its
portal id) and every error of every row; ``apply()`` writes what changed, in bulk. Both take a
fixed number of queries whatever the number of rows (lookups are loaded up front, writes go in
batches), so a workbook of ten thousand rows takes seconds. The caller holds the transaction
(``services.import_run``): a dry run goes through the very same steps and rolls back.

Scope: the importer reaches the countries where they manage (``MANAGING_ROLES``). A country, a
portal id or a ref outside that scope gets the very message of one that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for
from assessments.models import Assessment
from assessments.models import Dimension
from assessments.models import DimensionScore
from assessments.models import StatusChange
from assessments.selectors import default_framework
from assessments.services import AssessmentFinalError
from assessments.services import ScoreEntry
from assessments.services import score_errors
from assessments.services import unscored_message
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import PhaseChange
from engagements.models import Programme
from followups.models import REPORTED_STATES
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import Priority
from followups.models import RoundMeasure
from followups.models import StatusUpdate
from followups.models import UpdateState
from followups.models import report_date_errors
from followups.services import measures_recompute
from followups.services import report_errors
from followups.services import rounds_refresh_submission
from ta_portal import datacache
from ta_portal.bulk import update_rows
from ta_portal.validation import date_order_errors
from ta_portal.validation import moment_on
from ta_portal.validation import past_day_errors

from . import spec
from .models import HistoryRef
from .reading import Row
from .reading import cell_error

BATCH = 1000

MODELS = {"engagements": Engagement, "assessments": Assessment, "measures": Measure, "rounds": FollowupRound}
Status = Assessment.Status


def local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def same_text(stored: str | None, given: str | None) -> bool:
    """Text as the reader gives it (line ends as \\n, no surrounding spaces) against text stored."""
    stored = (stored or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return stored == (given or "")


def is_portal_id(ref: str) -> bool:
    return ref.startswith(spec.PORTAL_ID_PREFIX)


def portal_id(ref: str) -> int:
    """The id a ``#12`` names (0, which no record has, for a number no id can be)."""
    number = int(ref[1:])
    return number if number < 2**63 else 0


@dataclass(eq=False)
class Item:
    """A row of the workbook and the record it is about (stored already, or to create)."""

    row: Row
    obj: Any = None
    existing: bool = False
    ok: bool = True  # no error on the row itself
    blocked: bool = False  # a row it names has an error: the row is checked, never written
    changed: bool = False
    parent: Any = None  # what the row names first: an Item of an earlier sheet, or a stored record
    extra: dict = field(default_factory=dict)

    @property
    def values(self) -> dict:
        return self.row.values

    @property
    def new(self) -> bool:
        return not self.existing

    @property
    def sound(self) -> bool:
        return self.ok and not self.blocked

    @property
    def writes(self) -> bool:
        return self.sound and (self.new or self.changed)


def _obj(target):
    return target.obj if isinstance(target, Item) else target


def _sound(target) -> bool:
    """A record, or a row without errors (nor errors in the rows it names): what may be written on."""
    return target is not None and (not isinstance(target, Item) or target.sound)


def _resolved(target) -> bool:
    """A record, or a row whose record is known (new or stored), errors or not: what may be checked on."""
    return target is not None and _obj(target) is not None


def _key(target) -> tuple:
    """The same record, however rows name it: its id once stored, the row's item otherwise."""
    obj = _obj(target)
    if obj is not None and obj.pk is not None:
        return (type(obj).__name__, obj.pk)
    return ("row", id(target))


class HistoryImporter:
    def __init__(self, *, user, progress: Callable[[int, int], None] | None = None):
        self.user = user
        self.scope = scope_for(user, MANAGING_ROLES)
        self.now = timezone.now()
        self.progress = progress or (lambda done, total: None)
        self.errors: list[dict] = []
        self.items: dict[str, list[Item]] = {name: [] for name in spec.SHEET_NAMES}
        self.by_ref: dict[str, dict[str, Item]] = {name: {} for name in spec.SHEET_NAMES}
        self.by_record: dict[str, dict[int, Item]] = {name: {} for name in MODELS}
        self._steps = 0
        self._total = 0

    # ---- errors and progress ----------------------------------------------------------------

    def note_error(self, item: Item, column: str, message) -> None:
        item.ok = False
        if column in item.row.unreadable:  # a cell that could not be read has its one error already
            return
        error = cell_error(item.row.sheet, item.row.number, column, message)
        if error not in self.errors[-5:]:  # (two rules may say the same of one cell)
            self.errors.append(error)

    def errors_from(self, item: Item, errors: dict, columns: dict[str, str] | None = None) -> None:
        """Errors of a model's ``clean()`` or a shared rule ({field: message or [messages]}) on the row,
        each under its column (``columns`` renames fields to columns)."""
        for name, messages in errors.items():
            column = (columns or {}).get(name, name)
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                for text in ValidationError(message).messages:
                    self.note_error(item, column, text)

    def _advance(self, steps: int = 1) -> None:
        # Each row counts twice: checked, then written; the page shows rows.
        before = self._steps // 500
        self._steps += steps
        if self._steps // 500 != before:
            self.progress(min(self._steps // 2, self._total), self._total)

    # ---- checking ---------------------------------------------------------------------------

    def check(self, rows: dict[str, list[Row]]) -> None:
        """Find each row's record and every error; nothing is written."""
        self._total = sum(len(sheet_rows) for sheet_rows in rows.values())
        self.progress(0, self._total)
        for sheet in spec.SHEETS:
            for row in rows.get(sheet.name, []):
                item = Item(row, ok=not row.unreadable)
                self.items[sheet.name].append(item)
                if sheet.has_refs:
                    self._register_ref(item)
        self._load()
        self._check_engagements()
        self._check_assessments()
        self._check_scores()
        self._final_assessments_scored()
        self._check_measures()
        self._check_rounds()
        self._check_updates()
        self._one_pending_report_per_measure()

    def _register_ref(self, item: Item) -> None:
        ref = item.values.get("ref")
        if ref is None:
            return
        first = self.by_ref[item.row.sheet].setdefault(ref, item)
        if first is not item:
            self.note_error(
                item,
                "ref",
                _("The ref “%(ref)s” is already used on row %(row)d of this sheet.")
                % {"ref": ref, "row": first.row.number},
            )

    def summary(self) -> dict[str, dict[str, int]]:
        found = {}
        for name, items in self.items.items():
            if not items:
                continue
            kept = [item for item in items if item.sound]
            found[name] = {
                "created": sum(1 for item in kept if item.new),
                "updated": sum(1 for item in kept if item.existing and item.changed),
                "unchanged": sum(1 for item in kept if item.existing and not item.changed),
            }
        return found

    # ---- what the rows name, loaded in a fixed number of queries -------------------------------

    def _load(self) -> None:
        ids: dict[str, set[int]] = defaultdict(set)
        refs: dict[str, set[str]] = defaultdict(set)
        countries, programmes = set(), set()
        for sheet in spec.SHEETS:
            for item in self.items[sheet.name]:
                for column in sheet.columns:
                    value = item.values.get(column.name)
                    if value is None:
                        continue
                    if column.kind in (spec.REF, spec.LINK):
                        target = sheet.name if column.kind == spec.REF else column.links_to
                        if is_portal_id(value):
                            ids[target].add(portal_id(value))
                        else:
                            refs[target].add(value)
                    elif column.name == "country":
                        countries.add(value)
                    elif column.name == "programme":
                        programmes.add(value)
        self.countries = set(
            Country.objects.filter(code__in=sorted(countries))
            .filter(self.scope.q("code"))
            .values_list("code", flat=True)
        )
        self.programmes = {p.code: p for p in Programme.objects.filter(code__in=sorted(programmes))}
        # Refs imported before, in the countries the importer manages.
        self.refs: dict[tuple[str, str, str], HistoryRef] = {}
        self.refs_by_name: dict[tuple[str, str], list[HistoryRef]] = defaultdict(list)
        wanted = [ref for names in refs.values() for ref in names]
        if wanted:
            found = HistoryRef.objects.filter(sheet__in=list(refs), ref__in=sorted(set(wanted))).filter(
                self.scope.q("country")
            )
            for href in found:
                if href.ref in refs[href.sheet]:
                    self.refs[(href.sheet, href.country_id, href.ref)] = href
                    self.refs_by_name[(href.sheet, href.ref)].append(href)
                    ids[href.sheet].add(href.object_id)
        # The records those name, as far as the importer may change them.
        related = {
            "engagements": ("programme",),
            "assessments": ("engagement",),
            "measures": ("engagement",),
            "rounds": ("engagement",),
        }
        self.records: dict[str, dict[int, Any]] = {}
        for sheet_name, model in MODELS.items():
            pks = sorted(ids.get(sheet_name, ()))
            rows = model.objects.editable_by(self.user).filter(pk__in=pks).select_related(*related[sheet_name])
            if model is Measure:
                rows = rows.with_agreed_day()
            self.records[sheet_name] = {obj.pk: obj for obj in rows} if pks else {}
        self._load_details()

    def _load_details(self) -> None:
        engagements = sorted(self.records["engagements"])
        # The day each engagement entered its present phase (its latest change to it).
        self.phase_entered: dict[int, PhaseChange] = {}
        changes = PhaseChange.objects.filter(engagement_id__in=engagements).order_by("changed_at", "pk")
        for change in changes if engagements else ():
            if change.to_phase == self.records["engagements"][change.engagement_id].phase:
                self.phase_entered[change.engagement_id] = change
        assessments = sorted(self.records["assessments"])
        self.finalised: dict[int, date] = {}
        finals = StatusChange.objects.filter(assessment_id__in=assessments, to_status=Status.FINAL)
        for change in finals.order_by("changed_at", "pk") if assessments else ():
            self.finalised[change.assessment_id] = local_day(change.changed_at)
        self.scores: dict[tuple[int, int], DimensionScore] = {}
        self.scored_before: dict[int, set[int]] = defaultdict(set)
        for score in DimensionScore.objects.filter(assessment_id__in=assessments) if assessments else ():
            self.scores[(score.assessment_id, score.dimension_id)] = score
            self.scored_before[score.assessment_id].add(score.dimension_id)
        self.default_framework = default_framework()
        frameworks = {a.framework_id for a in self.records["assessments"].values()}
        if self.default_framework is not None:
            frameworks.add(self.default_framework.pk)
        self.dimensions: dict[int, dict[str, Dimension]] = defaultdict(dict)
        for dimension in Dimension.objects.filter(framework_id__in=sorted(frameworks)):
            self.dimensions[dimension.framework_id][dimension.code] = dimension
        rounds = sorted(self.records["rounds"])
        self.round_measures: set[tuple[int, int]] = set()
        self.reports: dict[tuple[int, int], StatusUpdate] = {}
        if rounds:
            pairs = RoundMeasure.objects.filter(round_id__in=rounds).values_list("round_id", "measure_id")
            self.round_measures = set(pairs)
            # The report on each measure in each round: its latest.
            reported = StatusUpdate.objects.filter(round_id__in=rounds, state__in=REPORTED_STATES)
            for update in reported.order_by("submitted_at", "pk"):
                self.reports[(update.round_id, update.measure_id)] = update
        measures = sorted(self.records["measures"])
        self.pending: dict[int, set[int]] = defaultdict(set)  # measure → reports awaiting verification
        if measures:
            waiting = StatusUpdate.objects.filter(measure_id__in=measures, state=UpdateState.SUBMITTED)
            for update_id, measure_id in waiting.values_list("pk", "measure_id"):
                self.pending[measure_id].add(update_id)

    # ---- finding records ------------------------------------------------------------------------

    def _no_record(self, item: Item, column: str, ref: str) -> None:
        # The same words whether the record does not exist or is out of the importer's reach.
        self.note_error(item, column, _("There is no record “%(ref)s” that you may change.") % {"ref": ref})

    def _identify(self, item: Item, country: str | None, new: Callable[[], Any]) -> None:
        """Set the row's record: by portal id, by the ref imported before in ``country``, else new."""
        sheet, ref = item.row.sheet, item.values.get("ref")
        if ref is None or self.by_ref[sheet].get(ref) is not item:
            item.ok = False
            return
        obj = None
        if is_portal_id(ref):
            obj = self.records[sheet].get(portal_id(ref))
            if obj is None:
                self._no_record(item, "ref", ref)
                return
        elif country is not None:
            href = self.refs.get((sheet, country, ref))
            if href is not None:
                item.extra["href"] = href
                obj = self.records[sheet].get(href.object_id)
        if obj is None:
            item.obj = new()
            return
        other = self.by_record[sheet].setdefault(obj.pk, item)
        if other is not item:
            self.note_error(
                item, "ref", _("This record is already on row %(row)d of this sheet.") % {"row": other.row.number}
            )
            return
        item.obj, item.existing = obj, True

    def _link(self, item: Item, column: str):
        """The row or record a link cell names (None, with the error, when it names none)."""
        value = item.values.get(column)
        if value is None:
            item.ok = False
            return None
        sheet = spec.SHEETS_BY_NAME[item.row.sheet].column(column).links_to
        pk = None
        if is_portal_id(value):
            pk = portal_id(value)
            if pk not in self.records[sheet]:
                self._no_record(item, column, value)
                return None
        elif value in self.by_ref[sheet]:
            return self.by_ref[sheet][value]
        else:
            found = [
                href for href in self.refs_by_name.get((sheet, value), ()) if href.object_id in self.records[sheet]
            ]
            if len(found) > 1:
                self.note_error(
                    item,
                    column,
                    _("“%(ref)s” names records of several countries (%(countries)s); give the portal id instead.")
                    % {"ref": value, "countries": ", ".join(sorted(href.country_id for href in found))},
                )
                return None
            if not found:
                self.note_error(
                    item,
                    column,
                    _(
                        "“%(ref)s” is neither a row of the “%(sheet)s” sheet nor a record imported before "
                        "that you may change."
                    )
                    % {"ref": value, "sheet": sheet},
                )
                return None
            pk = found[0].object_id
        return self.by_record[sheet].get(pk) or self.records[sheet][pk]

    def _parent(self, item: Item, column: str = "engagement"):
        """The record a row belongs to (its engagement, assessment or round), kept on the item."""
        target = self._link(item, column)
        item.parent = target
        if target is not None and not _sound(target):
            item.blocked = True
        return target

    def _same_engagement(self, item: Item) -> None:
        if item.existing and _resolved(item.parent) and item.obj.engagement_id != _obj(item.parent).pk:
            self.note_error(item, "engagement", _("An import cannot move a record to another engagement."))

    def _past(self, item: Item, column: str, **not_before) -> None:
        """The day of the column happened: not in the future (nor before ``not_before`` when given)."""
        self.errors_from(item, past_day_errors(item.values.get(column), field=column, **not_before))

    def _stored_status(self, target) -> str:
        """The status an assessment has before the import ("" for one the import creates)."""
        if isinstance(target, Item):
            return target.extra.get("stored_status", "")
        return target.status

    # ---- engagements ----------------------------------------------------------------------------

    def _check_engagements(self) -> None:
        for item in self.items["engagements"]:
            values = item.values
            country = values.get("country")
            if country is not None and country not in self.countries:
                # Unknown, or a country the importer does not manage: the same answer.
                self.note_error(item, "country", _("Unknown country “%(code)s”.") % {"code": country})
                country = None
            programme = None
            if values.get("programme") is not None:
                programme = self.programmes.get(values["programme"])
                if programme is None:
                    self.note_error(
                        item, "programme", _("Unknown programme “%(code)s”.") % {"code": values["programme"]}
                    )
            self._identify(item, country, Engagement)
            self._advance()
            if item.obj is None:
                continue
            obj = item.obj
            if item.existing and country is not None and obj.country_id != country:
                self.note_error(item, "country", _("An import cannot move an engagement to another country."))
            entered = self.phase_entered.get(obj.pk) if item.existing else None
            if item.new:
                obj.country_id = country  # (None when unknown: the rows naming it get no country either)
            item.extra["country"] = obj.country_id
            if item.existing:
                item.changed = any(
                    [
                        not same_text(obj.title, values["title"]),
                        (programme.pk if programme else None) != obj.programme_id,
                        values["start_date"] != obj.start_date,
                        values["end_date"] != obj.end_date,
                        values["phase"] != obj.phase,
                        # Left empty, the day is not given: the one recorded stays.
                        values["phase_changed_on"] is not None
                        and values["phase_changed_on"] != (local_day(entered.changed_at) if entered else None),
                    ]
                )
                if not item.changed:
                    continue
            self.errors_from(item, date_order_errors(values["start_date"], values["end_date"]))
            start, entered_on = values["start_date"], values["phase_changed_on"]
            # The portal's rule for the day of a change of phase (not in the future, not before the
            # start). The column also dates the present phase of an engagement that keeps it, so
            # for one that does the day is checked as the day it entered that phase.
            previous = obj.phase if item.existing else ""
            about_to_be = Engagement(phase=values["phase"], start_date=start)
            dating = "" if previous == values["phase"] else previous
            self.errors_from(item, about_to_be.phase_change_day_errors(entered_on, previous_phase=dating))
            if not item.ok:
                continue
            previous_phase = obj.phase if item.existing else ""
            obj.title, obj.programme = values["title"], programme
            obj.start_date, obj.end_date, obj.phase = start, values["end_date"], values["phase"]
            # The phase's history: a new engagement enters its phase on the day given (else on its
            # start), a change of phase is recorded on the day given (else now), and a new day for
            # the present phase moves the change that recorded it.
            if item.new or previous_phase != obj.phase or (entered is None and entered_on is not None):
                day = entered_on or (start if item.new else None)
                item.extra["phase_change"] = PhaseChange(
                    from_phase="" if entered is None and previous_phase == obj.phase else previous_phase,
                    to_phase=obj.phase,
                    changed_by=self.user,
                    changed_at=moment_on(day) if day else self.now,
                )
            elif entered_on is not None and entered_on != local_day(entered.changed_at):
                entered.changed_at = moment_on(entered_on)
                item.extra["phase_moved"] = entered

    # ---- assessments and their scores -----------------------------------------------------------

    def _check_assessments(self) -> None:
        for item in self.items["assessments"]:
            values = item.values
            engagement = self._parent(item)
            linked = _resolved(engagement)
            self._identify(item, _obj(engagement).country_id if linked else None, Assessment)
            self._advance()
            if item.obj is None:
                continue
            obj = item.obj
            stored_status = item.extra["stored_status"] = obj.status if item.existing else ""
            if linked:
                item.extra["country"] = _obj(engagement).country_id
                self._same_engagement(item)
            if item.existing:
                item.changed = any(
                    [
                        not same_text(obj.title, values["title"]),
                        values["start_date"] != obj.start_date,
                        values["end_date"] != obj.end_date,
                        values["status"] != obj.status,
                        values["finalised_on"] is not None and values["finalised_on"] != self.finalised.get(obj.pk),
                    ]
                )
                if not item.changed:
                    continue
                if stored_status == Status.FINAL:
                    # A final assessment is read-only; it is reopened in the portal, with a reason.
                    self.errors_from(item, AssessmentFinalError().message_dict)
                    continue
            self.errors_from(item, date_order_errors(values["start_date"], values["end_date"]))
            status, finalised_on = values["status"], values["finalised_on"]
            item.extra["becomes_final"] = status == Status.FINAL and stored_status != Status.FINAL
            if item.extra["becomes_final"] and finalised_on is None:
                self.note_error(item, "finalised_on", _("Give the day the assessment became final."))
            if finalised_on is not None and status is not None and status != Status.FINAL:
                self.note_error(item, "finalised_on", _("Only a final assessment has a day it became final."))
            self._past(
                item,
                "finalised_on",
                not_before=values["start_date"],
                not_before_message=_("An assessment cannot become final before it starts (%(day)s)."),
            )
            if item.new:
                if self.default_framework is None:
                    self.note_error(item, "ref", _("No assessment framework is available yet."))
                    continue
                obj.framework = self.default_framework
                if linked:
                    obj.engagement = _obj(engagement)
            obj.title, obj.start_date, obj.end_date = values["title"], values["start_date"], values["end_date"]
            obj.status = status

    def _check_scores(self) -> None:
        groups: dict[tuple, list[Item]] = defaultdict(list)
        for item in self.items["scores"]:
            assessment = self._parent(item, "assessment")
            self._advance()
            if _resolved(assessment):
                groups[_key(assessment)].append(item)
            elif item.values.get("dimension") is not None:
                # The assessment is not known, so neither is its framework: the level is still checked.
                entry = ScoreEntry(item.values["dimension"], item.values.get("level"))
                for fields in score_errors([entry], {entry.dimension: None}).values():
                    self.errors_from(item, fields)
        for group in groups.values():
            parent = group[0].parent
            assessment = _obj(parent)
            dimensions = self.dimensions.get(assessment.framework_id, {})
            items = [item for item in group if item.values.get("dimension") is not None]
            entries = [
                ScoreEntry(item.values["dimension"], item.values.get("level"), item.values.get("rationale") or "")
                for item in items
            ]
            # The portal's own check of score rows: a dimension of the framework, once, a level of 1–5.
            for index, fields in score_errors(entries, dimensions).items():
                self.errors_from(items[index], fields)
            stored_final = self._stored_status(parent) == Status.FINAL
            for item, entry in zip(items, entries, strict=True):
                if not item.ok or entry.level is None:
                    item.ok = False
                    continue
                dimension = dimensions[entry.dimension]
                score = self.scores.get((assessment.pk, dimension.pk)) if assessment.pk else None
                if score is not None:
                    item.obj, item.existing = score, True
                    item.changed = entry.level != score.level or not same_text(score.rationale, entry.rationale)
                else:
                    item.obj = DimensionScore(assessment=assessment, dimension=dimension)
                if (item.new or item.changed) and stored_final:
                    self.errors_from(item, AssessmentFinalError().message_dict, {"status": "level"})
                    continue
                item.obj.level, item.obj.rationale = entry.level, entry.rationale

    def _final_assessments_scored(self) -> None:
        """An assessment becoming final has every dimension of its framework scored (here or before)."""
        scored: dict[tuple, set[int]] = defaultdict(set)
        for item in self.items["scores"]:
            if item.ok:
                scored[_key(item.parent)].add(item.obj.dimension_id)
        for item in self.items["assessments"]:
            if item.obj is None or not item.extra.get("becomes_final") or not item.obj.framework_id:
                continue
            obj = item.obj
            have = scored[_key(item)] | self.scored_before.get(obj.pk, set())
            dimensions = sorted(self.dimensions.get(obj.framework_id, {}).values(), key=lambda d: (d.order, d.code))
            if message := unscored_message(dimensions, have):
                self.note_error(item, "status", message)

    # ---- measures, rounds and reports ------------------------------------------------------------

    def _check_measures(self) -> None:
        for item in self.items["measures"]:
            values = item.values
            engagement = self._parent(item)
            linked = _resolved(engagement)
            self._identify(item, _obj(engagement).country_id if linked else None, Measure)
            self._advance()
            if item.obj is None:
                continue
            obj = item.obj
            if linked:
                item.extra["country"] = _obj(engagement).country_id
                self._same_engagement(item)
            priority = values["priority"] or Priority.MEDIUM
            if item.existing:
                item.changed = any(
                    [
                        not same_text(obj.title, values["title"]),
                        not same_text(obj.description, values["description"]),
                        priority != obj.priority,
                        values["agreed_on"] != obj.agreed_on,
                        values["due_date"] != obj.due_date,
                    ]
                )
                if not item.changed:
                    continue
            self._past(item, "agreed_on")
            agreed_on, due_date = values["agreed_on"], values["due_date"]
            if item.new:
                obj.created_by = self.user
                if linked:
                    obj.engagement = _obj(engagement)
            obj.title, obj.description, obj.priority = values["title"], values["description"] or "", priority
            obj.agreed_on, obj.due_date = agreed_on, due_date
            if item.new and linked:
                try:
                    obj.clean()
                except ValidationError as exc:
                    self.errors_from(item, exc.message_dict)
            else:
                # A stored measure keeps its links; of what clean() checks, the import changes its dates.
                self.errors_from(item, obj.due_date_errors())

    def _check_rounds(self) -> None:
        for item in self.items["rounds"]:
            engagement = self._parent(item)
            linked = _resolved(engagement)
            self._identify(item, _obj(engagement).country_id if linked else None, FollowupRound)
            self._advance()
        # The days rounds of the engagements named already open on (one round a day per engagement).
        engagements = sorted({_obj(item.parent).pk for item in self.items["rounds"] if _resolved(item.parent)} - {None})
        taken: dict[tuple, int | None] = {}
        for engagement_id, opens_on, pk in FollowupRound.objects.filter(engagement_id__in=engagements).values_list(
            "engagement_id", "opens_on", "pk"
        ):
            taken[(("Engagement", engagement_id), opens_on)] = pk
        for item in self.items["rounds"]:
            if item.obj is not None:
                self._check_round(item, taken)

    def _check_round(self, item: Item, taken: dict) -> None:
        """A round recorded after the fact, by the portal's rules for one (``followups.services.round_record``)."""
        values, obj, engagement = item.values, item.obj, item.parent
        linked = _resolved(engagement)
        if linked:
            item.extra["country"] = _obj(engagement).country_id
            self._same_engagement(item)
        if item.existing:
            item.changed = values["opened_on"] != obj.opens_on or values["due_date"] != obj.due_date
            if not item.changed:
                return
            if obj.recorded_at is None:
                self.note_error(item, "ref", _("This round was opened in the portal; an import cannot change it."))
                return
        self._past(
            item,
            "opened_on",
            not_before=_obj(engagement).start_date if linked else None,
            not_before_message=_("The round cannot open before the engagement started (%(day)s)."),
        )
        self._past(item, "due_date")
        if linked and values["opened_on"] is not None:
            day = (_key(engagement), values["opened_on"])
            if taken.setdefault(day, obj.pk if obj.pk else id(item)) != (obj.pk if obj.pk else id(item)):
                self.note_error(item, "opened_on", _("The engagement already has a round opening on this day."))
        if item.new:
            obj.recorded_by = obj.opened_by = self.user
            # Recorded now, and closed as it is recorded: nobody reports in it, it reminds nobody.
            obj.recorded_at = obj.closed_at = self.now
            if linked:
                obj.engagement = _obj(engagement)
        obj.opens_on, obj.due_date = values["opened_on"], values["due_date"]
        if obj.opens_on is not None:
            obj.opened_at = moment_on(obj.opens_on)
        try:
            obj.clean()
        except ValidationError as exc:
            self.errors_from(item, exc.message_dict)

    def _check_updates(self) -> None:
        seen: dict[tuple, Item] = {}
        for item in self.items["updates"]:
            values = item.values
            round_, measure = self._link(item, "round"), self._link(item, "measure")
            item.parent = round_
            item.extra["measure"] = measure
            self._advance()
            if round_ is not None and measure is not None and not (_sound(round_) and _sound(measure)):
                item.blocked = True
            linked = _resolved(round_) and _resolved(measure)
            round_obj = _obj(round_) if _resolved(round_) else None
            if linked:
                measure_obj = _obj(measure)
                round_engagement = round_.parent if isinstance(round_, Item) else round_obj.engagement
                measure_engagement = measure.parent if isinstance(measure, Item) else measure_obj.engagement
                known = _resolved(round_engagement) and _resolved(measure_engagement)
                if known and _key(round_engagement) != _key(measure_engagement):
                    self.note_error(item, "round", _("This round belongs to another engagement."))
                    linked = False
            if linked:
                first = seen.setdefault((_key(round_), _key(measure)), item)
                if first is not item:
                    self.note_error(
                        item,
                        "measure",
                        _("This measure is already reported in this round on row %(row)d.") % {"row": first.row.number},
                    )
                    linked = False
            dated_round = round_obj if round_obj is not None and round_obj.opens_on is not None else None
            dates = report_date_errors(
                round_=dated_round, submitted_on=values["submitted_on"], reviewed_on=values["verified_on"]
            )
            if linked:
                stored = None
                if round_obj.pk is not None and measure_obj.pk is not None:
                    stored = self.reports.get((round_obj.pk, measure_obj.pk))
                if stored is not None:
                    stored.round, stored.measure = round_obj, measure_obj
                    item.obj, item.existing = stored, True
                    accepted = stored.state == UpdateState.ACCEPTED
                    item.changed = any(
                        [
                            values["status"] != stored.status,
                            values["progress_pct"] != stored.progress_pct,
                            not same_text(stored.narrative, values["narrative"]),
                            values["submitted_on"] != local_day(stored.submitted_at),
                            values["verified_status"] != (stored.status if accepted else None),
                            values["verified_on"] != (local_day(stored.reviewed_at) if accepted else None),
                        ]
                    )
                    if not item.changed:
                        # Unchanged, but its round may have moved: the report still comes after the opening.
                        if isinstance(round_, Item) and round_.writes:
                            self.errors_from(item, dates, {"reviewed_on": "verified_on"})
                        continue
                    if not stored.is_recorded_after_the_fact:
                        self.note_error(item, "round", _("A report made in the portal cannot be changed by an import."))
                else:
                    item.obj = StatusUpdate(round=round_obj, measure=measure_obj, created_by=self.user)
                self._round_takes(item, round_obj, measure_obj, measure)
            self.errors_from(
                item,
                report_errors(
                    status=values["status"],
                    progress_pct=values["progress_pct"],
                    narrative=values["narrative"],
                    submit=True,
                    manager=True,
                ),
            )
            self.errors_from(item, dates, {"reviewed_on": "verified_on"})
            verified = values["verified_status"] is not None
            if verified != (values["verified_on"] is not None):
                self.note_error(item, "verified_on", _("Give both verified_status and verified_on, or neither."))
            if verified and values["status"] is not None and values["verified_status"] != values["status"]:
                self.note_error(
                    item,
                    "verified_status",
                    _("A manager verifies the status reported: verified_status is the same as status."),
                )
            if not linked:
                continue
            update = item.obj
            update.status, update.progress_pct = values["status"], values["progress_pct"]
            update.narrative = values["narrative"] or ""
            if values["submitted_on"] is not None:
                update.submitted_at = moment_on(values["submitted_on"])
            if verified and values["verified_on"] is not None:
                # Verified that day by the manager who records it (as a report recorded by hand).
                update.state, update.reviewed_at = UpdateState.ACCEPTED, moment_on(values["verified_on"])
                update.reviewed_by = self.user
            elif update.state != UpdateState.RETURNED:
                update.state, update.reviewed_at, update.reviewed_by = UpdateState.SUBMITTED, None, None
            if item.new:
                update.recorded_by, update.recorded_at = self.user, self.now

    def _round_takes(self, item: Item, round_obj, measure_obj, measure) -> None:
        """A report of the past goes into a round still open that asks about its measure, or into a
        round of the past (``followups.services`` says the same of a report recorded by hand); a
        round of the past asks about the measures its reports are on, agreed by the day it opened."""
        if round_obj.pk is not None and not round_obj.takes_reports_of_the_past:
            self.note_error(
                item,
                "round",
                _(
                    "This round is closed: a report of the past goes into a round recorded after the fact, "
                    "or into none."
                ),
            )
        elif not round_obj.is_recorded_after_the_fact:
            if measure_obj.pk is None or (round_obj.pk, measure_obj.pk) not in self.round_measures:
                self.note_error(item, "measure", _("This round does not ask about this measure."))
        elif round_obj.opens_on is not None:
            agreed = measure.values["agreed_on"] if isinstance(measure, Item) else None
            if agreed is None:
                # Not given: as the portal dates the measure (its roundtable, or the day it was entered).
                agreed = (getattr(measure_obj, "agreed_day", None) if measure_obj.pk else None) or timezone.localdate()
            if agreed > round_obj.opens_on:
                self.note_error(
                    item,
                    "measure",
                    _(
                        "The measure was agreed after the round opened (%(day)s): give the day it was agreed "
                        "(agreed_on)."
                    )
                    % {"day": round_obj.opens_on},
                )

    def _one_pending_report_per_measure(self) -> None:
        """At most one report per measure waits for verification (the portal's rule, a database constraint)."""
        waiting: dict[tuple, list[Item]] = defaultdict(list)
        restated: dict[tuple, set[int]] = defaultdict(set)
        for item in self.items["updates"]:
            if not item.sound:
                continue
            measure = item.extra["measure"]
            if item.existing:
                restated[_key(measure)].add(item.obj.pk)
            if item.obj.state == UpdateState.SUBMITTED:
                waiting[_key(measure)].append(item)
        for key, items in waiting.items():
            pk = key[1] if key[0] == "Measure" else None
            others = self.pending.get(pk, set()) - restated[key] if pk is not None else set()
            if len(items) + len(others) <= 1:
                continue
            items.sort(key=lambda item: (item.obj.submitted_at, item.row.number))
            allowed = items[-1] if not others else None
            for item in items:
                if item is not allowed and item.writes:
                    self.note_error(
                        item,
                        "verified_status",
                        _(
                            "Only one report per measure can wait for verification: give verified_status and "
                            "verified_on for the earlier reports on this measure."
                        ),
                    )

    # ---- writing ----------------------------------------------------------------------------------

    def apply(self) -> None:
        """Write every new and changed row (only after a check without errors)."""
        if self.errors:
            raise RuntimeError("a workbook with errors is never written")
        self._write("engagements", ["title", "programme", "start_date", "end_date", "phase", "updated_at"])
        self._write_phase_changes()
        self._write("assessments", ["title", "start_date", "end_date", "status", "updated_at"])
        self._write_status_changes()
        self._write("scores", ["level", "rationale"])
        touched = {item.obj.assessment_id for item in self.items["scores"] if item.existing and item.writes}
        if touched:
            Assessment.objects.filter(pk__in=sorted(touched)).update(updated_at=self.now)
        self._write("measures", ["title", "description", "priority", "agreed_on", "due_date", "updated_at"])
        self._write("rounds", ["opens_on", "due_date", "opened_at"])
        self._write_updates()
        self._write_refs()
        self._derive_rounds()
        measures = {item.obj.measure_id for item in self.items["updates"] if item.writes}
        measures_recompute(sorted(measures))
        datacache.changed(
            Engagement,
            PhaseChange,
            Assessment,
            StatusChange,
            DimensionScore,
            Measure,
            FollowupRound,
            RoundMeasure,
            StatusUpdate,
        )
        self.progress(self._total, self._total)

    def _write(self, sheet: str, fields: list[str]) -> None:
        items = [item for item in self.items[sheet] if item.writes]
        model = type(items[0].obj) if items else None
        created = [item.obj for item in items if item.new]
        changed = [item.obj for item in items if item.existing]
        if created:
            for obj in created:
                _refresh_links(obj)
            model.objects.bulk_create(created, batch_size=BATCH)
        if changed:
            if "updated_at" in fields:
                for obj in changed:
                    obj.updated_at = self.now
            update_rows(model, changed, fields)
        self._advance(len(self.items[sheet]))

    def _write_phase_changes(self) -> None:
        created, moved = [], []
        for item in self.items["engagements"]:
            if not item.writes:
                continue
            if change := item.extra.get("phase_change"):
                change.engagement = item.obj
                created.append(change)
            if change := item.extra.get("phase_moved"):
                moved.append(change)
        PhaseChange.objects.bulk_create(created, batch_size=BATCH)
        update_rows(PhaseChange, moved, ["changed_at"])

    def _write_status_changes(self) -> None:
        steps = {
            ("", Status.DRAFT): [("", Status.DRAFT)],
            ("", Status.IN_REVIEW): [("", Status.DRAFT), (Status.DRAFT, Status.IN_REVIEW)],
            ("", Status.FINAL): [
                ("", Status.DRAFT),
                (Status.DRAFT, Status.IN_REVIEW),
                (Status.IN_REVIEW, Status.FINAL),
            ],
            (Status.DRAFT, Status.IN_REVIEW): [(Status.DRAFT, Status.IN_REVIEW)],
            (Status.DRAFT, Status.FINAL): [(Status.DRAFT, Status.IN_REVIEW), (Status.IN_REVIEW, Status.FINAL)],
            (Status.IN_REVIEW, Status.FINAL): [(Status.IN_REVIEW, Status.FINAL)],
            (Status.IN_REVIEW, Status.DRAFT): [(Status.IN_REVIEW, Status.DRAFT)],
        }
        created = []
        for item in self.items["assessments"]:
            if not item.writes:
                continue
            obj, before = item.obj, item.extra["stored_status"]
            for from_status, to_status in steps.get((before, obj.status), []):
                # A new assessment opens on its start; the way to final is on the day it became final;
                # a move without a day is recorded as of now.
                if from_status == "":
                    day = obj.start_date
                elif obj.status == Status.FINAL:
                    day = item.values["finalised_on"]
                else:
                    day = None
                created.append(
                    StatusChange(
                        assessment=obj,
                        from_status=from_status,
                        to_status=to_status,
                        changed_by=self.user,
                        changed_at=moment_on(day) if day else self.now,
                    )
                )
        StatusChange.objects.bulk_create(created, batch_size=BATCH)

    def _write_updates(self) -> None:
        items = [item for item in self.items["updates"] if item.writes]
        for item in items:
            _refresh_links(item.obj)
        changed = [item.obj for item in items if item.existing]
        fields = ["state", "status", "progress_pct", "narrative", "submitted_at", "reviewed_at", "updated_at"]
        for update in changed:
            update.updated_at = self.now
        # Reports leaving "awaiting verification" first, so that no moment has two waiting on one measure.
        waiting = [update for update in changed if update.state == UpdateState.SUBMITTED]
        update_rows(StatusUpdate, [update for update in changed if update.state != UpdateState.SUBMITTED], fields)
        update_rows(StatusUpdate, waiting, fields)
        StatusUpdate.objects.bulk_create([item.obj for item in items if item.new], batch_size=BATCH)
        # A round of the past asks about the measures its reports are on.
        pairs = set()
        for item in self.items["updates"]:
            if item.sound and item.obj.round.recorded_at is not None:
                pairs.add((item.obj.round_id, item.obj.measure_id))
        RoundMeasure.objects.bulk_create(
            [RoundMeasure(round_id=r, measure_id=m) for r, m in sorted(pairs - self.round_measures)], batch_size=BATCH
        )
        self._advance(len(self.items["updates"]))

    def _write_refs(self) -> None:
        """Remember the ref of each record created from a row, so the same workbook finds it again."""
        created, repointed = [], []
        for sheet, model in MODELS.items():
            content_type = ContentType.objects.get_for_model(model)
            for item in self.items[sheet]:
                if not (item.sound and item.new) or is_portal_id(item.values["ref"]):
                    continue
                href = item.extra.get("href")
                if href is not None:
                    href.object_id = item.obj.pk
                    repointed.append(href)
                else:
                    created.append(
                        HistoryRef(
                            sheet=sheet,
                            country_id=item.extra["country"],
                            ref=item.values["ref"],
                            content_type=content_type,
                            object_id=item.obj.pk,
                        )
                    )
        HistoryRef.objects.bulk_create(created, batch_size=BATCH)
        update_rows(HistoryRef, repointed, ["object_id"])

    def _derive_rounds(self) -> None:
        """The rounds written or reported in: submitted as the portal judges it (when the last of
        their measures got its first report)."""
        rounds = {item.obj.pk: item.obj for item in self.items["rounds"] if item.writes}
        for item in self.items["updates"]:
            if item.writes:
                rounds.setdefault(item.obj.round_id, item.obj.round)
        rounds_refresh_submission(rounds.values())


def _refresh_links(obj) -> None:
    """Point each link of a row to create at its record, now that the records before it have ids."""
    for field_name in ("engagement", "assessment", "measure", "round"):
        related = obj._state.fields_cache.get(field_name)
        if related is not None:
            setattr(obj, field_name, related)
