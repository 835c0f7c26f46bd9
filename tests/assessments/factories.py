"""Assessments built through the real services, on the standard world or alone."""

from datetime import date

from assessments import services
from assessments.models import Assessment
from assessments.models import EvidenceMeeting
from assessments.models import Finding
from assessments.models import Framework
from assessments.models import LegalInstrument
from assessments.models import Recommendation
from assessments.models import Roundtable
from engagements.models import Agency
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory


def default_framework() -> Framework:
    """The precursor-control framework shipped by the data migration (13 dimensions)."""
    return Framework.objects.get(code="precursor-control", version=1)


def make_assessment(
    *,
    engagement=None,
    country: str = "PE",
    title: str = "Peru assessment",
    start: date = date(2025, 3, 3),
    end: date | None = date(2025, 4, 30),
    status: str = Assessment.Status.DRAFT,
    levels: dict[str, int] | None = None,
    by=None,
) -> Assessment:
    """An assessment, optionally scored (``levels`` by dimension code; ``"all"`` levels if status is final)."""
    engagement = engagement or EngagementFactory(country_id=country)
    framework = default_framework()
    assessment = services.assessment_save(
        assessment=Assessment(engagement=engagement, framework=framework, title=title, start_date=start, end_date=end),
        by=by,
        agencies=list(Agency.objects.filter(country_id=engagement.country_id)[:2]),
    )
    if status == Assessment.Status.FINAL and levels is None:
        levels = {d.code: 3 for d in framework.dimensions.all()}
    if levels:
        services.scores_replace(
            assessment=assessment,
            entries=[services.ScoreEntry(code, level, f"Why {code} is {level}") for code, level in levels.items()],
            by=by,
        )
    if status in (Assessment.Status.IN_REVIEW, Assessment.Status.FINAL):
        services.assessment_set_status(assessment=assessment, to_status=Assessment.Status.IN_REVIEW, by=by)
    if status == Assessment.Status.FINAL:
        services.assessment_set_status(assessment=assessment, to_status=Assessment.Status.FINAL, by=by)
    assessment.refresh_from_db()
    return assessment


def add_finding(assessment: Assessment, *, code: str = "legal", text: str = "A gap in the law") -> Finding:
    dimension = assessment.framework.dimensions.get(code=code)
    return services.finding_save(finding=Finding(assessment=assessment, dimension=dimension, text=text))


def add_recommendation(finding: Finding, *, text: str = "Amend the law", agency=None) -> Recommendation:
    return services.recommendation_save(
        recommendation=Recommendation(finding=finding, text=text, responsible_agency=agency)
    )


def add_meeting(assessment: Assessment) -> EvidenceMeeting:
    return services.meeting_save(
        meeting=EvidenceMeeting(assessment=assessment, date=date(2025, 3, 4), notes="Interview with customs")
    )


def add_instrument(assessment: Assessment) -> LegalInstrument:
    return services.instrument_save(
        instrument=LegalInstrument(assessment=assessment, title="Chemical inputs law", year=2004)
    )


def make_roundtable(assessment: Assessment, *, title: str = "Roundtable", people=()) -> Roundtable:
    roundtable = services.roundtable_save(
        roundtable=Roundtable(
            engagement=assessment.engagement,
            assessment=assessment,
            title=title,
            date=date(2025, 6, 10),
            venue="Ministry of the Interior",
        )
    )
    if people:
        services.roundtable_set_attendance(roundtable=roundtable, attended={}, add=list(people))
    return roundtable


def equip_world(world) -> None:
    """Give the standard world an assessment (in review, so counterparts see it) per country, with
    its parts and a roundtable: ``world.assessment`` / ``world.other_assessment`` and so on."""
    for side, engagement, country in (
        ("", world.engagement, world.own),
        ("other_", world.other_engagement, world.other),
    ):
        AgencyFactory(country_id=country)
        assessment = make_assessment(
            engagement=engagement,
            title=f"Assessment {country}",
            status=Assessment.Status.IN_REVIEW,
            levels={"legal": 2, "trade": 3},
        )
        finding = add_finding(assessment)
        setattr(world, f"{side}assessment", assessment)
        setattr(world, f"{side}finding", finding)
        setattr(world, f"{side}recommendation", add_recommendation(finding))
        setattr(world, f"{side}meeting", add_meeting(assessment))
        setattr(world, f"{side}instrument", add_instrument(assessment))
        person = world.person if not side else world.other_person
        setattr(world, f"{side}roundtable", make_roundtable(assessment, people=[person]))
