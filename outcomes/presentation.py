"""What the dashboards show, built once from a dashboard's figures: the tables (which the page
renders and the exports write, so both always agree) and the charts (which the page and the
annual report PDF embed). Nothing here queries the database.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.charts import Series
from reports.charts import bar_chart
from reports.charts import line_chart
from reports.charts import paired_dot_plot
from reports.charts import radar_chart
from ta_portal.figures import shown_value
from ta_portal.tabular import Column
from ta_portal.tabular import Table
from trainings.statistics import SUMMARY_KEYS

from . import figures
from .charts import Progress
from .charts import TimelineBar
from .charts import TimelineRow
from .charts import progress_chart
from .charts import timeline_chart
from .columns import PHASE_LABELS
from .columns import SEX_LABELS
from .columns import columns
from .selectors import PHASES
from .selectors import CountryDashboard
from .selectors import ProgrammeDashboard
from .targets import STATUS_LABELS as TARGET_STATUS

STATUS_LABELS = {
    "not_started": gettext_lazy("Not started"),
    "in_progress": gettext_lazy("In progress"),
    "partially_implemented": gettext_lazy("Partially implemented"),
    "implemented": gettext_lazy("Implemented"),
    "not_implemented": gettext_lazy("Not implemented"),
    "cancelled": gettext_lazy("Cancelled"),
}
# The phone-friendly width of the charts: their text stays legible when scaled to a small screen.
CHART_WIDTH = 440


# --- Programme dashboard ---------------------------------------------------------------------------------


def programme_tables(dashboard: ProgrammeDashboard) -> dict[str, Table]:
    return {
        "targets": targets_table(dashboard),
        "countries": countries_table(dashboard),
        "countries_by_sex": countries_by_sex_table(dashboard),
        "trends": trends_table(dashboard),
    }


def targets_table(dashboard: ProgrammeDashboard) -> Table:
    return Table.read(
        "targets",
        _("Targets against actuals"),
        columns(
            "target",
            "status",
            "actual",
            "comparison",
            "target_value",
            "expected",
            "unit",
            "level",
            "metric",
            "session_kind",
            "country",
            "objective_code",
            "objective",
            "period_start",
            "period_end",
            "counted_to",
        ),
        dashboard.evaluations,
        sheet=_("Targets"),
        extra=lambda evaluation: {"_status_label": evaluation.status_label},
    )


def _row_training(*keys: str) -> list[Column]:
    """Training figures of a country's or a year's row (they sit in its ``training`` block)."""
    return [column.within("training") for column in columns(*keys)]


def countries_table(dashboard: ProgrammeDashboard) -> Table:
    return Table.read(
        "countries",
        _("Countries in %(year)s") % {"year": dashboard.year},
        [
            *columns("code", "name", "engagements", "phases", "sessions", "people", "paired_results"),
            *_row_training("pre_mean_pct", "post_mean_pct", "mean_gain_pct", "normalized_gain", "post_pass_rate"),
            *columns("measures", "implemented", "implementation_rate", "rounds_due", "rounds_on_time"),
            *columns("compliance_rate", "maturity_change", "targets_behind", "behind_on", "status"),
        ],
        dashboard.countries,
        sheet=_("Countries"),
        extra=lambda row: {
            "_link_name": reverse("outcomes:country", args=[row.code]) + f"?year={dashboard.year}",
            "_status_label": _status_label(row.status),
        },
    )


def _status_label(status: str) -> str:
    return str(TARGET_STATUS.get(status, status))


def countries_by_sex_table(dashboard: ProgrammeDashboard) -> Table:
    groups = [
        {"code": row.code, "name": row.name, "sex": str(SEX_LABELS.get(sex, sex)), **block}
        for row in dashboard.countries
        for sex, block in row.training["by_sex"].items()
    ]
    return Table.read(
        "countries_by_sex",
        _("Training results by country and sex, %(year)s") % {"year": dashboard.year},
        columns("code", "name", "sex", *SUMMARY_KEYS),
        groups,
        sheet=_("Countries by sex"),
    )


def trends_table(dashboard: ProgrammeDashboard) -> Table:
    return Table.read(
        "trends",
        _("Trends by year"),
        [
            *columns("year", "sessions", "people", "paired_results"),
            *_row_training("pre_mean_pct", "post_mean_pct", "mean_gain_pct", "post_pass_rate"),
            *columns("measures_agreed", "implementation_rate_at_year_end", "rounds_due", "compliance_rate"),
            *columns("coordination", "assessments", "maturity_change"),
        ],
        dashboard.trends,
        sheet=_("Trends"),
    )


def prepost_rows(first: list, groups: dict, labels) -> list[tuple]:
    """The (label, pre-test mean, post-test mean) rows a paired dot plot draws, as shown."""
    named = [*first, *((labels.get(key, str(key)), f_) for key, f_ in groups.items())]
    return [
        (str(label), shown_value(f_["pre_mean_pct"], "pct"), shown_value(f_["post_mean_pct"], "pct"))
        for label, f_ in named
    ]


def programme_charts(dashboard: ProgrammeDashboard) -> dict:
    charts = {}
    if dashboard.evaluations:
        charts["targets"] = progress_chart(
            items=[
                Progress(
                    label=e.target.title,
                    actual=shown_value(e.actual, "short"),
                    target=shown_value(e.target_value, "short"),
                    expected=shown_value(e.expected, "short"),
                    status=e.status,
                    status_label=e.status_label,
                )
                for e in dashboard.evaluations
            ],
            title=_("Targets against actuals, %(year)s") % {"year": dashboard.year},
            chart_id="chart-targets",
            width=CHART_WIDTH,
        )
    trends = dashboard.trends
    if trends:
        categories = [str(row.year) for row in trends]
        post_mean, pass_rate = _row_training("post_mean_pct", "post_pass_rate")
        implemented, on_time = columns("implementation_rate", "compliance_rate")
        charts["training_trend"] = _percent_lines(
            categories,
            [_series(_("Post-test mean"), post_mean, trends), _series(_("Pass rate"), pass_rate, trends)],
            title=_("Training results by year (%)"),
        )
        charts["followup_trend"] = _percent_lines(
            categories,
            [_series(_("Measures implemented"), implemented, trends), _series(_("Rounds on time"), on_time, trends)],
            title=_("Measures implemented and follow-up on time by year (%)"),
        )
        charts["people"] = bar_chart(
            items=[(str(r.year), r.people) for r in trends],
            title=_("People trained by year"),
            width=CHART_WIDTH,
            label_width=60,
        )
    return charts


def _series(label: str, column: Column, rows) -> Series:
    """A chart's series: one column of the rows, each value as the display policy shows it."""
    return Series(label, [shown_value(column.read(row), column.kind) for row in rows])


