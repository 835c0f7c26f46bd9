"""Bulk upsert of exam results (the API's ``results/`` POST and the CSV/XLSX import share it).

Every row is validated before anything is written; one invalid row and nothing is saved, and
the caller gets every error of every row. Participants are matched by person id, else by
e-mail, else by exact full name; a row that matches nobody enrols a new person. The work is a
constant number of queries whatever the number of rows (bulk reads, bulk writes).

A field that a row leaves out (a key missing from the JSON, a column missing from the file) is
left as it is; a field given as empty/``null`` is cleared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.core.validators import validate_email
from django.db import connection
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Agency
from engagements.models import Person
from ta_portal import datacache

from .models import Enrolment
from .models import Phase
from .models import ScoreChange
from .models import TrainingSession


class _Missing:
    """A field the row leaves out (left unchanged), as opposed to ``None`` (cleared)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
MAX_ROWS = 5000
FULL_NAME_MAX = Person._meta.get_field("full_name").max_length
SEX_VALUES = {value for value, _label in Person.Sex.choices}
SEX_ALIASES = {"f": "female", "m": "male", "w": "female", "femenino": "female", "masculino": "male"}


class InvalidResultsError(Exception):
    """Rows that failed validation: ``errors[row_key][field] = [messages]``."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ResultInput:
    """One row as given by a client or a file, before validation."""

    key: str  # how errors name the row: the list index (API) or the line number (file)
    person_id: Any = None
    full_name: str = ""
    email: str = ""
    sex: Any = None
    agency: Any = None
    country: Any = None
    pre_score: Any = MISSING
    post_score: Any = MISSING
    pre_form: Any = MISSING
    post_form: Any = MISSING


@dataclass
class _Row:
    source: ResultInput
    errors: dict[str, list[str]] = field(default_factory=dict)
    sex: str | None = None
    agency: Agency | None = None
    person: Person | None = None
    values: dict[str, Any] = field(default_factory=dict)  # enrolment field -> new value

    def error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)


@dataclass
class UpsertSummary:
    people_created: int = 0
    enrolled: int = 0
    updated: int = 0
    score_changes: int = 0


def parse_score(value, max_score: Decimal) -> Decimal | None:
    """A score in 0…max_score with at most two decimals; ``None`` for empty. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    text = str(value).strip()
    if isinstance(value, str) and "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as Spanish and French spreadsheets write
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not score.is_finite():
        raise ValueError(_("Enter a number."))
    if score < 0:
        raise ValueError(_("A score cannot be negative."))
    if score > max_score:
        raise ValueError(_("The score is above the maximum of %(max)s.") % {"max": _plain(max_score)})
    if score != score.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimals."))
    return score.quantize(Decimal("0.01"))


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def parse_sex(value) -> str | None:
    """A sex value (female, male, other, undisclosed; F/M too); ``None`` if empty. Raises ValueError."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().lower()
    if text in SEX_VALUES:
        return text
    # The labels in the user's language too ("Femenino", "Féminin"), looked up only when needed.
    sex = SEX_ALIASES.get(text) or {str(label).lower(): v for v, label in Person.Sex.choices}.get(text)
    if sex is None:
        raise ValueError(
            _("Unknown sex %(value)s: use female, male, other or undisclosed.") % {"value": repr(str(value))}
        )
    return sex


class _Context:
    """What validation needs about the session, read once."""

    def __init__(self, session: TrainingSession):
        self.session = session
        self.countries = set(session.countries.values_list("pk", flat=True))
        self.forms = {form.code.upper(): form for form in session.exam_forms.all()}
        self.agencies = list(Agency.objects.filter(country_id__in=self.countries))
        self.agency_by_id = {a.pk: a for a in self.agencies}
        self.agency_by_label = defaultdict(list)
        for agency in self.agencies:
            for label in {agency.name.lower(), agency.acronym.lower()} - {""}:
                self.agency_by_label[label].append(agency)
        # Locked: the old values written to the history must be the ones overwritten.
        self.enrolments = {
            e.person_id: e for e in Enrolment.objects.select_for_update().filter(session=session).order_by("pk")
        }

    def reachable(self, person: Person) -> bool:
        return person.country_id in self.countries or person.pk in self.enrolments


def _refuse_nul_characters(row: _Row) -> None:
    """PostgreSQL cannot store or even compare text holding NUL: such a cell is a row error, and
    the character is dropped so the lookups that follow never send it to the database."""
    source = row.source
    for name in ("person_id", "full_name", "email", "sex", "agency", "country", "pre_form", "post_form"):
        value = getattr(source, name)
        if isinstance(value, str) and "\x00" in value:
            row.error("person" if name == "person_id" else name, str(ProhibitNullCharactersValidator.message))
            setattr(source, name, value.replace("\x00", ""))


def _parse_fields(row: _Row, ctx: _Context) -> None:
    source = row.source
    _refuse_nul_characters(row)
    for phase in (Phase.PRE, Phase.POST):
        name = f"{phase}_score"
        raw = getattr(source, name)
        if raw is not MISSING:
            try:
                row.values[name] = parse_score(raw, ctx.session.max_score)
            except ValueError as exc:
                row.error(name, str(exc))
        name = f"{phase}_form"
        raw = getattr(source, name)
        if raw is not MISSING:
            code = str(raw or "").strip().upper()
            if not code:
                row.values[name] = None
            elif code in ctx.forms:
                row.values[name] = ctx.forms[code]
            else:
                row.error(name, _("No exam form %(code)s in this session.") % {"code": code})
    try:
        row.sex = parse_sex(source.sex)
    except ValueError as exc:
        row.error("sex", str(exc))
    if source.person_id not in (None, ""):
        try:
            source.person_id = int(source.person_id)
        except (TypeError, ValueError):
            row.error("person", _("The person id must be a whole number."))
            source.person_id = None
    source.full_name = " ".join(str(source.full_name or "").split())
    source.email = str(source.email or "").strip()
    if not (source.person_id or source.full_name or source.email):
        row.error("person", _("Give the person's id, e-mail or full name."))
    if len(source.full_name) > FULL_NAME_MAX:
        row.error("full_name", _("At most %(n)s characters.") % {"n": FULL_NAME_MAX})
    if source.email:
        try:
            validate_email(source.email)
        except ValidationError:
            row.error("email", _("Enter a valid e-mail address."))


def _resolve_agency(row: _Row, ctx: _Context, country: str | None) -> None:
    raw = row.source.agency
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return
    candidates = []
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        agency = ctx.agency_by_id.get(int(raw))
        candidates = [agency] if agency else []
    else:
        candidates = ctx.agency_by_label.get(str(raw).strip().lower(), [])
        if country and len(candidates) > 1:
            candidates = [a for a in candidates if a.country_id == country]
    if not candidates:
        row.error("agency", _("Unknown agency %(value)s in the session's countries.") % {"value": repr(str(raw))})
    elif len(candidates) > 1:
        row.error("agency", _("Several agencies are called %(value)s; use its id.") % {"value": repr(str(raw))})
    elif country and candidates[0].country_id != country:
        row.error("agency", _("The agency belongs to another country."))
    else:
        row.agency = candidates[0]


def _match_people(rows: list[_Row], ctx: _Context) -> None:
    """Find each row's person: by id, else by e-mail, else by exact full name (one query each)."""
    ids = {r.source.person_id for r in rows if r.source.person_id}
    by_id = Person.objects.in_bulk(ids) if ids else {}
    emails = {r.source.email.lower() for r in rows if r.source.email and not r.source.person_id}
    by_email = defaultdict(list)
    if emails:
        # Only people the session reaches: anyone else with the address is, for this import, unknown
        # (an answer about them would tell the importer who is in a country they cannot see).
        people = (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .filter(Q(country_id__in=ctx.countries) | Q(pk__in=list(ctx.enrolments)))
        )
        for person in people.order_by("pk"):
            by_email[person.email_lower].append(person)
    names = {r.source.full_name for r in rows if r.source.full_name and not r.source.person_id}
    by_name = defaultdict(list)
    if names:
        candidates = Person.objects.filter(full_name__in=names).filter(
            Q(country_id__in=ctx.countries) | Q(pk__in=list(ctx.enrolments))
        )
        for person in candidates.order_by("pk"):
            by_name[person.full_name].append(person)

    for row in rows:
        source = row.source
        if source.person_id:
            person = by_id.get(source.person_id)
            if person is None or not ctx.reachable(person):
                row.error(
                    "person", _("No person with id %(id)s in this session's countries.") % {"id": source.person_id}
                )
            row.person = person
            continue
        same_email = by_email.get(source.email.lower(), []) if source.email else []
        if len(same_email) > 1:  # one address in two of the session's countries
            row.error("email", _("Several people have this e-mail; give their id."))
            continue
        if same_email:
            row.person = same_email[0]
            continue
        if source.full_name:
            # Someone of that name, unless their e-mail says it is someone else.
            same_name = [
                p
                for p in by_name.get(source.full_name, [])
                if not source.email or p.email.lower() in ("", source.email.lower())
            ]
            enrolled = [p for p in same_name if p.pk in ctx.enrolments]
            matches = enrolled or same_name
            if len(matches) > 1:
                row.error(
                    "full_name",
                    _("Several people are called %(name)s; give their e-mail or id.") % {"name": source.full_name},
                )
            elif matches:
                row.person = matches[0]


