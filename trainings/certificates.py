"""Certificates: issued by a service, rendered to PDF by the shared reports pipeline (Celery, WeasyPrint).

The PDF is a ``reports.Report`` of kind ``certificate`` owned by the certificate; its download is
access-checked by the reports app against ``Certificate.objects.editable_by(user)``: those who
run the session (the PDF names the participant).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils import translation

from reports import registry
from reports.models import Report
from reports.services import fingerprint
from reports.services import report_request
from ta_portal import datacache
from ta_portal.mail import site_url

from . import services
from .models import Certificate
from .models import Enrolment
from .models import TrainingSession

KIND = "certificate"


def _certificate_data(certificate: Certificate) -> dict:
    enrolment = certificate.enrolment
    session = enrolment.session
    return {
        "code": certificate.code,
        "name": enrolment.person.full_name,
        "title": session.course.local_title if session.course else session.title,
        "session": session.title,
        "kind": session.kind,
        "start": session.start_date,
        "end": session.end_date,
        "venue": session.venue,
        "hours": session.course.duration_hours if session.course else None,
        "issued": certificate.issued_at.date(),
        "revoked": certificate.revoked_at is not None,
    }


def build_certificate(certificate: Certificate, language: str) -> registry.RenderSpec:
    data = _certificate_data(certificate)
    return registry.RenderSpec(
        template="trainings/certificate_pdf.html",
        context={
            "data": data,
            "session": certificate.enrolment.session,
            "verify_url": site_url(certificate.get_verify_url()),
        },
        filename=f"certificate-{certificate.code}.pdf",
        stylesheets=["trainings/certificate.css"],
    )


def register() -> None:
    registry.register(
        registry.ReportKind(kind=KIND, build=build_certificate, visible_owners=Certificate.objects.editable_by)
    )


def certificate_request_pdf(*, certificate: Certificate, by, language: str | None = None):
    """The certificate's PDF (reused while its data is unchanged), rendered in a worker."""
    certificate = Certificate.objects.select_related("enrolment__person", "enrolment__session__course").get(
        pk=certificate.pk
    )
    language = language or certificate.enrolment.session.language or translation.get_language()
    with translation.override(language):  # the data as the PDF will show it (the course title)
        data = _certificate_data(certificate)
    return report_request(owner=certificate, kind=KIND, language=language, fingerprint=fingerprint(data), by=by)


@transaction.atomic
def certificates_issue_and_render(*, session: TrainingSession, by) -> list[Certificate]:
    issued = services.certificates_issue(session=session, by=by)
    for certificate in issued:
        certificate_request_pdf(certificate=certificate, by=by)
    return issued


def certificates_request_missing_pdfs(*, session: TrainingSession, by) -> int:
    """Ask for the PDF of every valid certificate of the session (ready ones are reused, not redone)."""
    valid = Certificate.objects.filter(enrolment__session=session, revoked_at__isnull=True)
    for certificate in valid:
        certificate_request_pdf(certificate=certificate, by=by)
    return len(valid)


def certificate_revoke(*, certificate: Certificate) -> None:
    Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    datacache.changed(Certificate)


def certificate_rows(session: TrainingSession) -> list[dict]:
    """Each participant: eligible or not (and why), their certificate and its latest PDF."""
    enrolments = list(
        Enrolment.objects.filter(session=session).select_related("person", "certificate").order_by("person__full_name")
    )
    certificate_ids = [e.certificate.pk for e in enrolments if hasattr(e, "certificate")]
    latest = {}
    reports = Report.objects.filter(owner_type__model="certificate", owner_type__app_label="trainings", kind=KIND)
    for report in reports.filter(owner_id__in=certificate_ids).order_by("created_at", "pk"):
        latest[report.owner_id] = report
    rows = []
    for enrolment in enrolments:
        certificate = getattr(enrolment, "certificate", None)
        attendance = enrolment.attendance_pct(session.days)
        rows.append(
            {
                "enrolment": enrolment,
                "attendance": attendance,
                "attended": (attendance or 0) >= session.attendance_threshold_pct,
                "passed": enrolment.post_score is not None and enrolment.post_score >= session.pass_mark,
                "eligible": services.certificate_eligible(enrolment, session),
                "certificate": certificate,
                "report": latest.get(certificate.pk) if certificate else None,
            }
        )
    return rows
