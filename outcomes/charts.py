"""The outcomes' colours for the shared charts of ``reports.charts``: target statuses and
engagement phases. The drawing lives there; only this vocabulary is the outcomes' own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.safestring import SafeString

from reports import charts
from reports.charts import STYLES
from reports.charts import Progress
from reports.charts import TimelineBar
from reports.charts import TimelineRow

__all__ = ["Progress", "TimelineBar", "TimelineRow", "progress_chart", "timeline_chart"]

STATUS_COLOURS = {
    # Each status has its own colour *and* a printed value and label, so it reads in grey print too.
    "met": "#1b7f3b",
    "on_track": "#0072B2",
    "behind": "#B03A00",
    "not_started": "#6c757d",
    "no_data": "#6c757d",
}
# (colour, hatched): capacity building is hatched so that it stands apart from its neighbours in grey.
PHASE_STYLES = {
    "assessment": (STYLES[0]["color"], False),
    "roundtable": (STYLES[1]["color"], False),
    "capacity_building": (STYLES[2]["color"], True),
    "follow_up": (STYLES[3]["color"], False),
}


def progress_chart(*, items: Sequence[Progress], title: str, chart_id: str, width: int = 560) -> SafeString:
    return charts.progress_chart(items=items, colours=STATUS_COLOURS, title=title, chart_id=chart_id, width=width)


def timeline_chart(
    *, rows: Sequence[TimelineRow], start: date, end: date, title: str, chart_id: str, width: int = 640
) -> SafeString:
    return charts.timeline_chart(
        rows=rows, styles=PHASE_STYLES, start=start, end=end, title=title, chart_id=chart_id, width=width
    )
