"""What the dashboards show, built once from a dashboard's figures: the tables (which the page
renders and the exports write, so both always agree) and the charts (which the page and the
annual report PDF embed). Nothing here queries the database.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from engagements.models import Engagement
from reports.charts import Series, bar_chart, line_chart, paired_dot_plot, radar_chart
from ta_portal.figures import shown_value
from ta_portal.tabular import Column, Table

from . import figures
from .charts import Progress, TimelineBar, TimelineRow, progress_chart, timeline_chart
from .models import ActivityTarget, OutcomeTarget
from .selectors import CountryDashboard, ProgrammeDashboard
from .targets import STATUS_LABELS as TARGET_STATUS

SEX_LABELS = {
    "female": gettext_lazy("Female"),
    "male": gettext_lazy("Male"),
    "other": gettext_lazy("Other"),
    "undisclosed": gettext_lazy("Undisclosed"),
}
STATUS_LABELS = {
    "not_started": gettext_lazy("Not started"),
    "in_progress": gettext_lazy("In progress"),
    "partially_implemented": gettext_lazy("Partially implemented"),
    "implemented": gettext_lazy("Implemented"),
    "not_implemented": gettext_lazy("Not implemented"),
    "cancelled": gettext_lazy("Cancelled"),
}
PHASE_LABELS = dict(Engagement.Phase.choices)
METRIC_LABELS = {**dict(ActivityTarget.Metric.choices), **dict(OutcomeTarget.Metric.choices)}
# The phone-friendly width of the charts: their text stays legible when scaled to a small screen.
CHART_WIDTH = 440


def training_columns() -> list[Column]:
    """The pre/post figures as columns: dashboards, the list export of sessions, the report."""
    return [
        Column("n_enrolled", _("Enrolled"), "int"),
        Column("n_pre", _("With pre-test"), "int"),
        Column("n_post", _("With post-test"), "int"),
        Column("n_paired", _("Paired"), "int"),
        Column("pre_mean_pct", _("Pre-test mean (%)"), "pct"),
        Column("post_mean_pct", _("Post-test mean (%)"), "pct"),
        Column("mean_gain_pct", _("Mean gain (points)"), "gain"),
        Column("normalized_gain", _("Normalized gain"), "num"),
        Column("cohens_dz", _("Effect size (Cohen's dz)"), "num"),
        Column("p_value", _("p-value (paired t-test)"), "p"),
        Column("post_pass_rate", _("Post-test pass rate"), "rate"),
    ]


# --- Programme dashboard ---------------------------------------------------------------------------------


def programme_tables(dashboard: ProgrammeDashboard) -> dict[str, Table]:
    return {
        "targets": targets_table(dashboard),
        "countries": countries_table(dashboard),
        "countries_by_sex": countries_by_sex_table(dashboard),
        "trends": trends_table(dashboard),
    }


def targets_table(dashboard: ProgrammeDashboard) -> Table:
    rows = []
    for evaluation in dashboard.evaluations:
        target = evaluation.target
        rows.append(
            {
                "objective_code": target.objective.code if target.objective else "",
                "objective": target.objective.title if target.objective else "",
                "target": target.title,
                "level": _("Activity") if evaluation.kind == "activity" else _("Outcome"),
                "metric": str(METRIC_LABELS.get(target.metric, target.metric)),
                "session_kind": target.get_session_kind_display() if target.session_kind else "",
                "country": target.country.local_name if target.country_id else _("All countries"),
                "period_start": target.period_start,
                "period_end": target.period_end,
                "counted_to": evaluation.window.end,
                "comparison": target.get_comparator_display() if evaluation.kind == "outcome" else "≥",
                "target_value": evaluation.target_value,
                "expected": evaluation.expected,
                "actual": evaluation.actual,
                "unit": evaluation.unit.strip(),
                "status": evaluation.status,
                "_status_label": evaluation.status_label,
            }
        )
    return Table(
        "targets",
        _("Targets against actuals"),
        [
            Column("target", _("Target")),
            Column("status", _("Status"), "status"),
            Column("actual", _("Actual"), "short"),
            Column("comparison", _("Comparison")),
            Column("target_value", _("Target value"), "short"),
            Column("expected", _("Expected by then"), "short"),
            Column("unit", _("Unit")),
            Column("level", _("Level")),
            Column("metric", _("Measured by")),
            Column("session_kind", _("Kind of session")),
            Column("country", _("Country")),
            Column("objective_code", _("Objective")),
            Column("objective", _("Objective title")),
            Column("period_start", _("Period start"), "date"),
            Column("period_end", _("Period end"), "date"),
            Column("counted_to", _("Counted up to"), "date"),
        ],
        rows,
        sheet=_("Targets"),
    )


def countries_table(dashboard: ProgrammeDashboard) -> Table:
    rows = []
    for row in dashboard.countries:
        training = row.training
        rows.append(
            {
                "code": row.code,
                "name": row.name,
                "_link_name": reverse("outcomes:country", args=[row.code]) + f"?year={dashboard.year}",
                "engagements": len(row.engagements),
                "phases": ", ".join(str(PHASE_LABELS.get(e.phase, e.phase)) for e in row.engagements),
                "sessions": row.sessions,
                "people": row.people,
                "n_paired": training["n_paired"],
                "pre_mean_pct": training["pre_mean_pct"],
                "post_mean_pct": training["post_mean_pct"],
                "mean_gain_pct": training["mean_gain_pct"],
                "normalized_gain": training["normalized_gain"],
                "post_pass_rate": training["post_pass_rate"],
                "measures": row.measures["total"],
                "implemented": row.measures["by_status"]["implemented"],
                "implementation_rate": row.measures["implementation_rate"],
                "rounds_due": row.followup["rounds_due"],
                "rounds_on_time": row.followup["rounds_submitted_on_time"],
                "compliance_rate": row.followup["compliance_rate"],
                "maturity_change": row.maturity_change,
                "targets_behind": len(row.behind),
                "behind_on": "; ".join(e.target.title for e in row.behind),
                "status": row.status,
                "_status_label": _status_label(row.status),
            }
        )
    return Table(
        "countries",
        _("Countries in %(year)s") % {"year": dashboard.year},
        [
            Column("code", _("Code")),
            Column("name", _("Country")),
            Column("engagements", _("Engagements"), "int"),
            Column("phases", _("Phases")),
            Column("sessions", _("Sessions held"), "int"),
            Column("people", _("People trained"), "int"),
            Column("n_paired", _("Paired results"), "int"),
            Column("pre_mean_pct", _("Pre-test mean (%)"), "pct"),
            Column("post_mean_pct", _("Post-test mean (%)"), "pct"),
            Column("mean_gain_pct", _("Mean gain (points)"), "gain"),
            Column("normalized_gain", _("Normalized gain"), "num"),
            Column("post_pass_rate", _("Post-test pass rate"), "rate"),
            Column("measures", _("Measures agreed"), "int"),
            Column("implemented", _("Implemented"), "int"),
            Column("implementation_rate", _("Implementation rate"), "rate"),
            Column("rounds_due", _("Follow-up rounds due"), "int"),
            Column("rounds_on_time", _("Submitted on time"), "int"),
            Column("compliance_rate", _("Follow-up compliance"), "rate"),
            Column("maturity_change", _("Maturity change (levels)"), "change"),
            Column("targets_behind", _("Targets behind"), "int"),
            Column("behind_on", _("Behind on")),
            Column("status", _("Status"), "status"),
        ],
        rows,
        sheet=_("Countries"),
    )


def _status_label(status: str) -> str:
    return str(TARGET_STATUS.get(status, status))


def countries_by_sex_table(dashboard: ProgrammeDashboard) -> Table:
    rows = []
    for row in dashboard.countries:
        for sex, block in row.training["by_sex"].items():
            rows.append({"code": row.code, "name": row.name, "sex": str(SEX_LABELS.get(sex, sex)), **block})
    return Table(
        "countries_by_sex",
        _("Training results by country and sex, %(year)s") % {"year": dashboard.year},
        [Column("code", _("Code")), Column("name", _("Country")), Column("sex", _("Sex")), *training_columns()],
        rows,
        sheet=_("Countries by sex"),
    )


def trends_table(dashboard: ProgrammeDashboard) -> Table:
    rows = []
    for row in dashboard.trends:
        rows.append(
            {
                "year": row.year,
                "sessions": row.sessions,
                "people": row.people,
                "n_paired": row.training["n_paired"],
                "pre_mean_pct": row.training["pre_mean_pct"],
                "post_mean_pct": row.training["post_mean_pct"],
                "mean_gain_pct": row.training["mean_gain_pct"],
                "post_pass_rate": row.training["post_pass_rate"],
                "measures_agreed": row.measures_agreed,
                "implementation_rate": row.measures["implementation_rate"],
                "rounds_due": row.followup["rounds_due"],
                "compliance_rate": row.followup["compliance_rate"],
                "coordination": row.coordination,
                "assessments": row.assessments,
                "maturity_change": row.maturity_change,
            }
        )
    return Table(
        "trends",
        _("Trends by year"),
        [
            Column("year", _("Year")),
            Column("sessions", _("Sessions held"), "int"),
            Column("people", _("People trained"), "int"),
            Column("n_paired", _("Paired results"), "int"),
            Column("pre_mean_pct", _("Pre-test mean (%)"), "pct"),
            Column("post_mean_pct", _("Post-test mean (%)"), "pct"),
            Column("mean_gain_pct", _("Mean gain (points)"), "gain"),
            Column("post_pass_rate", _("Post-test pass rate"), "rate"),
            Column("measures_agreed", _("Measures agreed"), "int"),
            Column("implementation_rate", _("Implementation rate at year end"), "rate"),
            Column("rounds_due", _("Follow-up rounds due"), "int"),
            Column("compliance_rate", _("Follow-up compliance"), "rate"),
            Column("coordination", _("Coordination score (0–100)"), "score"),
            Column("assessments", _("Assessments completed"), "int"),
            Column("maturity_change", _("Maturity change (levels)"), "change"),
        ],
        rows,
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

        charts["training_trend"] = line_chart(
            categories=categories,
            series=[
                Series(_("Post-test mean"), [shown_value(r.training["post_mean_pct"], "pct") for r in trends]),
                Series(_("Pass rate"), [shown_value(r.training["post_pass_rate"], "rate") for r in trends]),
            ],
            max_value=100,
            unit="%",
            title=_("Training results by year (%)"),
            width=CHART_WIDTH,
            height=260,
        )
        charts["followup_trend"] = line_chart(
            categories=categories,
            series=[
                Series(
                    _("Measures implemented"), [shown_value(r.measures["implementation_rate"], "rate") for r in trends]
                ),
                Series(_("Rounds on time"), [shown_value(r.followup["compliance_rate"], "rate") for r in trends]),
            ],
            max_value=100,
            unit="%",
            title=_("Measures implemented and follow-up on time by year (%)"),
            width=CHART_WIDTH,
            height=260,
        )
        charts["people"] = bar_chart(
            items=[(str(r.year), r.people) for r in trends],
            title=_("People trained by year"),
            width=CHART_WIDTH,
            label_width=60,
        )
    return charts


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


PHASES = ("assessment", "roundtable", "capacity_building", "follow_up")


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
            "title": engagement.title,
            "_link_title": reverse("engagements:detail", args=[engagement.id]),
            "phase": str(PHASE_LABELS.get(engagement.phase, engagement.phase)),
            "start_date": engagement.start_date,
            "end_date": engagement.end_date,
        }
        for span in timeline.spans:
            row[f"{span.phase}_from"] = span.start
            row[f"{span.phase}_to"] = span.end
            row[f"{span.phase}_what"] = span.detail
        rows.append(row)
    columns = [
        Column("title", _("Engagement")),
        Column("phase", _("Current phase")),
        Column("start_date", _("Start"), "date"),
        Column("end_date", _("End"), "date"),
    ]
    for phase in PHASES:
        label = PHASE_LABELS[phase]
        columns += [
            Column(f"{phase}_from", _("%(phase)s from") % {"phase": label}, "date"),
            Column(f"{phase}_to", _("%(phase)s to") % {"phase": label}, "date"),
            Column(f"{phase}_what", _("%(phase)s: what") % {"phase": label}),
        ]
    return Table("engagements", _("Engagements through the four phases"), columns, rows, sheet=_("Engagements"))


def maturity_table(dashboard: CountryDashboard) -> Table:
    block = dashboard.maturity
    codes = list(dict.fromkeys([*block["baseline"], *block["latest"]]))
    rows = [
        {
            "code": code,
            "dimension": dashboard.dimension_names.get(code, code),
            "baseline": block["baseline"].get(code),
            "latest": block["latest"].get(code),
            "change": block["change"].get(code),
        }
        for code in codes
    ]
    return Table(
        "maturity",
        _("Maturity: baseline and latest assessment"),
        [
            Column("code", _("Code")),
            Column("dimension", _("Dimension")),
            Column("baseline", _("Baseline level"), "int"),
            Column("latest", _("Latest level"), "int"),
            Column("change", pgettext("difference between two maturity levels", "Change"), "int"),
        ],
        rows,
        sheet=_("Maturity"),
    )


def training_table(dashboard: CountryDashboard) -> Table:
    block = dashboard.training
    rows = [{"group": _("All participants"), **{k: block[k] for k in figures_keys()}}]
    for sex, figures_ in block["by_sex"].items():
        rows.append({"group": str(SEX_LABELS.get(sex, sex)), **figures_})
    return Table(
        "training",
        _("Training gains by sex"),
        [Column("group", _("Participants")), *training_columns()],
        rows,
        sheet=_("Training by sex"),
    )


def figures_keys() -> list[str]:
    return [column.key for column in training_columns()]


def training_by_agency_table(dashboard: CountryDashboard) -> Table:
    rows = [
        {"group": dashboard.agency_names.get(agency, str(agency)), **figures_}
        for agency, figures_ in dashboard.training["by_agency"].items()
    ]
    rows.sort(key=lambda row: str(row["group"]).lower())
    return Table(
        "training_by_agency",
        _("Training gains by agency"),
        [Column("group", _("Agency")), *training_columns()],
        rows,
        sheet=_("Training by agency"),
    )


def measures_table(dashboard: CountryDashboard) -> Table:
    verified = dashboard.verified["by_status"] if dashboard.verified else {}
    rows = [
        {
            "status": str(STATUS_LABELS[status]),
            "reported": count,
            "verified": verified.get(status) if dashboard.verified else None,
        }
        for status, count in dashboard.measures["by_status"].items()
    ]
    rows.append(
        {
            "status": _("Total"),
            "reported": dashboard.measures["total"],
            "verified": dashboard.verified["total"] if dashboard.verified else None,
        }
    )
    return Table(
        "measures",
        _("Measures by status"),
        [
            Column("status", _("Status")),
            Column("reported", _("Reported by the country"), "int"),
            Column("verified", _("Verified by a manager"), "int"),
        ],
        rows,
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
                "engagement": dashboard.engagement_names.get(r.engagement_id, ""),
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
        [
            Column("engagement", _("Engagement")),
            Column("opens_on", _("Opened"), "date"),
            Column("due_date", _("Due"), "date"),
            Column("submitted_on", _("Submitted"), "date"),
            Column("on_time", _("On time")),
            Column("coordination", _("Coordination score (0–100)"), "score"),
        ],
        rows,
        sheet=_("Rounds"),
    )


def indicators_table(dashboard: CountryDashboard) -> Table:
    rows = []
    for series in dashboard.indicators:
        base = {"indicator": series.name, "unit": series.unit, "baseline": series.baseline, "target": series.target}
        if not series.points:
            rows.append({**base, "due_date": None, "value": None})
        for day, value in series.points:
            rows.append({**base, "due_date": day, "value": value})
    return Table(
        "indicators",
        _("Indicator values by round"),
        [
            Column("indicator", _("Indicator")),
            Column("unit", _("Unit")),
            Column("baseline", _("Baseline"), "num"),
            Column("target", _("Target"), "num"),
            Column("due_date", _("Round due"), "date"),
            Column("value", _("Value"), "num"),
        ],
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