def _percent_lines(categories: list[str], series: list[Series], *, title: str) -> SafeString:
    """Percentages by year as lines."""
    return line_chart(
        categories=categories, series=series, max_value=100, unit="%", title=title, width=CHART_WIDTH, height=260
    )


def country_summary_charts(dashboard: ProgrammeDashboard) -> dict:
    """Per country of the programme: pre- and post-test means by sex in the year (annual report)."""
    charts = {}
    for row in dashboard.countries:
        training = row.training
        if not training["n_paired"]:
            continue
        rows = prepost_rows([(_("All participants"), training)], training["by_sex"], SEX_LABELS)
        charts[row.code] = paired_dot_plot(
            rows=rows,
            labels=(_("Pre-test"), _("Post-test")),
            unit="%",
            title=_("%(country)s: pre- and post-test mean by sex (%%)") % {"country": row.name},
            width=CHART_WIDTH,
            label_width=120,
        )
    return charts


# --- Country dashboard ------------------------------------------------------------------------------------


def country_tables(dashboard: CountryDashboard) -> dict[str, Table]:
    return {
        "engagements": engagements_table(dashboard),
        "maturity": maturity_table(dashboard),
        "training": training_table(dashboard),
        "training_by_agency": training_by_agency_table(dashboard),
        "measures": measures_table(dashboard),
        "rounds": rounds_table(dashboard),
        "indicators": indicators_table(dashboard),
    }


