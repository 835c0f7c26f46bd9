"""Demo data: Peru's baseline assessment (2024) and re-assessment (2026), both final, with evidence,
scores, findings and recommendations; the 2024 roundtable with its attendees; a draft for Ecuador.
Every name is fictitious. Idempotent: an assessment or roundtable with the same title is skipped.
"""

from datetime import date
from datetime import time

from django.db import transaction

from accounts.models import User
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import Person
from reports.services import report_request

from . import report as assessment_report
from .models import Assessment
from .models import EvidenceMeeting
from .models import Finding
from .models import Framework
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable
from .models import RoundtableAttendance
from .services import ScoreEntry
from .services import assessment_save
from .services import assessment_set_status
from .services import finding_save
from .services import instrument_save
from .services import meeting_save
from .services import recommendation_save
from .services import roundtable_save
from .services import roundtable_set_attendance
from .services import scores_replace

PE_ENGAGEMENT = "Peru: strengthening control of chemical precursors"
EC_ENGAGEMENT = "Ecuador: assessment of precursor controls"
BASELINE_TITLE = "Peru: national assessment of precursor control 2024"
REASSESSMENT_TITLE = "Peru: re-assessment of precursor control 2026"
ROUNDTABLE_TITLE = "Lima roundtable on the 2024 precursor control assessment"
EC_TITLE = "Ecuador: national assessment of precursor control 2026"

# Dimension code → (level, rationale) in 2024 and 2026.
# fmt: off
BASELINE_SCORES = {
    "legal": (3, "Law 28305 and its regulation control Tables I and II with administrative and criminal sanctions; no clause allows fast scheduling of non-scheduled substances or pre-precursors."),
    "institutional": (2, "SUNAT is the competent authority for the chemical-inputs register, but coordination with DIRANDRO, the prosecution and DIGEMID rests on personal contacts; the inter-agency committee has not met since 2021."),
    "licensing": (3, "The Registry for the Control of Chemical Inputs and Controlled Goods is electronic and covers manufacture, trade and use; due diligence before registration is documentary only, with no premises visit."),
    "trade": (3, "PEN Online is used for every export; 71% of notifications received were answered within the deadline in 2023; Table II imports are authorised without cross-checking declared use."),
    "risk_customs": (2, "Risk profiles for chemicals exist in the selectivity system but were last reviewed in 2019; field identification kits only in Callao and Paita."),
    "estimates": (2, "Estimates for ephedrine and pseudoephedrine are reported to the INCB but are copied from past imports; P-2-P and its pre-precursors are not covered."),
    "inspections": (2, "About 300 inspections a year without a risk-based plan; stock discrepancies are recorded but few lead to sanctions."),
    "industry": (2, "Occasional awareness meetings with the National Society of Industries; no formal channel to report suspicious orders."),
    "investigation": (2, "DIRANDRO investigates seizures but backtracking of seized chemicals to their source is rare and almost never reaches the registered operator."),
    "seized_chemicals": (1, "Seized chemicals accumulate in police depots for years; disposal needs a final judgment and no licensed facility has a contract."),
    "international": (3, "Form D is complete and on time; PICS is used occasionally; no operational agreement with Bolivia or Ecuador on chemical shipments."),
    "forensic": (3, "The police forensic laboratory identifies listed precursors with validated methods; no chemical profiling of seized cocaine or chemicals."),
    "training": (2, "Training depends on donor-funded courses; there is no national curriculum and trained officers rotate out within two years."),
}
REASSESSMENT_SCORES = {
    "legal": (4, "Supreme Decree of 2025 adds a limited special surveillance list and allows scheduling by ministerial resolution within 60 days."),
    "institutional": (3, "The inter-agency committee meets quarterly under DEVIDA with focal points in SUNAT, DIRANDRO, FEDTID and DIGEMID; information still flows mostly on request."),
    "licensing": (3, "Premises visits are now made before registering new operators in Lima and Callao, not yet in the regions."),
    "trade": (4, "All Table I and II imports are cross-checked against the operator's registration and declared use; 94% of notifications answered in time in 2025."),
    "risk_customs": (3, "Profiles were revised in 2025 with DIRANDRO and now feed from the register; handheld spectrometers in five border posts."),
    "estimates": (3, "Estimates are now built from a survey of registered users and cover P-2-P and APAA; they are not yet revised during the year."),
    "inspections": (3, "An annual risk-based inspection plan exists with a standard checklist; sanctions have doubled."),
    "industry": (3, "A formal channel to report suspicious orders is in force and the guidance on indicators of suspicion was published in 2025."),
    "investigation": (2, "Backtracking is attempted in major seizures but rarely identifies the diverting operator; financial investigation is not combined."),
    "seized_chemicals": (2, "Early disposal after sampling is allowed since 2025, but only one contractor is licensed and depots are still overloaded."),
    "international": (3, "A bilateral protocol with Ecuador was signed; participation in INCB Project Prism operations is still limited."),
    "forensic": (3, "Methods for non-scheduled substances are under validation; accreditation under ISO/IEC 17025 is planned for 2027."),
    "training": (3, "A basic course for new customs and SUNAT officers has been run three times by national trainers."),
}

