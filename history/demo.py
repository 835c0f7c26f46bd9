"""Demo data: Peru's 2012–2016 history under the Hemispheric Plan, brought in through the importer.

A baseline assessment in 2012 and a mid-term one in 2015, the measures agreed at the 2013
roundtable and seven follow-up rounds until the engagement closed, written as a history workbook
and imported by the demo manager exactly as a programme would (``services.import_create``), so
the dashboards have a real baseline and a decade of follow-up. Importing it again changes nothing.
"""

from datetime import date
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from assessments.selectors import default_framework
from engagements.models import Programme

from . import services
from .exporter import write_history_workbook
from .models import HistoryImport

PROGRAMME = "hemispheric-plan-2011-2015"
PROGRAMME_FIELDS = {
    "name": "Hemispheric Plan of Action on Drugs: precursor control (2011–2015)",
    "funder": "OAS/CICAD",
    "start_date": date(2011, 1, 1),
    "end_date": date(2016, 12, 31),
}
ENGAGEMENT = "HP-PE"

# Maturity levels of the framework's dimensions, in its order: 2012 baseline, 2015 mid-term.
BASELINE = [2, 1, 2, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1]
MIDTERM = [3, 2, 3, 2, 2, 2, 2, 2, 3, 2, 3, 2, 2]

# ref, title, priority, due date
# fmt: off
MEASURES = [
    ("M1", "Publish the list of controlled chemical inputs with the national customs tariff codes", "high", date(2014, 6, 30)),
    ("M2", "Create an inter-agency working group on chemical inputs with DEVIDA, SUNAT and DIRANDRO", "high", date(2013, 12, 31)),
    ("M3", "Require licensed companies to report their monthly stocks electronically", "medium", date(2015, 6, 30)),
    ("M4", "Train customs officers of the Callao and Paita ports on the identification of precursors", "medium", date(2014, 12, 31)),
    ("M5", "Sign a data-sharing agreement between the register and the police precursor unit", "high", date(2015, 12, 31)),
    ("M6", "Build a secure storage facility for seized chemicals in the VRAEM", "low", date(2016, 6, 30)),
]
# fmt: on

# One round every six months from August 2013; 30 days to answer. Per round: days after the due
# date the country answered (negative: early), days the review took, and each measure's report as
# (status, progress). A measure implemented is no longer asked about.
# fmt: off
ROUNDS = [
    (date(2013, 8, 1), 9, 12, {"M1": ("in_progress", 30), "M2": ("in_progress", 50), "M3": ("not_started", 0), "M4": ("in_progress", 20), "M5": ("not_started", 0), "M6": ("not_started", 0)}),
    (date(2014, 2, 3), 4, 10, {"M1": ("in_progress", 60), "M2": ("implemented", 100), "M3": ("in_progress", 10), "M4": ("in_progress", 50), "M5": ("not_started", 0), "M6": ("not_started", 0)}),
    (date(2014, 8, 1), -3, 7, {"M1": ("implemented", 100), "M3": ("in_progress", 30), "M4": ("partially_implemented", 70), "M5": ("in_progress", 10), "M6": ("not_started", 0)}),
    (date(2015, 2, 2), -6, 9, {"M3": ("in_progress", 50), "M4": ("implemented", 100), "M5": ("in_progress", 30), "M6": ("not_started", 0)}),
    (date(2015, 8, 3), 2, 8, {"M3": ("partially_implemented", 80), "M5": ("in_progress", 45), "M6": ("in_progress", 10)}),
    (date(2016, 2, 1), -4, 6, {"M3": ("implemented", 100), "M5": ("partially_implemented", 70), "M6": ("in_progress", 20)}),
    (date(2016, 8, 1), -8, 5, {"M5": ("implemented", 100), "M6": ("not_implemented", 20)}),
]
# fmt: on
NARRATIVES = {
    "not_started": "No progress in this period; the measure is planned for the next budget year.",
    "in_progress": "Work continued in this period; the minutes and the working documents are kept by DEVIDA.",
    "partially_implemented": "Part of the measure is in force; the rest depends on the regional offices.",
    "implemented": "The measure is in force; the official publication is on file.",
    "not_implemented": "The budget for the measure was cut; it was not carried out before the plan ended.",
}

