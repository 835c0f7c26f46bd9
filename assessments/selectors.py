"""Reads of assessments and roundtables: scoped fetches, the baseline comparison, report data."""

from dataclasses import dataclass
from dataclasses import field

from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.access import get_visible_or_404
from reports.charts import Series
from reports.charts import radar_chart
from ta_portal.filtering import filter_given
from ta_portal.filtering import text_search

from .models import Assessment
from .models import Dimension
from .models import DimensionScore
from .models import EvidenceMeeting
from .models import Finding
from .models import Framework
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable
from .models import RoundtableAttendance

Status = Assessment.Status


def assessment_list_for_user(
    *, user, search: str = "", country: str = "", status: str = "", engagement: int | None = None
) -> QuerySet[Assessment]:
    assessments = (
        Assessment.objects.visible_to(user)
        .select_related("engagement__country", "framework")
        .annotate(
            n_scores=Count("scores", distinct=True),
            n_dimensions=Count("framework__dimensions", distinct=True),
            n_findings=Count("findings", distinct=True),
        )
        # Aggregating queries ignore Meta.ordering: order explicitly for stable pages.
        .order_by("-start_date", "title", "pk")
    )
    assessments = text_search(assessments, search, "title", "engagement__title")
    return filter_given(assessments, engagement__country_id=country.upper(), status=status, engagement_id=engagement)


def assessment_get_for_user(*, user, pk: int) -> Assessment:
    return get_visible_or_404(Assessment.objects.select_related("engagement__country", "framework"), user, pk=pk)


def _finals_of(country_code: str) -> QuerySet[Assessment]:
    """The country's final assessments, earliest first (by start date, then id)."""
    return Assessment.objects.filter(engagement__country_id=country_code.upper(), status=Status.FINAL).order_by(
        "start_date", "pk"
    )


def baseline_for(assessment: Assessment) -> Assessment | None:
    """The assessment this one is compared with: the country's earliest *final* assessment that
    started before it. None when this is the first assessment of the country (it is the baseline)."""
    return (
        _finals_of(assessment.engagement.country_id)
        .filter(start_date__lt=assessment.start_date)
        .exclude(pk=assessment.pk)
        .select_related("framework")
        .first()
    )


def baseline_pk_for(assessment: Assessment, *, earliest_finals: dict) -> int | None:
    """``baseline_for(assessment).pk``, asking once per country for a whole list: ``earliest_finals``
    keeps each country's earliest final assessment, and only that one can be a baseline."""
    country = assessment.engagement.country_id
    if country not in earliest_finals:
        earliest_finals[country] = _finals_of(country).values_list("pk", "start_date").first()
    first = earliest_finals[country]
    return first[0] if first and first[1] < assessment.start_date and first[0] != assessment.pk else None


def _levels_by_code(assessment: Assessment | None) -> dict[str, int]:
    if assessment is None:
        return {}
    return dict(assessment.scores.values_list("dimension__code", "level"))


@dataclass
class ComparisonRow:
    dimension: Dimension
    level: int | None
    rationale: str
    baseline_level: int | None

    @property
    def change(self) -> int | None:
        if self.level is None or self.baseline_level is None:
            return None
        return self.level - self.baseline_level


@dataclass
class Comparison:
    assessment: Assessment
    baseline: Assessment | None
    rows: list[ComparisonRow] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(1 for row in self.rows if row.level is not None)

    @property
    def mean_level(self) -> float | None:
        levels = [row.level for row in self.rows if row.level is not None]
        return sum(levels) / len(levels) if levels else None

    @property
    def baseline_mean_level(self) -> float | None:
        levels = [row.baseline_level for row in self.rows if row.baseline_level is not None]
        return sum(levels) / len(levels) if levels else None


def comparison_for(assessment: Assessment) -> Comparison:
    """Per dimension of the assessment's framework: the level now and at the baseline (matched by
    dimension code, so a baseline made with an earlier framework version still compares)."""
    baseline = baseline_for(assessment)
    baseline_levels = _levels_by_code(baseline)
    scores = {s.dimension_id: s for s in assessment.scores.all()}
    rows = []
    for dimension in assessment.framework.dimensions.all():
        score = scores.get(dimension.pk)
        rows.append(
            ComparisonRow(
                dimension=dimension,
                level=score.level if score else None,
                rationale=score.rationale if score else "",
                baseline_level=baseline_levels.get(dimension.code),
            )
        )
    return Comparison(assessment=assessment, baseline=baseline, rows=rows)