MEETINGS = [
    (date(2024, 4, 9), EvidenceMeeting.Kind.MEETING, "SUNAT", "Opening meeting with the chemical-inputs control division; review of the register and of PEN Online practice."),
    (date(2024, 4, 10), EvidenceMeeting.Kind.INTERVIEW, "DIRANDRO", "Interview with the precursor investigations unit on seizures 2021–2023 and backtracking."),
    (date(2024, 4, 11), EvidenceMeeting.Kind.SITE_VISIT, "SUNAT", "Visit to the maritime customs of Callao: selectivity, inspection of two chemical consignments, field kits."),
    (date(2024, 4, 12), EvidenceMeeting.Kind.INTERVIEW, "FEDTID", "Interview with specialised prosecutors on precursor cases brought to court and on evidence from the register."),
    (date(2024, 4, 15), EvidenceMeeting.Kind.MEETING, "DIGEMID", "Meeting on ephedrine and pseudoephedrine estimates and pharmaceutical operators."),
    (date(2024, 4, 16), EvidenceMeeting.Kind.DOCUMENT_REVIEW, "DEVIDA", "Review of the national drug strategy and of the inter-agency committee's minutes."),
]
REASSESSMENT_MEETINGS = [
    (date(2026, 3, 3), EvidenceMeeting.Kind.MEETING, "DEVIDA", "Meeting with the inter-agency committee: progress on the 2024 measures."),
    (date(2026, 3, 4), EvidenceMeeting.Kind.SITE_VISIT, "SUNAT", "Visit to the Desaguadero border post: spectrometer use and referrals to DIRANDRO."),
    (date(2026, 3, 5), EvidenceMeeting.Kind.INTERVIEW, "DIRANDRO", "Interview on backtracking of the 2025 seizures in the VRAEM."),
    (date(2026, 3, 6), EvidenceMeeting.Kind.INTERVIEW, "FEDTID", "Interview on early disposal of seized chemicals under the 2025 decree."),
]
INSTRUMENTS = [
    ("Law 28305 on the control of chemical inputs and controlled goods", LegalInstrument.Kind.LAW, 2004, "in_force", "No clause for fast scheduling of non-scheduled substances; sanctions not updated since 2013."),
    ("Legislative Decree 1126 on control measures for chemical inputs", LegalInstrument.Kind.DECREE, 2012, "in_force", "Register limited to listed substances; no voluntary monitoring list."),
    ("Supreme Decree 044-2013-EF, regulation of Legislative Decree 1126", LegalInstrument.Kind.REGULATION, 2013, "in_force", "Premises visits before registration are optional."),
    ("SUNAT procedure for the inspection of chemical inputs at customs", LegalInstrument.Kind.PROCEDURE, 2018, "in_force", "Does not cover transit or free-trade zones."),
    ("Draft law on the disposal of seized chemical substances", LegalInstrument.Kind.LAW, 2024, "draft", "Would allow disposal after sampling, before final judgment."),
]
# (dimension code, kind, priority, agency acronyms, substances,
#  text,
#  [(recommendation, priority, responsible agency acronym, timeframe)])
FINDINGS = [
    ("legal", Finding.Kind.CHALLENGE, Finding.Priority.HIGH, ["DEVIDA", "SUNAT"], ["Potassium permanganate", "Phenylacetic acid"],
     "Non-scheduled substances and pre-precursors used to make P-2-P and cocaine processing chemicals cannot be controlled quickly: adding a substance to the national list requires a supreme decree approved by several ministries.",
     [("Adopt a legal clause allowing the competent authority to place substances under emergency control, and a voluntary monitoring list agreed with industry.", Finding.Priority.HIGH, "DEVIDA", Recommendation.Timeframe.SHORT)]),
    ("institutional", Finding.Kind.CHALLENGE, Finding.Priority.HIGH, ["DEVIDA", "SUNAT", "DIRANDRO", "FEDTID"], [],
     "The inter-agency committee on chemical inputs has not met since 2021; SUNAT, DIRANDRO and the specialised prosecution exchange information only through personal contacts.",
     [("Reactivate the inter-agency committee with quarterly meetings, named focal points and a shared follow-up of cases.", Finding.Priority.HIGH, "DEVIDA", Recommendation.Timeframe.IMMEDIATE)]),
    ("trade", Finding.Kind.GOOD_PRACTICE, Finding.Priority.LOW, ["SUNAT"], ["Acetone"],
     "SUNAT sends a pre-export notification through PEN Online for every export of listed substances, and blocked two suspicious shipments of acetone in 2023 after objections from the importing country.",
     []),
    ("risk_customs", Finding.Kind.CHALLENGE, Finding.Priority.MEDIUM, ["SUNAT"], [],
     "Customs risk profiles for chemicals were last revised in 2019 and field identification kits are available only at Callao and Paita; land borders with Bolivia are hardly covered.",
     [("Revise the chemical risk profiles with DIRANDRO every year and equip the main land border posts with handheld spectrometers.", Finding.Priority.MEDIUM, "SUNAT", Recommendation.Timeframe.MEDIUM)]),
    ("inspections", Finding.Kind.CHALLENGE, Finding.Priority.MEDIUM, ["SUNAT"], ["Sulphuric acid", "Hydrochloric acid"],
     "Inspections of registered operators follow no risk-based plan; stock discrepancies are recorded but rarely sanctioned.",
     [("Adopt an annual risk-based inspection plan with a standard checklist and publish the sanctions applied.", Finding.Priority.MEDIUM, "SUNAT", Recommendation.Timeframe.SHORT)]),
    ("industry", Finding.Kind.OPPORTUNITY, Finding.Priority.MEDIUM, ["SUNAT"], [],
     "The National Society of Industries is willing to sign a code of conduct and to report suspicious orders if a formal channel exists.",
     [("Sign a memorandum of understanding with the industry association, with a channel to report suspicious orders and guidance on indicators of suspicion.", Finding.Priority.MEDIUM, "SUNAT", Recommendation.Timeframe.SHORT)]),
    ("seized_chemicals", Finding.Kind.CHALLENGE, Finding.Priority.HIGH, ["DIRANDRO", "FEDTID"], ["Sulphuric acid", "Acetone", "Toluene"],
     "Thousands of litres of seized solvents and acids are stored in police depots that lack ventilation and fire protection, awaiting a final judgment before disposal.",
     [("Approve the draft law allowing disposal after sampling and contract licensed facilities for environmentally sound disposal.", Finding.Priority.HIGH, "FEDTID", Recommendation.Timeframe.MEDIUM)]),
    ("training", Finding.Kind.CHALLENGE, Finding.Priority.MEDIUM, ["SUNAT", "DIRANDRO"], [],
     "Trained officers rotate within two years and there is no national course on precursor control; knowledge is lost.",
     [("Create a national basic course on precursor control given by national trainers to new customs, SUNAT and police officers.", Finding.Priority.MEDIUM, "DEVIDA", Recommendation.Timeframe.MEDIUM)]),
]
REASSESSMENT_FINDINGS = [
    ("investigation", Finding.Kind.CHALLENGE, Finding.Priority.HIGH, ["DIRANDRO", "SUNAT"], ["Sulphuric acid", "Potassium permanganate"],
     "Backtracking of chemicals seized in the VRAEM rarely identifies the diverting operator: the register's transaction data are not available to investigators in real time.",
     [("Give DIRANDRO's precursor unit read access to the register's transaction data and make backtracking standard for every seizure above 200 litres.", Finding.Priority.HIGH, "SUNAT", Recommendation.Timeframe.SHORT)]),
    ("seized_chemicals", Finding.Kind.CHALLENGE, Finding.Priority.MEDIUM, ["FEDTID"], [],
     "Early disposal is now legal, but a single licensed contractor cannot absorb the backlog of seized chemicals.",
     [("License at least two more disposal facilities in the regions and budget the cost of disposal.", Finding.Priority.MEDIUM, "FEDTID", Recommendation.Timeframe.MEDIUM)]),
    ("institutional", Finding.Kind.GOOD_PRACTICE, Finding.Priority.LOW, ["DEVIDA"], [],
     "The inter-agency committee has met every quarter since 2024 and follows up jointly the measures agreed at the 2024 roundtable.",
     []),
]
# fmt: on