def _new_person(row: _Row, ctx: _Context) -> Person | None:
    """The participant a row adds, or ``None`` with every reason it cannot (all of them, not the first)."""
    source = row.source
    before = sum(len(messages) for messages in row.errors.values())
    if not source.full_name:
        row.error("full_name", _("A new participant needs a full name."))
    country = str(source.country or "").strip().upper() or None
    if country and country not in ctx.countries:
        row.error("country", _("%(code)s is not a country of this session.") % {"code": country})
    else:
        if country is None and row.agency is not None:
            country = row.agency.country_id
        if country is None and len(ctx.countries) == 1:
            country = next(iter(ctx.countries))
        if country is None:
            row.error("country", _("The session spans several countries: give the participant's country or agency."))
        elif row.agency is not None and row.agency.country_id != country:
            row.error("agency", _("The agency belongs to another country."))
    if sum(len(messages) for messages in row.errors.values()) > before:
        return None
    return Person(
        full_name=source.full_name,
        email=source.email,
        sex=row.sex or Person.Sex.UNDISCLOSED,
        agency=row.agency,
        country_id=country,
    )


# Errors saying who the row is about is unclear: such a row is not taken for someone new.
IDENTITY_ERRORS = {"person", "email", "full_name"}


def _identity(row: _Row) -> tuple:
    if row.person is not None and row.person.pk:
        return ("pk", row.person.pk)
    if row.source.email:
        return ("email", row.source.email.lower())
    return ("name", row.source.full_name)


