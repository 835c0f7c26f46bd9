from celery import shared_task

from ta_portal import outbox

from . import certificates
from . import services


@shared_task(name="reports.tasks.render_report")
def render_report(report_id: int) -> str:
    """Render one report (routed to the ``pdf`` queue by the ``*.render_*`` rule)."""
    report = services.report_render(report_id=report_id)
    return report.status if report is not None else "skipped"


@shared_task(name="reports.tasks.redispatch_pending_reports")
def redispatch_pending_reports() -> int:
    """Beat, every minute: queue again the reports requested while the broker was down."""
    return services.reports_redispatch_pending()


# Waiting for a PDF: tried every few seconds for five minutes, then left to the sweep.
PDF_WAITS = 60


@shared_task(bind=True, name="reports.tasks.email_certificate", max_retries=PDF_WAITS)
def email_certificate(self, label: str, certificate_id: int) -> str:
    """E-mail a certificate's PDF to its holder once (see reports.certificates.certificate_email)."""
    outcome = certificates.certificate_email(label, certificate_id)
    if outcome in {"waiting", "failed"} and not self.request.is_eager and self.request.retries < self.max_retries:
        countdown = (
            certificates.PDF_WAIT_SECONDS if outcome == "waiting" else outbox.retry_countdown(self.request.retries)
        )
        raise self.retry(countdown=countdown)
    return outcome


@shared_task(name="reports.tasks.email_pending_certificates")
def email_pending_certificates() -> int:
    """Beat, every ten minutes: hand again to workers the certificates whose e-mail task was lost."""
    return certificates.certificates_email_pending()