# The two Peru assessments: their fields and their parts.
BASELINE = {
    "fields": {
        "title": BASELINE_TITLE,
        "start_date": date(2024, 4, 8),
        "end_date": date(2024, 5, 31),
        "executive_summary": (
            "Peru has the legal and institutional basics of precursor control: a law covering the substances of "
            "the 1988 Convention, an electronic register of operators and systematic pre-export notification. "
            "Its weakest points are the coordination among agencies, the handling of seized chemicals and the "
            "lack of a risk-based approach to inspections and customs controls."
        ),
        "method": (
            "Desk review of the legal framework, six meetings and interviews with SUNAT, DIRANDRO, FEDTID, "
            "DIGEMID and DEVIDA in Lima and Callao (8–16 April 2024), a site visit to the maritime customs of "
            "Callao, and validation of the preliminary findings with the national focal points."
        ),
    },
    "scores": BASELINE_SCORES,
    "meetings": MEETINGS,
    "instruments": INSTRUMENTS,
    "findings": FINDINGS,
}
REASSESSMENT = {
    "fields": {
        "title": REASSESSMENT_TITLE,
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 4, 17),
        "executive_summary": (
            "Two years after the baseline, Peru has improved in nine of thirteen dimensions. The emergency-scheduling "
            "clause, the reactivated inter-agency committee and risk-based inspections are in place. Backtracking "
            "of seized chemicals and their disposal remain the weakest links."
        ),
        "method": (
            "Same method as the 2024 baseline: review of the instruments adopted since, four meetings and "
            "interviews, and a site visit to the Desaguadero border post (2–6 March 2026)."
        ),
    },
    "scores": REASSESSMENT_SCORES,
    "meetings": REASSESSMENT_MEETINGS,
    "instruments": INSTRUMENTS[:1],
    "findings": REASSESSMENT_FINDINGS,
}