def engagements_table(dashboard: CountryDashboard) -> Table:
    rows = []
    for timeline in dashboard.timelines:
        engagement = timeline.engagement
        row = {
            "engagement__title": engagement.title,
            "_link_engagement__title": reverse("engagements:detail", args=[engagement.id]),
            "current_phase": str(PHASE_LABELS.get(engagement.phase, engagement.phase)),
            "start_date": engagement.start_date,
            "end_date": engagement.end_date,
        }
        for span in timeline.spans:
            row[f"{span.phase}_from"] = span.start
            row[f"{span.phase}_to"] = span.end
            row[f"{span.phase}_what"] = span.detail
        rows.append(row)
    phase_columns = [
        Column(f"{phase}_{part}", label % {"phase": PHASE_LABELS[phase]}, kind)
        for phase in PHASES
        for part, label, kind in (
            ("from", _("%(phase)s from"), "date"),
            ("to", _("%(phase)s to"), "date"),
            ("what", _("%(phase)s: what"), "text"),
        )
    ]
    return Table(
        "engagements",
        _("Engagements through the four phases"),
        [*columns("engagement__title", "current_phase", "start_date", "end_date"), *phase_columns],
        rows,
        sheet=_("Engagements"),
    )


def maturity_table(dashboard: CountryDashboard) -> Table:
    block = dashboard.maturity
    codes = list(dict.fromkeys([*block["baseline"], *block["latest"]]))
    rows = [
        {
            "code": code,
            "dimension": dashboard.dimension_names.get(code, code),
            **{part: block[part].get(code) for part in ("baseline", "latest", "change")},
        }
        for code in codes
    ]
    return Table(
        "maturity",
        _("Maturity: baseline and latest assessment"),
        columns("code", "dimension", "baseline", "latest", "change"),
        rows,
        sheet=_("Maturity"),
    )


def training_table(dashboard: CountryDashboard) -> Table:
    block = dashboard.training
    groups = [
        (_("All participants"), block),
        *((SEX_LABELS.get(sex, sex), group_figures) for sex, group_figures in block["by_sex"].items()),
    ]
    return _groups_table("training", _("Training gains by sex"), "participants", groups, sheet=_("Training by sex"))


def training_by_agency_table(dashboard: CountryDashboard) -> Table:
    groups = sorted(
        (
            (dashboard.agency_names.get(agency, str(agency)), group_figures)
            for agency, group_figures in dashboard.training["by_agency"].items()
        ),
        key=lambda group: str(group[0]).lower(),
    )
    return _groups_table(
        "training_by_agency", _("Training gains by agency"), "agency", groups, sheet=_("Training by agency")
    )


def _groups_table(name: str, title: str, group: str, groups: list[tuple], *, sheet: str) -> Table:
    """The training figures of groups of participants, a row each, the group named first."""
    rows = [{group: str(label), **figures_} for label, figures_ in groups]
    return Table.read(name, title, columns(group, *SUMMARY_KEYS), rows, sheet=sheet)


def measures_table(dashboard: CountryDashboard) -> Table:
    verified = dashboard.verified or {}
    counts = [
        (str(STATUS_LABELS[status]), count, verified.get("by_status", {}).get(status))
        for status, count in dashboard.measures["by_status"].items()
    ]
    counts.append((_("Total"), dashboard.measures["total"], verified.get("total")))
    return Table(
        "measures",
        _("Measures by status"),
        columns("measure_status", "reported", "verified_by_manager"),
        [
            {"measure_status": status, "reported": reported, "verified_by_manager": verified_count}
            for status, reported, verified_count in counts
        ],
        sheet=_("Measures"),
    )


def rounds_table(dashboard: CountryDashboard) -> Table:
    rows = []
    for r in dashboard.rounds:
        if r.submitted_on is not None:
            on_time = _("Yes") if r.submitted_on <= r.due_date else _("Late")
        else:
            on_time = _("Not submitted") if r.due_date < dashboard.today else _("Open")
        rows.append(
            {
                "engagement__title": dashboard.engagement_names.get(r.engagement_id, ""),
                "opens_on": r.opens_on,
                "due_date": r.due_date,
                "submitted_on": r.submitted_on,
                "on_time": on_time,
                "coordination": figures.coordination_score(r.coordination_points),
            }
        )
    return Table(
        "rounds",
        _("Follow-up rounds"),
        columns("engagement__title", "opens_on", "due_date", "submitted_on", "on_time", "coordination"),
        rows,
        sheet=_("Rounds"),
    )


