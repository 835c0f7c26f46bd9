from celery import shared_task

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