def _agency(code: str, acronym: str) -> Agency | None:
    return Agency.objects.filter(country_id=code, acronym=acronym).first()


def _make_assessment(*, engagement, framework, fields, scores, meetings, instruments, findings, by, lead) -> Assessment:
    country = engagement.country_id
    agencies = list(Agency.objects.filter(country_id=country))
    assessment = assessment_save(
        assessment=Assessment(engagement=engagement, framework=framework, **fields),
        by=by,
        agencies=agencies,
        lead_assessors=lead,
    )
    for when, kind, acronym, notes in meetings:
        agency = _agency(country, acronym)
        people = list(Person.objects.filter(agency=agency).order_by("pk")[:3]) if agency else []
        meeting_save(
            meeting=EvidenceMeeting(assessment=assessment, date=when, kind=kind, agency=agency, notes=notes),
            people=people,
        )
    for name, kind, year, state, gaps in instruments:
        instrument_save(
            instrument=LegalInstrument(assessment=assessment, title=name, kind=kind, year=year, state=state, gaps=gaps)
        )
    scores_replace(
        assessment=assessment,
        entries=[ScoreEntry(code, level, rationale) for code, (level, rationale) in scores.items()],
        by=by,
    )
    dimensions = {d.code: d for d in framework.dimensions.all()}
    for code, kind, priority, acronyms, substances, text, recommendations in findings:
        finding = finding_save(
            finding=Finding(assessment=assessment, dimension=dimensions[code], kind=kind, priority=priority, text=text),
            agencies=[a for a in (_agency(country, x) for x in acronyms) if a],
            substances=list(ControlledSubstance.objects.filter(name__in=substances)),
        )
        for rec_text, rec_priority, acronym, timeframe in recommendations:
            recommendation_save(
                recommendation=Recommendation(
                    finding=finding,
                    text=rec_text,
                    priority=rec_priority,
                    responsible_agency=_agency(country, acronym),
                    timeframe=timeframe,
                )
            )
    assessment_set_status(assessment=assessment, to_status=Assessment.Status.IN_REVIEW, by=by)
    return assessment