def indicators_table(dashboard: CountryDashboard) -> Table:
    rows = []
    for series in dashboard.indicators:
        indicator = {
            "indicator__name": series.name,
            "indicator__unit": series.unit,
            "indicator__baseline": series.baseline,
            "indicator__target": series.target,
        }
        for day, value in series.points or [(None, None)]:
            rows.append({**indicator, "round__due_date": day, "value": value})
    return Table(
        "indicators",
        _("Indicator values by round"),
        columns(
            "indicator__name",
            "indicator__unit",
            "indicator__baseline",
            "indicator__target",
            "round__due_date",
            "value",
        ),
        rows,
        sheet=_("Indicators"),
    )


def country_charts(dashboard: CountryDashboard) -> dict:
    charts = {}
    timelines = [t for t in dashboard.timelines if t.spans]
    if timelines:
        start = min(span.start for t in timelines for span in t.spans)
        end = max(span.end for t in timelines for span in t.spans)
        charts["timeline"] = timeline_chart(
            rows=[
                TimelineRow(
                    t.engagement.title,
                    [TimelineBar(s.phase, str(PHASE_LABELS[s.phase]), s.start, s.end) for s in t.pieces],
                )
                for t in timelines
            ],
            start=start.replace(month=1, day=1),
            end=end.replace(month=12, day=31),
            title=_("Engagements through the four phases"),
            chart_id="chart-timeline",
            width=CHART_WIDTH,
        )
    block = dashboard.maturity
    codes = list(dict.fromkeys([*block["baseline"], *block["latest"]]))
    if len(codes) >= 3:
        series = [Series(_("Baseline"), [shown_value(block["baseline"].get(c), "level") for c in codes])]
        if block["change"]:
            series.append(Series(_("Latest"), [shown_value(block["latest"].get(c), "level") for c in codes]))
        charts["maturity"] = radar_chart(
            axes=[dashboard.dimension_names.get(c, c) for c in codes],
            series=series,
            max_value=5,
            title=_("Maturity by dimension (levels 1–5): baseline and latest"),
            size=CHART_WIDTH,
        )
    training = dashboard.training
    if training["n_paired"]:
        rows = prepost_rows([(_("All participants"), training)], training["by_sex"], SEX_LABELS)
        charts["training_by_sex"] = paired_dot_plot(
            rows=rows,
            labels=(_("Pre-test"), _("Post-test")),
            unit="%",
            title=_("Pre- and post-test mean by sex (%)"),
            width=CHART_WIDTH,
            label_width=120,
        )
        agency_rows = prepost_rows([], training["by_agency"], dashboard.agency_names)
        if agency_rows:
            charts["training_by_agency"] = paired_dot_plot(
                rows=sorted(agency_rows, key=lambda r: str(r[0]).lower()),
                labels=(_("Pre-test"), _("Post-test")),
                unit="%",
                title=_("Pre- and post-test mean by agency (%)"),
                width=CHART_WIDTH,
                label_width=120,
            )
    if dashboard.measures["total"]:
        charts["measures"] = bar_chart(
            items=[(str(STATUS_LABELS[s]), n) for s, n in dashboard.measures["by_status"].items()],
            title=_("Measures by reported status"),
            width=CHART_WIDTH,
            label_width=160,
        )
    if dashboard.coordination:
        charts["coordination"] = line_chart(
            categories=[day.isoformat() for day, _score in dashboard.coordination],
            series=[
                Series(_("Coordination score"), [shown_value(score, "score") for _day, score in dashboard.coordination])
            ],
            max_value=100,
            title=_("Inter-agency coordination score by round (0–100)"),
            width=CHART_WIDTH,
            height=240,
        )
    charts["indicators"] = [
        (
            series,
            line_chart(
                categories=[day.isoformat() for day, _v in series.points],
                series=[Series(series.name, [v for _d, v in series.points])],
                title=f"{series.name} ({series.unit})" if series.unit else series.name,
                width=CHART_WIDTH,
                height=220,
            ),
        )
        for series in dashboard.indicators
        if len(series.points) >= 2
    ]
    return charts
