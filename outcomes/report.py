"""The annual progress report: a PDF per programme and year, rendered by the shared reports path
(a Celery task on the ``pdf`` queue with WeasyPrint), registered as report kind ``annual_progress``.

It shows what the programme dashboard shows for that year, for the countries the requester
reaches: targets against actuals, where the programme is behind, trends by year and a summary
per country, with the same charts and tables. Its fingerprint covers every figure, so a ready
report is reused while nothing changed and rendered anew once anything did.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.registry import RenderSpec
from reports.registry import ReportKind
from reports.services import fingerprint

from . import money
from . import presentation
from . import selectors
from .models import AnnualProgressReport

KIND = "annual_progress"
# Raise when the template or its context changes, so stored reports are rendered anew.
TEMPLATE_VERSION = 2


def annual_report_data(owner: AnnualProgressReport, *, today=None) -> dict:
    today = today or timezone.localdate()
    dashboard = selectors.programme_dashboard(
        scope=owner.scope, programme=owner.programme, year=owner.year, today=today
    )
    return {
        "dashboard": dashboard,
        "tables": presentation.programme_tables(dashboard),
        # The financial summary: totals only, over the report's countries (README, "Money").
        "money": money.programme_money(scope=owner.scope, dashboard=dashboard),
    }


def annual_report_fingerprint(owner: AnnualProgressReport, language: str, data: dict) -> str:
    """A hash of every value the report shows (the tables hold every figure and chart value)."""
    tables = {name: [table.header(keys=True), list(table.values())] for name, table in data["tables"].items()}
    programme = owner.programme
    return fingerprint(
        TEMPLATE_VERSION,
        language,
        owner.year,
        owner.scope_key,
        [programme.name, programme.funder, programme.start_date, programme.end_date],
        tables,
        _money_values(data["money"]),
    )


def _money_values(summary: money.ProgrammeMoney) -> list:
    budgets = [[b.pk, b.period_start, b.period_end, b.status, b.currency, b.amount, b.spent] for b in summary.budgets]
    costs = [
        [
            c.currency,
            c.spent,
            c.training_spent,
            c.spent_to_date,
            c.people_trained,
            c.training_days,
            c.measures_implemented,
        ]
        for c in summary.costs
    ]
    return [budgets, costs]


def _countries_label(owner: AnnualProgressReport) -> str:
    return _("every country") if owner.scope.everywhere else ", ".join(sorted(owner.scope.countries))


def build_annual_report(owner: AnnualProgressReport, language: str) -> RenderSpec:
    data = annual_report_data(owner)
    dashboard = data["dashboard"]
    charts = presentation.programme_charts(dashboard)
    country_charts = presentation.country_summary_charts(dashboard)
    return RenderSpec(
        template="outcomes/annual_report.html",
        context={
            "owner": owner,
            "programme": owner.programme,
            "dashboard": dashboard,
            "tables": data["tables"],
            "money": data["money"],
            "charts": charts,
            "country_charts": country_charts,
            "generated_on": timezone.localdate(),
            "countries_label": _countries_label(owner),
        },
        filename=f"annual-progress-{owner.programme.code}-{owner.year}.pdf",
        stylesheets=["outcomes/annual_report.css"],
    )


REPORT_KIND = ReportKind(kind=KIND, build=build_annual_report, visible_owners=AnnualProgressReport.objects.visible_to)