def _final_assessment(spec: dict, *, engagement, framework, by, lead) -> list[Assessment]:
    """Make one of the Peru assessments, final (nothing when one with its title exists): [it] or []."""
    if Assessment.objects.filter(title=spec["fields"]["title"]).exists():
        return []
    assessment = _make_assessment(engagement=engagement, framework=framework, by=by, lead=lead, **spec)
    assessment_set_status(assessment=assessment, to_status=Assessment.Status.FINAL, by=by)
    return [assessment]


@transaction.atomic
def seed(out) -> None:
    framework = Framework.objects.filter(code="precursor-control").order_by("-version").first()
    pe = Engagement.objects.filter(title=PE_ENGAGEMENT).first()
    if framework is None or pe is None:
        out.write("assessments: skipped (no framework or no Peru engagement)")
        return
    manager = User.objects.filter(username="manager").first()
    lead = [u for u in (manager, User.objects.filter(username="manager_global").first()) if u]
    peru = {"engagement": pe, "framework": framework, "by": manager, "lead": lead}
    made = _final_assessment(BASELINE, **peru)
    baseline = Assessment.objects.get(title=BASELINE_TITLE)
    if not Roundtable.objects.filter(title=ROUNDTABLE_TITLE).exists():
        roundtable = roundtable_save(
            roundtable=Roundtable(
                engagement=pe,
                assessment=baseline,
                title=ROUNDTABLE_TITLE,
                date=date(2024, 6, 20),
                start_time=time(9, 0),
                end_time=time(13, 0),
                time_zone="America/Lima",
                online=False,
                venue="DEVIDA, Av. Benavides 2199-B, Miraflores, Lima",
                agenda=(
                    "1. Opening by DEVIDA and CICAD\n2. Presentation of the assessment's findings\n"
                    "3. Discussion by dimension\n4. Agreement on measures, responsible agencies and dates"
                ),
                minutes=(
                    "The findings were presented and discussed with 5 national agencies. The participants agreed "
                    "to reactivate the inter-agency committee, to prepare the emergency-scheduling clause, and "
                    "to approve the draft law on disposal of seized chemicals. The measures are tracked in the "
                    "follow-up module."
                ),
            ),
            agencies=list(Agency.objects.filter(country_id="PE")),
        )
        invited = [
            person
            for agency in Agency.objects.filter(country_id="PE").order_by("pk")
            for person in Person.objects.filter(agency=agency).order_by("pk")[:3]
        ]
        roundtable_set_attendance(
            roundtable=roundtable,
            attended={p.pk: i % 5 != 4 for i, p in enumerate(invited)},
            add=invited,
        )
    made += _final_assessment(REASSESSMENT, **peru)
    ec = Engagement.objects.filter(title=EC_ENGAGEMENT).first()
    if ec is not None and not Assessment.objects.filter(title=EC_TITLE).exists():
        draft = assessment_save(
            assessment=Assessment(engagement=ec, framework=framework, title=EC_TITLE, start_date=date(2026, 4, 13)),
            by=manager,
            agencies=list(Agency.objects.filter(country_id="EC")),
            lead_assessors=lead[:1],
        )
        scores_replace(
            assessment=draft,
            entries=[
                ScoreEntry("legal", 3, "Organic law in force; regulation pending."),
                ScoreEntry("trade", 2, "PEN Online used for some exports only."),
            ],
            by=manager,
            partial=True,
        )
    # Render the re-assessment's report in both languages, so the demo has PDFs to download.
    reassessment = Assessment.objects.get(title=REASSESSMENT_TITLE)
    for language in ("es", "en"):
        report_request(
            owner=reassessment,
            kind=assessment_report.KIND,
            language=language,
            fingerprint=assessment_report.assessment_report_fingerprint(reassessment, language),
            by=manager,
        )
    out.write(
        f"assessments: {Assessment.objects.count()} assessments ({len(made)} new), "
        f"{Roundtable.objects.count()} roundtables, {RoundtableAttendance.objects.count()} attendees"
    )
