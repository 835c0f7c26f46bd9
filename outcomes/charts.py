"""Outcome charts the shared chart module does not draw: targets against actuals, and the
timeline of engagements through their phases. Same conventions as ``reports.charts``: inline
SVG with a title and a description, patterns and labels besides colour, always next to a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.charts import FONT, GRID, INK, MUTED, STYLES

STATUS_COLOURS = {
    # Each status has its own colour *and* fill pattern/label, so it reads in grey print too.
    "met": "#1b7f3b",
    "on_track": "#0072B2",
    "behind": "#B03A00",
    "not_started": "#6c757d",
    "no_data": "#6c757d",
}


def _fmt(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x, y, label, *, anchor="start", size=11, fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{escape(label)}</text>'
    )


def _svg(*, width: int, height: int, title: str, desc: str, body: str, chart_id: str) -> SafeString:
    return mark_safe(  # noqa: S308 (every piece of text in the markup went through escape())
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


@dataclass(frozen=True)
class Progress:
    label: str
    actual: float | None
    target: float
    expected: float | None  # where the actual should be by now (activity targets)
    status: str
    status_label: str


def progress_chart(*, items: Sequence[Progress], title: str, chart_id: str, width: int = 560) -> SafeString:
    """One row per target: the actual as a bar, the target as a solid tick, the expected level by
    now as a dashed tick; every bar is scaled to its own target so rows of different units compare."""
    label_h, bar_h, gap = 18, 14, 12
    row = label_h + bar_h + gap
    top, left, right = 6, 6, 110
    height = top + row * max(len(items), 1) + 4
    plot_w = width - left - right
    parts = []
    descs = []
    for i, item in enumerate(items):
        y = top + i * row
        parts.append(_text(left, y + label_h / 2, item.label[:60], size=13))
        bar_y = y + label_h
        scale = max(item.target, item.actual or 0, item.expected or 0, 1e-9) * 1.0
        full = plot_w * min(1.0, item.target / scale) if item.target else plot_w
        parts.append(
            f'<rect x="{left}" y="{bar_y:.1f}" width="{full:.1f}" height="{bar_h}" fill="#ffffff" stroke="{GRID}"/>'
        )
        colour = STATUS_COLOURS.get(item.status, MUTED)
        if item.actual is not None:
            length = plot_w * min(1.0, max(item.actual, 0) / scale)
            parts.append(
                f'<rect x="{left}" y="{bar_y + 2:.1f}" width="{length:.1f}" height="{bar_h - 4}" fill="{colour}"/>'
            )
        tick_x = left + full
        parts.append(
            f'<line x1="{tick_x:.1f}" y1="{bar_y - 3:.1f}" x2="{tick_x:.1f}" y2="{bar_y + bar_h + 3:.1f}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
        if item.expected is not None and item.target:
            ex = left + plot_w * min(1.0, max(item.expected, 0) / scale)
            parts.append(
                f'<line x1="{ex:.1f}" y1="{bar_y - 3:.1f}" x2="{ex:.1f}" y2="{bar_y + bar_h + 3:.1f}" '
                f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="3 2"/>'
            )
        actual = "—" if item.actual is None else _fmt(item.actual)
        parts.append(
            _text(width - right + 8, bar_y + bar_h / 2, f"{actual} / {_fmt(item.target)}", size=13, weight="bold")
        )
        descs.append(
            _("%(label)s: %(actual)s of %(target)s, %(status)s")
            % {"label": item.label, "actual": actual, "target": _fmt(item.target), "status": item.status_label}
        )
    return _svg(width=width, height=height, title=title, desc="; ".join(descs), body="".join(parts), chart_id=chart_id)


@dataclass(frozen=True)
class TimelineBar:
    phase: str  # the phase key, for the style
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class TimelineRow:
    label: str
    bars: Sequence[TimelineBar]


PHASE_STYLES = {
    "assessment": (STYLES[0]["color"], ""),
    "roundtable": (STYLES[1]["color"], ""),
    "capacity_building": (STYLES[2]["color"], "url(#hatch)"),
    "follow_up": (STYLES[3]["color"], ""),
}


def timeline_chart(
    *, rows: Sequence[TimelineRow], start: date, end: date, title: str, chart_id: str, width: int = 640
) -> SafeString:
    """Each engagement as a block: its title, then one line per phase recorded, with the phase's
    name on the left and its span as a bar on a shared calendar axis (years marked)."""
    top, label_w, right = 24, 118, 8
    title_h, line_h, gap = 20, 20, 10
    lines = [list(dict.fromkeys(bar.phase for bar in row.bars)) for row in rows]
    heights = [title_h + line_h * max(len(phases), 1) + gap for phases in lines]
    height = top + sum(heights) + 4
    plot_left = label_w + 4
    plot_w = width - plot_left - right
    span = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return plot_left + plot_w * min(max((day - start).days, 0), span) / span

    parts = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{STYLES[2]["color"]}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" '
        'stroke-width="2"/></pattern></defs>'
    ]
    for year in range(start.year, end.year + 1):
        day = date(year, 1, 1)
        if day < start:
            continue
        x = x_of(day)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height}" stroke="{GRID}"/>')
        parts.append(_text(x + 3, top - 12, str(year), size=11, fill=MUTED))
    descs = []
    y = top
    for row, block, phases in zip(rows, heights, lines, strict=True):
        parts.append(_text(2, y + title_h / 2, row.label[:60], size=12, weight="bold"))
        labelled = set()
        for bar in row.bars:
            colour, pattern = PHASE_STYLES.get(bar.phase, (MUTED, ""))
            by = y + title_h + phases.index(bar.phase) * line_h
            if bar.phase not in labelled:
                labelled.add(bar.phase)
                parts.append(_text(10, by + line_h / 2, bar.label[:22], size=11))
            x1, x2 = x_of(bar.start), x_of(bar.end)
            w = max(x2 - x1, 5)
            parts.append(
                f'<rect x="{x1:.1f}" y="{by + 3:.1f}" width="{w:.1f}" height="{line_h - 6}" '
                f'fill="{pattern or colour}" stroke="{colour}"/>'
            )
            descs.append(f"{row.label}: {bar.label} {bar.start.isoformat()} – {bar.end.isoformat()}")
        y += block
    return _svg(
        width=width,
        height=height,
        title=title,
        desc="; ".join(descs) or title,
        body="".join(parts),
        chart_id=chart_id,
    )