def _validate(rows: list[_Row], ctx: _Context) -> list[Person]:
    for row in rows:
        _parse_fields(row, ctx)
    _match_people(rows, ctx)
    new_people = []
    seen: dict[tuple, str] = {}
    for row in rows:
        if row.person is not None:
            _resolve_agency(row, ctx, row.person.country_id)
        elif not IDENTITY_ERRORS & row.errors.keys():
            # Someone new: every problem of the row is reported at once (a bad score does not hide an
            # unknown agency), and the person is added only from a row without any.
            _resolve_agency(row, ctx, str(row.source.country or "").strip().upper() or None)
            person = _new_person(row, ctx)
            if person is not None and not row.errors:
                row.person = person
                new_people.append(person)
        if row.person is None:
            continue
        identity = _identity(row)
        if identity in seen:
            row.error("person", _("The same person is in row %(row)s too.") % {"row": seen[identity]})
        else:
            seen[identity] = row.source.key
    return new_people


def _apply(rows: list[_Row], ctx: _Context, new_people: list[Person], *, by, source: str) -> UpsertSummary:
    summary = UpsertSummary(people_created=len(new_people))
    new_people_ids = {id(person) for person in new_people}
    Person.objects.bulk_create(new_people)
    # Fill what the register lacks (an e-mail, a disclosed sex); never overwrite what it has.
    filled = []
    for row in rows:
        person = row.person
        if id(person) in new_people_ids:
            continue
        changed = False
        if row.source.email and not person.email:
            person.email, changed = row.source.email, True
        if row.sex and person.sex == Person.Sex.UNDISCLOSED and row.sex != person.sex:
            person.sex, changed = row.sex, True
        if changed:
            filled.append(person)
    if filled:
        Person.objects.bulk_update(filled, ["email", "sex"])

    # New enrolments are created with their values; existing ones change only where the row differs.
    changes, created, updated = [], [], []
    for row in rows:
        enrolment = ctx.enrolments.get(row.person.pk)
        if enrolment is None:
            enrolment = Enrolment(session=ctx.session, person=row.person, agency=row.agency or row.person.agency)
            ctx.enrolments[row.person.pk] = enrolment
            created.append(enrolment)
        before = {phase: getattr(enrolment, f"{phase}_score") for phase in (Phase.PRE, Phase.POST)}
        dirty = False
        if row.agency is not None and enrolment.agency_id != row.agency.pk:
            enrolment.agency, dirty = row.agency, True
        for name, value in row.values.items():
            if getattr(enrolment, name) != value:
                setattr(enrolment, name, value)
                dirty = True
        for phase, old in before.items():
            new = getattr(enrolment, f"{phase}_score")
            if old != new:
                changes.append(
                    ScoreChange(
                        enrolment=enrolment, phase=phase, old_score=old, new_score=new, source=source, changed_by=by
                    )
                )
        if dirty and enrolment.pk is not None:
            updated.append(enrolment)
    Enrolment.objects.bulk_create(created)
    _update_enrolments(updated)
    ScoreChange.objects.bulk_create(changes)
    datacache.changed(Person, Enrolment, ScoreChange)
    summary.enrolled = len(created)
    summary.updated = len(updated)
    summary.score_changes = len(changes)
    return summary