def radar_for(comparison: Comparison):
    """The maturity radar of an assessment, with its baseline when there is one (page and PDF)."""
    axes = [row.dimension.local_name() for row in comparison.rows]
    series = [
        Series(
            _("This assessment (%(year)s)") % {"year": comparison.assessment.start_date.year},
            [row.level for row in comparison.rows],
        )
    ]
    if comparison.baseline is not None:
        series.append(
            Series(
                _("Baseline (%(year)s)") % {"year": comparison.baseline.start_date.year},
                [row.baseline_level for row in comparison.rows],
            )
        )
    return radar_chart(
        axes=axes,
        series=series,
        max_value=5,
        title=_("Maturity by dimension, levels 1 to 5: %(title)s") % {"title": comparison.assessment.title},
    )


def maturity_comparison(*, country_code: str, engagement_id: int | None = None) -> dict[str, dict[str, int]]:
    """Maturity levels of a country (or of one engagement) at the baseline and now.

    - ``baseline``: {dimension code: level} of the earliest *final* assessment (by start date, then
      id) of the country — or of the engagement, when ``engagement_id`` is given;
    - ``latest``: the same for the most recent final assessment;
    - ``change``: latest − baseline, for the codes scored in both; empty when there is only one
      final assessment (no re-assessment yet, so no change can be measured).
    Drafts and assessments in review never count. Dimensions are matched by code, so framework
    versions compare. With no final assessment all three are empty dicts. Not scoped: the caller
    decides who may see the country.
    """
    finals = _finals_of(country_code)
    if engagement_id is not None:
        finals = finals.filter(engagement_id=engagement_id)
    first = finals.order_by("start_date", "pk").first()
    last = finals.order_by("-start_date", "-pk").first()
    if first is None:
        return {"baseline": {}, "latest": {}, "change": {}}
    baseline, latest = _levels_by_code(first), _levels_by_code(last)
    change = {} if first.pk == last.pk else {code: latest[code] - baseline[code] for code in latest if code in baseline}
    return {"baseline": baseline, "latest": latest, "change": change}


def frameworks_offered() -> QuerySet[Framework]:
    return Framework.objects.latest_versions().order_by("name")


def default_framework() -> Framework | None:
    """The framework a new assessment uses unless another is chosen: the first offered."""
    return frameworks_offered().order_by("name", "-version").first()


def findings_with_recommendations(assessment: Assessment) -> QuerySet[Finding]:
    return (
        assessment.findings.select_related("dimension")
        .prefetch_related(
            "agencies",
            "substances",
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("responsible_agency").order_by("pk"),
            ),
        )
        .order_by("dimension__order", "pk")
    )


def meetings_of(assessment: Assessment) -> QuerySet[EvidenceMeeting]:
    return assessment.meetings.select_related("agency").prefetch_related("people")


def instruments_of(assessment: Assessment) -> QuerySet[LegalInstrument]:
    return assessment.instruments.all()


def scores_of(assessment: Assessment) -> QuerySet[DimensionScore]:
    return assessment.scores.select_related("dimension").order_by("dimension__order")


def roundtable_list_for_user(*, user, country: str = "", engagement: int | None = None) -> QuerySet[Roundtable]:
    roundtables = (
        Roundtable.objects.visible_to(user)
        .select_related("engagement__country", "assessment")
        .annotate(
            n_invited=Count("attendance", distinct=True),
            n_attended=Count("attendance", filter=Q(attendance__attended=True), distinct=True),
        )
        .order_by("-date", "title", "pk")
    )
    if country:
        roundtables = roundtables.filter(engagement__country_id=country.upper())
    if engagement:
        roundtables = roundtables.filter(engagement_id=engagement)
    return roundtables


def roundtable_get_for_user(*, user, pk: int) -> Roundtable:
    return get_visible_or_404(Roundtable.objects.select_related("engagement__country", "assessment"), user, pk=pk)


def attendance_of(roundtable: Roundtable) -> QuerySet[RoundtableAttendance]:
    return roundtable.attendance.select_related("person__agency").order_by("person__full_name")


def agreed_measures(roundtable: Roundtable) -> list:
    """The measures agreed at the roundtable (tracked by the follow-up app, when it is installed)."""
    if not hasattr(Roundtable, "measures"):
        return []
    return list(roundtable.measures.select_related("responsible_agency", "recommendation").order_by("due_date", "pk"))
