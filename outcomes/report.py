"""The annual progress report: a PDF per programme and year, rendered by the shared reports path
(a Celery task on the ``pdf`` queue with WeasyPrint), registered as report kind ``annual_progress``.

It shows what the programme dashboard shows for that year, for the countries the requester
reaches: targets against actuals, where the programme is behind, trends by year and a summary
per country, with the same charts and tables; then each objective with the narrative managers
wrote for the year and its indicators' targets against actuals. Its fingerprint covers every figure, so a ready
report is reused while nothing changed and rendered anew once anything did.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports.registry import RenderSpec
from reports.registry import ReportKind
from reports.services import fingerprint

from . import money
from . import presentation
from . import selectors
from .figures import year_end
from .indicator_display import IndicatorBlock
from .indicator_display import indicator_blocks
from .models import AnnualProgressReport
from .models import ObjectiveNarrative
from .models import ProgrammeObjective

KIND = "annual_progress"
# Raise when the template or its context changes, so stored reports are rendered anew.
TEMPLATE_VERSION = 3


@dataclass
class ObjectiveSection:
    """An objective in the report: what managers wrote of the year, and its indicators."""

    objective: ProgrammeObjective
    narrative: list[tuple[str, str, str]]  # (heading, text, language code of the text)
    indicators: list[IndicatorBlock]


def objective_sections(owner: AnnualProgressReport, *, today, language: str) -> list[ObjectiveSection]:
    programme = owner.programme
    objectives = list(ProgrammeObjective.objects.filter(programme=programme))
    narratives = {
        n.objective_id: n for n in ObjectiveNarrative.objects.filter(objective__in=objectives, year=owner.year)
    }
    blocks = indicator_blocks(
        selectors.programme_indicators(programme), scope=owner.scope, today=today, until=year_end(owner.year)
    )
    sections = []
    headings = (("achievements", _("Achievements")), ("challenges", _("Challenges")), ("lessons", _("Lessons learned")))
    for objective in objectives:
        narrative = narratives.get(objective.pk)
        texts = []
        if narrative is not None:
            for field, heading in headings:
                text, written_in = narrative.text(field, language)
                if text:
                    texts.append((str(heading), text, written_in))
        sections.append(
            ObjectiveSection(objective, texts, [b for b in blocks if b.indicator.objective_id == objective.pk])
        )
    return sections


def annual_report_data(owner: AnnualProgressReport, *, today=None, language: str | None = None) -> dict:
    today = today or timezone.localdate()
    dashboard = selectors.programme_dashboard(
        scope=owner.scope, programme=owner.programme, year=owner.year, today=today
    )
    return {
        "dashboard": dashboard,
        "tables": presentation.programme_tables(dashboard),
        # The financial summary: totals only, over the report's countries (README, "Money").
        "money": money.programme_money(scope=owner.scope, dashboard=dashboard),
        "objectives": objective_sections(owner, today=today, language=language or get_language() or "en"),
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
        [
            [
                section.objective.code,
                section.objective.title,
                section.narrative,
                [[b.indicator.code, b.name, b.baseline, b.periods] for b in section.indicators],
            ]
            for section in data["objectives"]
        ],
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
    data = annual_report_data(owner, language=language)
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
            "objectives": data["objectives"],
        },
        filename=f"annual-progress-{owner.programme.code}-{owner.year}.pdf",
        stylesheets=["outcomes/annual_report.css"],
    )


REPORT_KIND = ReportKind(kind=KIND, build=build_annual_report, visible_owners=AnnualProgressReport.objects.visible_to)
