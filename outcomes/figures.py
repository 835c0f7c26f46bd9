"""The outcome blocks of docs/API.md, computed from facts (see facts.py).

Training figures come from the trainings app's ``prepost_summary`` (the one function every
page, API answer and PDF uses); the measure and follow-up figures from ``followups.selectors``
(``implementation_rate``, ``compliance_block``, ``coordination_score``): here only the counting
is done, over facts already fetched, so that a list of 35 countries costs the same queries as
one country. Nothing here rounds: ``ta_portal.figures`` does, when a figure is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date

from followups.selectors import compliance_block
from followups.selectors import coordination_score
from followups.selectors import implementation_rate
from trainings.statistics import SEX_ORDER
from trainings.statistics import prepost_summary
from trainings.statistics import summarize

from .facts import MeasureFact
from .facts import ResultFact
from .facts import RoundFact
from .facts import ScoreFact

MEASURE_STATUSES = (
    "not_started",
    "in_progress",
    "partially_implemented",
    "implemented",
    "not_implemented",
    "cancelled",
)


__all__ = ["coordination_score", "implementation_rate"]


def training_block(results: Iterable[ResultFact]) -> dict:
    return prepost_summary([fact.row for fact in results])


def training_totals(results: Iterable[ResultFact]) -> dict:
    """The pre/post figures without disaggregation (``trainings.statistics.summarize``)."""
    return summarize([fact.row for fact in results])


def training_by_sex(results: Iterable[ResultFact]) -> dict:
    """The pre/post figures with ``by_sex`` only (what the grids show), as ``prepost_summary`` orders it."""
    rows = [fact.row for fact in results]
    figures = summarize(rows)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.sex, []).append(row)
    ordered = sorted(groups, key=lambda s: (SEX_ORDER.index(s) if s in SEX_ORDER else len(SEX_ORDER), s))
    figures["by_sex"] = {sex: summarize(groups[sex]) for sex in ordered}
    return figures


def measures_block(measures: Iterable[MeasureFact], *, as_of_index: int | None = None, verified=False) -> dict:
    """``{"total", "by_status", "implementation_rate"}``: the reported status now, or as it stood at
    the as-of day of ``as_of_index`` (a measure with nothing reported by then is not started);
    ``verified`` counts what managers verified (measures never verified left out)."""
    by_status = dict.fromkeys(MEASURE_STATUSES, 0)
    for measure in measures:
        if verified:
            status = measure.verified_status
        elif as_of_index is None:
            status = measure.status
        else:
            status = measure.statuses_at[as_of_index] or "not_started"
        if status in by_status:
            by_status[status] += 1
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "implementation_rate": implementation_rate(by_status),
    }


def followup_block(rounds: Iterable[RoundFact], *, today: date) -> dict:
    """Rounds whose due date has passed; on time = submitted on or before the due date."""
    due = [r for r in rounds if r.due_date < today]
    return compliance_block(
        len(due), sum(1 for r in due if r.submitted_on is not None and r.submitted_on <= r.due_date)
    )


def training_days(sessions: Iterable) -> int:
    """Days of training delivered: each session's days (start to end, inclusive) counted once, even
    when a regional session appears once per country."""
    spans = {s.session_id: (s.end_date - s.start_date).days + 1 for s in sessions}
    return sum(spans.values())


def coordination_score_mean(rounds: Iterable[RoundFact]) -> float | None:
    """The mean coordination questionnaire score (0–100) of the rounds that answered it; None when none did."""
    scores = [coordination_score(r.coordination_points) for r in rounds if r.coordination_points is not None]
    return sum(scores) / len(scores) if scores else None


def women_trained_share(results: Iterable[ResultFact]) -> float | None:
    """Women among the distinct people trained (%); None when nobody was trained."""
    sexes = {fact.person_id: fact.row.sex for fact in results}
    if not sexes:
        return None
    return 100 * sum(1 for sex in sexes.values() if sex == "female") / len(sexes)


# --- Maturity ----------------------------------------------------------------------------------------


def assessments_in_order(scores: Iterable[ScoreFact], *, as_of: date | None = None) -> list[tuple[ScoreFact, dict]]:
    """Final assessments (completed by ``as_of``), by start date then id, each with its levels per
    dimension code."""
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    heads: dict[int, ScoreFact] = {}
    for fact in scores:
        if fact.status != "final" or (as_of is not None and fact.completed_on > as_of):
            continue
        heads.setdefault(fact.assessment_id, fact)
        if fact.dimension is not None and fact.level is not None:
            levels[fact.assessment_id][fact.dimension] = fact.level
    ordered = sorted(heads.values(), key=lambda f: (f.start_date, f.assessment_id))
    return [(head, levels[head.assessment_id]) for head in ordered]


def maturity_block(scores: Sequence[ScoreFact], *, engagement_id: int | None = None, as_of: date | None = None) -> dict:
    """As ``assessments.selectors.maturity_comparison``: ``baseline`` is the earliest final
    assessment (of the country, or of the engagement when given), ``latest`` the most recent one,
    ``change`` latest − baseline per dimension scored in both, empty until a re-assessment exists."""
    if engagement_id is not None:
        scores = [s for s in scores if s.engagement_id == engagement_id]
    assessments = assessments_in_order(scores, as_of=as_of)
    if not assessments:
        return {"baseline": {}, "latest": {}, "change": {}}
    (first, baseline), (last, latest) = assessments[0], assessments[-1]
    change = (
        {}
        if first.assessment_id == last.assessment_id
        else {code: latest[code] - baseline[code] for code in latest if code in baseline}
    )
    return {"baseline": dict(baseline), "latest": dict(latest), "change": change}


def mean_change(block: dict) -> float | None:
    changes = list(block["change"].values())
    return sum(changes) / len(changes) if changes else None


# --- Grouping -----------------------------------------------------------------------------------------


def by_country(facts: Iterable, attribute: str = "country") -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for fact in facts:
        groups[getattr(fact, attribute)].append(fact)
    return groups


def year_end(year: int) -> date:
    return date(year, 12, 31)
