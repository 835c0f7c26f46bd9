"""Believable history workbooks of any size, for the tests and the benchmark.

``sample_workbook(rows=10_000)`` is a programme's six years (2011–2016) in one country: engagements,
each with a final assessment scored on every dimension of the shipped framework, its measures, a
follow-up round every six months and a report on every measure in every round (mostly verified,
some late). Nearly all rows are measures, rounds and reports, as in a real programme's files. The
same arguments always give the same workbook; every row is valid for a manager of the country.
"""

from __future__ import annotations

import math
from datetime import date
from datetime import timedelta

from assessments.framework_data import read_framework
from followups.models import add_months

from .exporter import write_history_workbook

ROUNDS_PER_ENGAGEMENT = 8
MEASURES_AT_MOST = 50
FIRST_START = date(2011, 1, 10)


def sample_rows(*, rows: int = 10_000, country: str = "PE", prefix: str = "") -> dict[str, list[dict]]:
    """About ``rows`` rows over all sheets (never fewer than one engagement's worth)."""
    dimensions = [item["code"] for item in read_framework()["dimensions"]]
    fixed = 2 + len(dimensions) + ROUNDS_PER_ENGAGEMENT  # engagement, assessment, scores, rounds
    per_measure = 1 + ROUNDS_PER_ENGAGEMENT  # the measure and its reports
    engagements = max(1, math.ceil(rows / (fixed + per_measure * MEASURES_AT_MOST)))
    measures = max(1, min(MEASURES_AT_MOST, round((rows / engagements - fixed) / per_measure)))
    sheets: dict[str, list[dict]] = {name: [] for name in ("engagements", "assessments", "scores")}
    sheets.update({name: [] for name in ("measures", "rounds", "updates")})
    for e in range(engagements):
        _engagement(sheets, e, country=country, prefix=prefix, dimensions=dimensions, measures=measures)
    return sheets


def _engagement(sheets, e: int, *, country: str, prefix: str, dimensions: list[str], measures: int) -> None:
    start = FIRST_START + timedelta(days=7 * e)
    engagement = f"{prefix}E{e + 1}"
    sheets["engagements"].append(
        {
            "ref": engagement,
            "country": country,
            "title": f"Precursor control assistance {e + 1}",
            "start_date": start,
            "end_date": date(2016, 12, 15),
            "phase": "closed",
            "phase_changed_on": date(2016, 12, 15),
        }
    )
    assessment = f"{prefix}A{e + 1}"
    sheets["assessments"].append(
        {
            "ref": assessment,
            "engagement": engagement,
            "title": f"National assessment {e + 1}",
            "start_date": start + timedelta(days=20),
            "end_date": start + timedelta(days=110),
            "status": "final",
            "finalised_on": start + timedelta(days=150),
        }
    )
    for d, code in enumerate(dimensions):
        level = 1 + (e + d) % 4
        sheets["scores"].append(
            {"assessment": assessment, "dimension": code, "level": level, "rationale": f"Level {level} on {code}."}
        )
    agreed = start + timedelta(days=200)
    for m in range(measures):
        sheets["measures"].append(
            {
                "ref": f"{prefix}M{e + 1}-{m + 1}",
                "engagement": engagement,
                "title": f"Measure {m + 1} agreed at the roundtable",
                "description": "Strengthen the control of precursor chemicals.",
                "priority": ("high", "medium", "low")[m % 3],
                "agreed_on": agreed,
                "due_date": add_months(agreed, 24),
            }
        )
    for r in range(ROUNDS_PER_ENGAGEMENT):
        opened = add_months(start, 12 + 6 * r)
        round_ = f"{prefix}R{e + 1}-{r + 1}"
        sheets["rounds"].append(
            {"ref": round_, "engagement": engagement, "opened_on": opened, "due_date": opened + timedelta(days=30)}
        )
        last = r == ROUNDS_PER_ENGAGEMENT - 1
        for m in range(measures):
            progress = min(100, (r + 1) * (6 + 2 * (m % 5)))  # some measures done, others halfway
            status = "implemented" if progress == 100 else "partially_implemented" if progress >= 60 else "in_progress"
            submitted = opened + timedelta(days=40 if (m + r) % 4 == 0 else 15)  # some late
            sheets["updates"].append(
                {
                    "round": round_,
                    "measure": f"{prefix}M{e + 1}-{m + 1}",
                    "status": status,
                    "progress_pct": progress,
                    "narrative": f"Round {r + 1}: the work on measure {m + 1} went on.",
                    "submitted_on": submitted,
                    # The last round's reports wait for verification (one per measure at most).
                    "verified_status": None if last else status,
                    "verified_on": None if last else submitted + timedelta(days=7),
                }
            )


def sample_workbook(*, rows: int = 10_000, country: str = "PE", prefix: str = "") -> bytes:
    """``sample_rows`` as an XLSX history workbook."""
    return write_history_workbook(sample_rows(rows=rows, country=country, prefix=prefix))