SHEETS = {
    "engagements": ["ref", "country", "title", "programme", "start_date", "end_date", "phase", "phase_changed_on"],
    "assessments": ["ref", "engagement", "title", "start_date", "end_date", "status", "finalised_on"],
    "scores": ["assessment", "dimension", "level", "rationale"],
    "measures": ["ref", "engagement", "title", "description", "priority", "agreed_on", "due_date"],
    "rounds": ["ref", "engagement", "opened_on", "due_date"],
    "updates": [
        "round", "measure", "status", "progress_pct", "narrative", "submitted_on", "verified_status", "verified_on"
    ],
}


def history_rows(dimensions: list[str]) -> dict[str, list[tuple]]:
    """The workbook's rows, sheet by sheet, as a programme manager would have typed them."""
    rows: dict[str, list[tuple]] = {name: [] for name in SHEETS}
    rows["engagements"].append((
        ENGAGEMENT, "PE", "Hemispheric Plan: precursor control in Peru", PROGRAMME,
        date(2012, 3, 1), date(2016, 12, 15), "closed", date(2016, 12, 15),
    ))  # fmt: skip
    for ref, title, start, end, finalised, levels in (
        ("A2012", "Baseline assessment of precursor control in Peru", date(2012, 4, 16), date(2012, 6, 29),
         date(2012, 8, 10), BASELINE),
        ("A2015", "Mid-term assessment of precursor control in Peru", date(2015, 5, 4), date(2015, 7, 17),
         date(2015, 9, 30), MIDTERM),
    ):  # fmt: skip
        rows["assessments"].append((ref, ENGAGEMENT, title, start, end, "final", finalised))
        for code, level in zip(dimensions, levels, strict=False):
            rows["scores"].append((ref, code, level, f"Level {level} found in the {start.year} interviews and documents."))
    for ref, title, priority, due in MEASURES:
        rows["measures"].append((ref, ENGAGEMENT, title, "", priority, date(2013, 2, 20), due))
    for number, (opened, late_days, review_days, reports) in enumerate(ROUNDS, start=1):
        ref, due = f"R{number}", opened + timedelta(days=30)
        rows["rounds"].append((ref, ENGAGEMENT, opened, due))
        submitted = due + timedelta(days=late_days)
        for measure, (status, progress) in reports.items():
            rows["updates"].append((
                ref, measure, status, progress, NARRATIVES[status], submitted,
                status, submitted + timedelta(days=review_days),
            ))  # fmt: skip
    return rows


def history_workbook(rows: dict[str, list[tuple]]) -> bytes:
    """The rows written as the portal writes every history workbook (the template's own writer)."""
    return write_history_workbook({name: [dict(zip(SHEETS[name], row, strict=True)) for row in rows[name]] for name in SHEETS})


def seed(out) -> None:
    manager = User.objects.filter(username="manager").first()
    framework = default_framework()
    if manager is None or framework is None:
        out.write("history: skipped (no demo manager or no framework)")
        return
    Programme.objects.get_or_create(code=PROGRAMME, defaults=PROGRAMME_FIELDS)
    dimensions = list(framework.dimensions.order_by("order", "pk").values_list("code", flat=True))
    content = history_workbook(history_rows(dimensions))
    upload = SimpleUploadedFile("peru-history-2012-2016.xlsx", content)
    done = services.import_create(user=manager, upload=upload, dry_run=False, run_now=True)
    done.refresh_from_db()
    if done.status != HistoryImport.Status.DONE or done.errors:
        raise RuntimeError(f"The demo history did not import: {done.status} {done.errors[:5]}")
    counts = ", ".join(
        f"{sheet} {figures['created']} new/{figures['updated']} changed" for sheet, figures in done.summary.items()
    )
    out.write(f"history: Peru 2012–2016 imported ({counts})")
