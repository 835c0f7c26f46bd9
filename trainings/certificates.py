"""Certificates of training sessions: issued by a service, rendered, found and e-mailed through the
path every certificate of the portal shares (``reports.certificates``).

The PDF is a ``reports.Report`` of kind ``certificate`` owned by the certificate; its download is
access-checked by the reports app against ``Certificate.objects.editable_by(user)``: those who
run the session (the PDF names the participant), and never once the certificate is revoked.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reports import certificates as shared
from reports.models import Report

from . import services
from .access import can_revoke_certificate
from .models import Certificate
from .models import Enrolment
from .models import TrainingSession

KIND = "certificate"


def register() -> None:
    shared.register(Certificate, report_kind=KIND, visible_owners=Certificate.objects.editable_by)


def certificate_request_pdf(*, certificate: Certificate, by, language: str | None = None) -> Report:
    """The certificate's PDF in its holder's language (reused while its data is unchanged), rendered in a worker."""
    certificate = Certificate.objects.select_related(
        "enrolment__person__user", "enrolment__session__course", "enrolment__session__engagement__programme"
    ).get(pk=certificate.pk)
    return shared.certificate_request_pdf(certificate=certificate, by=by, language=language)


@transaction.atomic
def certificates_issue_and_render(*, session: TrainingSession, by) -> list[Certificate]:
    """Issue the certificates due, ask for their PDFs and, once committed, e-mail each to its holder."""
    issued = services.certificates_issue(session=session, by=by)
    for certificate in issued:
        certificate_request_pdf(certificate=certificate, by=by)
    shared.email_on_commit(issued)
    return issued


def certificates_request_missing_pdfs(*, session: TrainingSession, by) -> int:
    """Ask for the PDF of every valid certificate of the session (ready ones are reused, not redone)."""
    valid = Certificate.objects.filter(enrolment__session=session, revoked_at__isnull=True)
    for certificate in valid:
        certificate_request_pdf(certificate=certificate, by=by)
    return len(valid)


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> bool:
    """Revoke with a reason (required); its PDF is no longer offered, its code then says it was revoked."""
    if by is not None and not can_revoke_certificate(by, certificate):
        raise PermissionDenied
    return shared.certificate_revoke(certificate=certificate, by=by, reason=reason)


def certificate_rows(session: TrainingSession) -> list[dict]:
    """Each participant: eligible or not (and why), their valid certificate and its latest PDF, and
    the certificates revoked before."""
    enrolments = list(Enrolment.objects.filter(session=session).select_related("person").order_by("person__full_name"))
    certificates: dict[int, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(enrolment__session=session).order_by("issued_at", "pk"):
        certificates.setdefault(certificate.enrolment_id, []).append(certificate)
    valid = {e.pk: next((c for c in certificates.get(e.pk, []) if c.is_valid), None) for e in enrolments}
    latest = {}
    reports = Report.objects.filter(owner_type__model="certificate", owner_type__app_label="trainings", kind=KIND)
    ids = [c.pk for c in valid.values() if c]
    for report in reports.filter(owner_id__in=ids).order_by("created_at", "pk"):
        latest[report.owner_id] = report
    has_exam = services.session_has_exam(session)
    rows = []
    for enrolment in enrolments:
        certificate = valid[enrolment.pk]
        attendance = enrolment.attendance_pct(session.days)
        rows.append(
            {
                "enrolment": enrolment,
                "attendance": attendance,
                "attended": (attendance or 0) >= session.attendance_threshold_pct,
                "passed": enrolment.post_score is not None and enrolment.post_score >= session.pass_mark,
                "eligible": services.certificate_eligible(enrolment, session, has_exam=has_exam),
                "certificate": certificate,
                "revoked": [c for c in certificates.get(enrolment.pk, []) if not c.is_valid],
                "report": latest.get(certificate.pk) if certificate else None,
            }
        )
    return rows
