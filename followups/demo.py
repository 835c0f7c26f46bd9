"""Demo data: the Peru engagement in follow-up, with a schedule, two past rounds (the first
submitted late, the second on time) and a current one, reports verified, returned and waiting,
evidence files, indicators with values and the coordination questionnaire.

The measures agreed at the assessment demo's roundtable are the ones followed up, when that
roundtable exists. Dates are relative to the day the demo is seeded, so there is always a round
open. Skipped when the Peru engagement already has a follow-up schedule.
"""

import io
import uuid
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from PIL import ImageDraw

from accounts.models import User
from assessments.models import Recommendation
from assessments.models import Roundtable
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement

from .models import CoordinationResponse
from .models import FollowupRound
from .models import FollowupSchedule
from .models import Indicator
from .models import IndicatorValue
from .models import Measure
from .models import ReminderKind
from .models import ReminderLog
from .models import StatusUpdate
from .models import add_months
from .services import measure_recompute
from .services import measure_save
from .services import round_open
from .services import status_update_review
from .services import status_update_save

# (key, title, agency acronym, priority, due in days from today, recommendation text starts with, substances)
# fmt: off
MEASURES = [
    ("emergency", "Adopt an emergency-scheduling clause for non-scheduled substances and pre-precursors", "DEVIDA", "high", -140, "Adopt a legal clause allowing", ["Potassium permanganate", "Phenylacetic acid"]),
    ("committee", "Reactivate the inter-agency committee on chemical inputs with quarterly meetings", "DEVIDA", "high", -200, "Reactivate the inter-agency committee", []),
    ("profiles", "Revise the customs risk profiles for chemicals every year with DIRANDRO", "SUNAT", "medium", -40, "Revise the chemical risk profiles", ["Acetone", "Sulphuric acid"]),
    ("inspections", "Adopt an annual risk-based inspection plan with a standard checklist", "SUNAT", "medium", 90, "Adopt an annual risk-based inspection plan", ["Sulphuric acid", "Hydrochloric acid"]),
    ("backtracking", "Give DIRANDRO's precursor unit read access to the register's transaction data", "SUNAT", "high", -20, "Give DIRANDRO", ["Potassium permanganate"]),
    ("disposal", "License two more facilities for the disposal of seized chemicals", "FEDTID", "low", 220, "License at least two more disposal", []),
    ("training", "Train customs and police officers to identify precursor chemicals in the field", "SUNAT", "medium", 200, None, []),
]
# fmt: on

# Per round: {measure key: (status, progress, narrative, evidence kind or "", review)} where review
# is "accept", "return:<comment>" (then reported again and accepted), "returned:<comment>" (left
# returned), "pending" or "draft".
# fmt: off
ROUND_REPORTS = [
    {
        "emergency": ("in_progress", 30, "DEVIDA drafted the clause and shared it with the Ministry of Production.", "", "accept"),
        "committee": ("in_progress", 50, "The committee met in March with SUNAT, DIRANDRO and FEDTID; the next meeting is set.", "pdf", "accept"),
        "profiles": ("not_started", 0, "Waiting for the new risk-management system of SUNAT.", "", "accept"),
        "inspections": ("in_progress", 20, "A working group was set up to draft the plan.", "", "accept"),
        "backtracking": ("not_started", 0, "No progress yet: the data-sharing agreement is under legal review.", "", "accept"),
        "disposal": ("not_started", 0, "No progress yet.", "", "accept"),
        "training": ("not_started", 0, "Training planned for next year.", "", "accept"),
    },
    {
        "emergency": ("partially_implemented", 60, "The clause is in the draft law sent to Congress in April.", "pdf", "accept"),
        "committee": ("implemented", 100, "The committee has met every quarter; minutes and the follow-up table are attached.", "pdf", "accept"),
        "profiles": ("in_progress", 40, "The profiles for acetone and sulphuric acid were revised with DIRANDRO.", "", "accept"),
        "inspections": ("partially_implemented", 50, "The plan for 2026 is approved for Lima and Callao; the regions follow in the second half.", "pdf", "return:Please attach the approved plan and say which regions it covers."),
        "backtracking": ("in_progress", 25, "SUNAT and DIRANDRO signed a letter of intent on data access.", "", "accept"),
        "disposal": ("not_started", 0, "The budget request was not approved this year.", "", "accept"),
        "training": ("in_progress", 30, "Two courses held in Callao and Paita with 38 officers.", "png", "accept"),
    },
    {
        "emergency": ("partially_implemented", 70, "Congress committee approved the draft law; plenary vote pending.", "", "draft"),
        "profiles": ("in_progress", 70, "Profiles revised for five more substances; land border posts next.", "pdf", "pending"),
        "backtracking": ("in_progress", 40, "An agreement with DIRANDRO is ready.", "", "returned:The agreement is mentioned but not attached; please attach the signed text."),
    },
]
# fmt: on