UPDATE_BATCH = 1000
# VALUES columns are named column1, column2, … by both PostgreSQL and SQLite.
UPDATE_ASSIGNMENTS = (
    "agency_id = v.column2, pre_score = v.column3, post_score = v.column4, "
    "pre_form_id = v.column5, post_form_id = v.column6, updated_at = %s"
)


def _update_enrolments(enrolments: list[Enrolment]) -> None:
    """Write the results columns of many enrolments: one ``UPDATE … FROM (VALUES …)`` per 1 000.

    ``bulk_update`` builds a CASE expression per field and row: 2 000 rows took ~20 s to compile
    and run; this statement takes a fraction of a second (PostgreSQL, and SQLite ≥ 3.33).
    """
    table = connection.ops.quote_name(Enrolment._meta.db_table)
    row_sql = (
        "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC), "
        "CAST(%s AS BIGINT), CAST(%s AS BIGINT))"
    )
    now = timezone.now()
    for start in range(0, len(enrolments), UPDATE_BATCH):
        batch = enrolments[start : start + UPDATE_BATCH]
        params = [now]
        for e in batch:
            params += [e.pk, e.agency_id, e.pre_score, e.post_score, e.pre_form_id, e.post_form_id]
        values = ", ".join([row_sql] * len(batch))
        # Only placeholders and the quoted table name are interpolated into the statement.
        sql = f"UPDATE {table} SET {UPDATE_ASSIGNMENTS} FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def results_upsert(
    *, session: TrainingSession, rows: list[ResultInput], by, source: str, known_errors: dict | None = None
) -> UpsertSummary:
    """Validate every row, then save them all, or raise ``InvalidResultsError`` and save nothing.

    ``known_errors`` are errors the caller found already (rows it could not even read): they are
    reported together with these rows' errors, and nothing is saved.
    """
    if len(rows) > MAX_ROWS:
        raise InvalidResultsError({"": {"rows": [_("At most %(n)s rows at a time.") % {"n": MAX_ROWS}]}})
    with transaction.atomic():
        ctx = _Context(session)
        checked = [_Row(source=row) for row in rows]
        new_people = _validate(checked, ctx)
        errors = {**(known_errors or {}), **{row.source.key: row.errors for row in checked if row.errors}}
        if errors:
            raise InvalidResultsError(errors)
        return _apply(checked, ctx, new_people, by=by, source=source)
