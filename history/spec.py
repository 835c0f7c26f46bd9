"""The history workbook, declared once: its sheets, their columns, what each column holds.

Sheet and column names are a contract with the people who fill workbooks in (and with other
programs that write them): they are the same in every language. The reader (``reading.py``), the
checks and writes (``engine.py``), the template and the export (``exporter.py``) all follow these
declarations, so a column added here is read, checked, offered and exported alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.models import LEVELS
from assessments.models import Assessment
from engagements.models import Engagement
from followups.models import MeasureStatus
from followups.models import Priority

# What a column holds (how a cell is read).
REF = "ref"  # the row's own key in its sheet: the importer's ("E1") or a portal id ("#12")
LINK = "link"  # a key of a row of another sheet (or of a record imported before, or "#12")
TEXT = "text"
DATE = "date"
CHOICE = "choice"
NUMBER = "number"  # a whole number
CODE = "code"  # a code: a country, a programme, a dimension

# The portal's ids in a ref or link cell: "#" and the number.
PORTAL_ID_PREFIX = "#"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    help: Promise
    required: bool = False
    choices: Callable[[], list[str]] | None = None
    links_to: str = ""  # for LINK: the sheet whose rows it names
    max_length: int = 0  # for TEXT: at most this many characters (0: no limit)

    def allowed(self) -> list[str]:
        return [str(value) for value in self.choices()] if self.choices else []


@dataclass(frozen=True)
class Sheet:
    name: str
    help: Promise
    columns: tuple[Column, ...]
    # One or two rows of the template, by column name (what a filled-in row looks like).
    examples: tuple[dict, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def has_refs(self) -> bool:
        return any(column.kind == REF for column in self.columns)


def _ref(help_text: Promise) -> Column:
    return Column("ref", REF, help_text, required=True, max_length=100)


ENGAGEMENTS = Sheet(
    "engagements",
    _("One row per engagement: technical assistance to one country."),
    (
        _ref(_("Your key for the engagement, unique on this sheet (e.g. E1); or its portal id, such as #12.")),
        Column("country", CODE, _("The country's ISO code of two letters, e.g. PE."), required=True),
        Column("title", TEXT, _("The engagement's title."), required=True, max_length=200),
        Column("programme", CODE, _("The code of the programme it belongs to (optional).")),
        Column("start_date", DATE, _("The day it started."), required=True),
        Column("end_date", DATE, _("The day it ended (optional).")),
        Column("phase", CHOICE, _("Its phase now."), required=True, choices=lambda: Engagement.Phase.values),
        Column(
            "phase_changed_on",
            DATE,
            _("The day it entered that phase (optional; a new engagement then counts from its start)."),
        ),
    ),
    (
        {
            "ref": "E1",
            "country": "PE",
            "title": "Precursor control assistance 2011–2016",
            "programme": "",
            "start_date": date(2011, 3, 1),
            "end_date": date(2016, 12, 15),
            "phase": Engagement.Phase.CLOSED,
            "phase_changed_on": date(2016, 12, 15),
        },
    ),
)

ASSESSMENTS = Sheet(
    "assessments",
    _("One row per assessment of an engagement."),
    (
        _ref(_("Your key for the assessment, unique on this sheet (e.g. A1); or its portal id.")),
        Column(
            "engagement",
            LINK,
            _("The engagement assessed: its ref on the engagements sheet, or a portal id."),
            required=True,
            links_to="engagements",
        ),
        Column("title", TEXT, _("The assessment's title."), required=True, max_length=200),
        Column("start_date", DATE, _("The day it started."), required=True),
        Column("end_date", DATE, _("The day it ended (optional).")),
        Column("status", CHOICE, _("Its status."), required=True, choices=lambda: Assessment.Status.values),
        Column("finalised_on", DATE, _("For a final assessment: the day it became final.")),
    ),
    (
        {
            "ref": "A1",
            "engagement": "E1",
            "title": "National assessment 2011",
            "start_date": date(2011, 4, 4),
            "end_date": date(2011, 6, 30),
            # (A final one gives the day it became final, and has every dimension scored.)
            "status": Assessment.Status.IN_REVIEW,
            "finalised_on": None,
        },
    ),
)

SCORES = Sheet(
    "scores",
    _("One row per dimension scored in an assessment. A final assessment has every dimension of its framework scored."),
    (
        Column(
            "assessment",
            LINK,
            _("The assessment: its ref on the assessments sheet, or a portal id."),
            required=True,
            links_to="assessments",
        ),
        Column("dimension", CODE, _("The dimension's code in the framework (e.g. legal)."), required=True),
        Column("level", NUMBER, _("The maturity level, 1 to 5."), required=True, choices=lambda: list(LEVELS)),
        Column("rationale", TEXT, _("Why this level (optional).")),
    ),
    ({"assessment": "A1", "dimension": "legal", "level": 2, "rationale": "The law predates the 1988 Convention."},),
)

MEASURES = Sheet(
    "measures",
    _("One row per measure the country agreed to take."),
    (
        _ref(_("Your key for the measure, unique on this sheet (e.g. M1); or its portal id.")),
        Column(
            "engagement",
            LINK,
            _("The engagement: its ref on the engagements sheet, or a portal id."),
            required=True,
            links_to="engagements",
        ),
        Column("title", TEXT, _("What was agreed."), required=True, max_length=300),
        Column("description", TEXT, _("More about it (optional).")),
        Column("priority", CHOICE, _("Its priority (medium when empty)."), choices=lambda: Priority.values),
        Column("agreed_on", DATE, _("The day it was agreed (optional).")),
        Column("due_date", DATE, _("The day it was due (optional).")),
    ),
    (
        {
            "ref": "M1",
            "engagement": "E1",
            "title": "Adopt a national inspection plan",
            "description": "",
            "priority": Priority.HIGH,
            "agreed_on": date(2011, 9, 15),
            "due_date": date(2012, 9, 15),
        },
    ),
)

ROUNDS = Sheet(
    "rounds",
    _("One row per follow-up round: when the country was asked for news of its measures."),
    (
        _ref(_("Your key for the round, unique on this sheet (e.g. R1); or its portal id.")),
        Column(
            "engagement",
            LINK,
            _("The engagement: its ref on the engagements sheet, or a portal id."),
            required=True,
            links_to="engagements",
        ),
        Column("opened_on", DATE, _("The day the round opened."), required=True),
        Column("due_date", DATE, _("The day the reports were due."), required=True),
    ),
    ({"ref": "R1", "engagement": "E1", "opened_on": date(2012, 3, 1), "due_date": date(2012, 3, 31)},),
)

UPDATES = Sheet(
    "updates",
    _("One row per report on a measure in a round (one report per measure and round)."),
    (
        Column(
            "round",
            LINK,
            _("The round: its ref on the rounds sheet, or a portal id."),
            required=True,
            links_to="rounds",
        ),
        Column(
            "measure",
            LINK,
            _("The measure: its ref on the measures sheet, or a portal id."),
            required=True,
            links_to="measures",
        ),
        Column("status", CHOICE, _("The status reported."), required=True, choices=lambda: MeasureStatus.values),
        Column("progress_pct", NUMBER, _("The progress reported, 0 to 100."), required=True),
        # Required by the rule on reports (followups.services.report_errors) for a new or changed
        # report; a report stored without one is exported with none and imports back unchanged.
        Column("narrative", TEXT, _("What was done (required for a new or changed report).")),
        Column("submitted_on", DATE, _("The day the report was made."), required=True),
        Column(
            "verified_status",
            CHOICE,
            _("When a manager verified the report: the status verified, the same as reported (optional)."),
            choices=lambda: MeasureStatus.values,
        ),
        Column("verified_on", DATE, _("The day it was verified (with verified_status).")),
    ),
    (
        {
            "round": "R1",
            "measure": "M1",
            "status": MeasureStatus.IN_PROGRESS,
            "progress_pct": 40,
            "narrative": "The plan was drafted and sent to the ministry.",
            "submitted_on": date(2012, 3, 20),
            "verified_status": MeasureStatus.IN_PROGRESS,
            "verified_on": date(2012, 4, 2),
        },
    ),
)

# In the order they are read and written: a sheet names rows of the sheets before it.
SHEETS = (ENGAGEMENTS, ASSESSMENTS, SCORES, MEASURES, ROUNDS, UPDATES)
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
SHEET_NAMES = tuple(SHEETS_BY_NAME)
# The widest sheet, and the columns read beyond it (unknown columns are ignored).
MAX_COLUMNS = 100
# More data rows than this, over all sheets, is refused (split the workbook).
MAX_ROWS = 50_000
