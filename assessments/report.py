"""The PDF assessment report: what goes into it, and the fingerprint of that data.

Registered as report kind ``assessment`` (see apps.py). The fingerprint covers everything the
PDF shows, so a ready report is reused while nothing changed and re-rendered once anything did.
"""

from django.utils import timezone

from reports.registry import RenderSpec
from reports.registry import ReportKind
from reports.services import fingerprint

from . import selectors
from .models import Assessment

KIND = "assessment"
# Raise when the template or the context changes, so stored reports are rendered anew.
TEMPLATE_VERSION = 1


def _measure_rows(roundtable) -> list[dict]:
    return [
        {
            "title": m.title,
            "agency": str(m.responsible_agency) if m.responsible_agency_id else "",
            "due": m.due_date,
            "recommendation": m.recommendation_id,
            "status": m.status,
        }
        for m in selectors.agreed_measures(roundtable)
    ]


def assessment_report_fingerprint(assessment: Assessment, language: str) -> str:
    """A hash of every value the report shows (and of the template version)."""
    comparison = selectors.comparison_for(assessment)
    findings = selectors.findings_with_recommendations(assessment)
    roundtables = assessment.roundtables.order_by("pk")
    return fingerprint(
        TEMPLATE_VERSION,
        language,
        {
            "assessment": [
                assessment.title,
                assessment.status,
                assessment.start_date,
                assessment.end_date,
                assessment.executive_summary,
                assessment.method,
                assessment.framework_id,
                assessment.engagement.country_id,
                sorted(assessment.agencies.values_list("pk", "name", "acronym")),
                sorted(str(user) for user in assessment.lead_assessors.all()),
            ],
            # Texts in other languages may be improved on a frozen framework version: they count too.
            "texts": [
                getattr(assessment.framework, "translations", {}),
                getattr(assessment.engagement.country, "translations", {}),
                [(r.dimension.code, r.dimension.translations) for r in comparison.rows],
            ],
            "scores": [(r.dimension.code, r.level, r.rationale, r.baseline_level) for r in comparison.rows],
            "baseline": comparison.baseline.pk if comparison.baseline else None,
            "findings": [
                (
                    f.pk,
                    f.dimension_id,
                    f.kind,
                    f.priority,
                    f.text,
                    sorted(a.pk for a in f.agencies.all()),
                    sorted(s.pk for s in f.substances.all()),
                    [(r.pk, r.text, r.priority, r.responsible_agency_id, r.timeframe) for r in f.recommendations.all()],
                )
                for f in findings
            ],
            "meetings": list(
                assessment.meetings.order_by("pk").values_list("pk", "date", "kind", "agency_id", "notes")
            ),
            "meeting_people": sorted(assessment.meetings.values_list("pk", "people__pk").exclude(people__isnull=True)),
            "instruments": list(
                assessment.instruments.order_by("pk").values_list("pk", "title", "kind", "year", "state", "gaps")
            ),
            "roundtables": [
                (
                    rt.pk,
                    rt.title,
                    rt.date,
                    rt.venue,
                    rt.online,
                    rt.minutes,
                    rt.attendance.filter(attended=True).count(),
                    _measure_rows(rt),
                )
                for rt in roundtables
            ],
        },
    )


def build_assessment_report(assessment: Assessment, language: str) -> RenderSpec:
    """Template and context of the report (called inside translation.override(language))."""
    assessment = Assessment.objects.select_related("engagement__country", "framework").get(pk=assessment.pk)
    comparison = selectors.comparison_for(assessment)
    findings = list(selectors.findings_with_recommendations(assessment))
    by_dimension = []
    for row in comparison.rows:
        items = [f for f in findings if f.dimension_id == row.dimension.pk]
        if items:
            by_dimension.append((row.dimension, items))
    recommendations = [(finding, rec) for finding in findings for rec in finding.recommendations.all()]
    roundtables = [
        (rt, selectors.attendance_of(rt).filter(attended=True).count(), selectors.agreed_measures(rt))
        for rt in assessment.roundtables.filter(date__lte=timezone.localdate()).order_by("date", "pk")
    ]
    meetings = list(selectors.meetings_of(assessment))
    counts = {
        "challenge": sum(1 for f in findings if f.kind == "challenge"),
        "opportunity": sum(1 for f in findings if f.kind == "opportunity"),
        "good_practice": sum(1 for f in findings if f.kind == "good_practice"),
        "high": sum(1 for _, r in recommendations if r.priority == "high"),
    }
    country = assessment.engagement.country
    context = {
        "assessment": assessment,
        "country": country,
        "framework": assessment.framework,
        "comparison": comparison,
        "radar": selectors.radar_for(comparison),
        "findings_by_dimension": by_dimension,
        "recommendations": recommendations,
        "meetings": meetings,
        "people_met": len({p.pk for m in meetings for p in m.people.all()}),
        "instruments": list(selectors.instruments_of(assessment)),
        "agencies": list(assessment.agencies.all()),
        "lead_assessors": list(assessment.lead_assessors.all()),
        "roundtables": roundtables,
        "counts": counts,
        "generated_on": timezone.localdate(),
        "language": language,
        "strongest": sorted((r for r in comparison.rows if r.level), key=lambda r: -r.level)[:3],
        "weakest": sorted((r for r in comparison.rows if r.level), key=lambda r: r.level)[:3],
    }
    filename = f"assessment-{country.code}-{assessment.start_date:%Y}-{assessment.pk}-{language}.pdf"
    return RenderSpec(template="assessments/report.html", context=context, filename=filename)


def visible_assessments(user):
    return Assessment.objects.visible_to(user)


REPORT_KIND = ReportKind(kind=KIND, build=build_assessment_report, visible_owners=visible_assessments)