INDICATORS = [
    ("Pre-export notifications sent", "notifications", None, 40, 120, [52, 78]),
    ("Inspections of registered operators", "inspections", None, 60, 150, [70, 96]),
    ("Inter-agency coordinated operations", "operations", None, 2, 8, [3, 5]),
    ("Seizures of potassium permanganate", "kg", "Potassium permanganate", 800, None, [1250.5, 2310]),
]
COORDINATION = [
    (
        {"meetings": 1, "information_exchange": 1, "joint_operations": 0, "mechanism": 1, "industry": 1},
        "The committee met once; information is shared case by case.",
    ),
    (
        {"meetings": 3, "information_exchange": 3, "joint_operations": 2, "mechanism": 3, "industry": 2},
        "Quarterly committee meetings; two joint inspections with DIRANDRO in Callao.",
    ),
]


def tiny_pdf(text: str) -> bytes:
    """A small, valid one-page PDF with a line of text (the demo's evidence)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 56 780 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def tiny_png(label: str) -> bytes:
    """A small PNG (a photo stand-in) with a caption."""
    image = Image.new("RGB", (480, 270), (231, 238, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 200), outline=(20, 54, 93), width=4)
    draw.text((30, 220), label, fill=(20, 54, 93))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _evidence(kind: str, measure: Measure, when) -> list:
    name = measure.title[:40].rstrip().replace(" ", "-").lower()
    if kind == "pdf":
        return [
            SimpleUploadedFile(
                f"{name}-{when:%Y-%m}.pdf", tiny_pdf(f"{measure.title[:70]} - {when:%Y-%m-%d}"), "application/pdf"
            )
        ]
    if kind == "png":
        return [SimpleUploadedFile(f"{name}-photo.png", tiny_png(measure.title[:60]), "image/png")]
    return []


def _stamp(update: StatusUpdate, when, reviewed=None) -> None:
    fields = {"created_at": when - timedelta(days=1), "updated_at": when}
    if update.submitted_at:
        fields["submitted_at"] = when
    if reviewed:
        fields["reviewed_at"] = reviewed
    StatusUpdate.objects.filter(pk=update.pk).update(**fields)


@transaction.atomic
def seed(out) -> None:
    engagement = Engagement.objects.filter(country_id="PE", phase=Engagement.Phase.FOLLOW_UP).order_by("pk").first()
    manager = User.objects.filter(username="manager").first()
    counterpart = User.objects.filter(username="counterpart").first()
    if engagement is None or manager is None or counterpart is None:
        out.write("followups: skipped (no Peru engagement in follow-up or no demo users)")
        return
    if FollowupSchedule.objects.filter(engagement=engagement).exists():
        out.write("followups: the demo exists already")
        return
    today = timezone.localdate()
    roundtable = Roundtable.objects.filter(engagement=engagement).order_by("date", "pk").first()
    recommendations = list(Recommendation.objects.filter(finding__assessment__engagement=engagement))
    agencies = {a.acronym: a for a in Agency.objects.filter(country_id="PE")}

    measures = {}
    for key, title, acronym, priority, due_in, recommendation_start, substances in MEASURES:
        recommendation = None
        if recommendation_start:
            recommendation = next((r for r in recommendations if r.text.startswith(recommendation_start)), None)
        measure = Measure(
            engagement=engagement,
            title=title,
            responsible_agency=agencies.get(acronym),
            priority=priority,
            due_date=today + timedelta(days=due_in),
            roundtable=roundtable if recommendation_start and roundtable else None,
            recommendation=recommendation,
        )
        measures[key] = measure_save(
            measure=measure, by=manager, substances=list(ControlledSubstance.objects.filter(name__in=substances))
        )

    # Rounds every six months; the current one opened two weeks ago.
    current_opens = today - timedelta(days=15)
    schedule = FollowupSchedule.objects.create(
        engagement=engagement,
        start_date=add_months(current_opens, -12),
        cadence_months=6,
        response_days=30,
        updated_by=manager,
    )
    rounds = []
    for period, report in enumerate(ROUND_REPORTS, start=1):
        opens_on = schedule.opens_on(period)
        round_ = round_open(
            engagement=engagement,
            due_date=opens_on + timedelta(days=schedule.response_days),
            opens_on=opens_on,
            schedule=schedule,
            period=period,
            notify=False,
        )
        FollowupRound.objects.filter(pk=round_.pk).update(opened_at=timezone.make_aware(_midnight(opens_on)))
        # The first round came in twelve days late, the second five days early.
        reported_on = {1: round_.due_date + timedelta(days=12), 2: round_.due_date - timedelta(days=5)}.get(
            period, today - timedelta(days=3)
        )
        when = timezone.make_aware(_midnight(reported_on)) + timedelta(hours=10)
        for key, (status, pct, narrative, evidence, review) in report.items():
            _report(measures[key], round_, counterpart, manager, status, pct, narrative, evidence, review, when)
        round_.refresh_from_db()
        if round_.submitted_at:
            FollowupRound.objects.filter(pk=round_.pk).update(submitted_at=when + timedelta(hours=1))
        _reminders_sent(round_, counterpart, reported_on)
        rounds.append(round_)

    for name, unit, substance, baseline, target, values in INDICATORS:
        indicator = Indicator.objects.create(
            engagement=engagement,
            name=name,
            unit=unit,
            substance=ControlledSubstance.objects.filter(name=substance).first() if substance else None,
            baseline=baseline,
            target=target,
            order=len(values),
        )
        for round_, value in zip(rounds, values, strict=False):
            IndicatorValue.objects.create(indicator=indicator, round=round_, value=value, reported_by=counterpart)
    for round_, (answers, comment) in zip(rounds, COORDINATION, strict=False):
        CoordinationResponse.objects.create(round=round_, **answers, comment=comment, answered_by=counterpart)
    # Each past round was closed when the next one opened.
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        FollowupRound.objects.filter(pk=earlier.pk).update(closed_at=timezone.make_aware(_midnight(later.opens_on)))
    out.write(
        f"followups: {Measure.objects.filter(engagement=engagement).count()} measures, {len(rounds)} rounds, "
        f"{StatusUpdate.objects.filter(measure__engagement=engagement).count()} status updates"
        + (f", agreed at “{roundtable}”" if roundtable else "")
    )


def _midnight(day):
    return datetime.combine(day, time(0, 0))


def _report(measure, round_, counterpart, manager, status, pct, narrative, evidence, review, when):  # noqa: PLR0917
    report = {"measure": measure, "round_": round_, "by": counterpart, "status": status, "progress_pct": pct}
    submit = review != "draft"
    update = status_update_save(**report, narrative=narrative, files=_evidence(evidence, measure, when), submit=submit)
    _stamp(update, when)
    if not submit:
        return
    reviewed = when + timedelta(days=2)
    if review == "accept":
        status_update_review(update=update, by=manager, accept=True)
        _stamp(update, when, reviewed)
    elif review.startswith(("returned:", "return:")):
        status_update_review(update=update, by=manager, accept=False, comment=review.split(":", 1)[1])
        _stamp(update, when, reviewed)
        ReminderLog.objects.filter(status_update=update).update(status=ReminderLog.Status.SENT, sent_at=reviewed)
    if review.startswith("return:"):
        again = when + timedelta(days=4)
        corrected = status_update_save(
            **report,
            narrative=narrative + " The approved plan is attached; it covers Lima, Callao, Arequipa and Cusco.",
            files=_evidence("pdf", measure, again),
            submit=True,
        )
        _stamp(corrected, again)
        status_update_review(update=corrected, by=manager, accept=True)
        _stamp(corrected, again, again + timedelta(days=1))
    measure_recompute(measure)


def _reminders_sent(round_, counterpart, reported_on) -> None:
    """The reminders the daily job would have sent before the round was reported."""
    stages = [
        (ReminderKind.OPENED, round_.opens_on),
        (ReminderKind.before(14), round_.due_date - timedelta(days=14)),
        (ReminderKind.before(3), round_.due_date - timedelta(days=3)),
        (ReminderKind.OVERDUE, round_.due_date + timedelta(days=1)),
    ]
    token = uuid.uuid4()
    rows = []
    for kind, day in stages:
        if day > reported_on or day > timezone.localdate():
            continue
        at = timezone.make_aware(_midnight(day)) + timedelta(hours=7, minutes=13)
        rows.append(
            ReminderLog(
                round=round_,
                recipient=counterpart,
                kind=kind,
                email=counterpart.email,
                status=ReminderLog.Status.SENT,
                attempts=1,
                claim_token=token,
                created_at=at,
                updated_at=at,
                sent_at=at,
            )
        )
    ReminderLog.objects.bulk_create(rows, ignore_conflicts=True)
