"""Server-rendered SVG charts: the same markup goes into a page and into a PDF (WeasyPrint).

Each function returns safe SVG markup with ``role="img"``, an ``aria-label``, and ``<title>`` /
``<desc>`` elements; the description lists the values, but every chart should still stand next to
a table of the same data (screen-reader users and printouts read the table). Series differ by
line style and marker as well as by colour, so they stay apart in grey print and for colour-blind
readers. Text is escaped here; pass plain strings.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
# Colour-blind-safe (Okabe–Ito) pairs, each with its own dash pattern and marker.
STYLES = [
    {"color": "#0072B2", "dash": "", "marker": "circle", "fill_opacity": 0.18},
    {"color": "#D55E00", "dash": "6 4", "marker": "square", "fill_opacity": 0.0},
    {"color": "#009E73", "dash": "2 3", "marker": "diamond", "fill_opacity": 0.0},
    {"color": "#CC79A7", "dash": "8 3 2 3", "marker": "triangle", "fill_opacity": 0.0},
]
GRID = "#c8c8c8"
INK = "#222222"
MUTED = "#555555"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _fmt(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _num(value: float | None) -> str:
    return "—" if value is None else _fmt(value)


def _chart_id(*parts) -> str:
    return "chart-" + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:10]


def _wrap(text: str, width: int) -> list[str]:
    """Split a label into lines of at most ``width`` characters (at spaces when possible)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]


def _text(x: float, y: float, label: str, *, anchor="middle", size=11, width=0, weight="normal", fill=INK) -> str:
    lines = _wrap(label, width) if width else [label]
    first_dy = -(len(lines) - 1) * size * 0.55
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{(first_dy if i == 0 else size * 1.1):.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" '
        f'font-size="{size}" font-weight="{weight}" fill="{fill}">{spans}</text>'
    )


def _marker(kind: str, x: float, y: float, color: str, *, size: float = 3.5, hollow: bool = False) -> str:
    fill = "#ffffff" if hollow else color
    common = f'fill="{fill}" stroke="{color}" stroke-width="1.5"'
    if kind == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" {common}/>'
    if kind == "diamond":
        d = size * 1.3
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{points}" {common}/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - size * 1.3:.1f} {x + size * 1.2:.1f},{y + size:.1f} {x - size * 1.2:.1f},{y + size:.1f}"
        return f'<polygon points="{points}" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {common}/>'


def _svg(
    *,
    width: int,
    height: int,
    title: str,
    desc: str,
    body: str,
    chart_id: str,
    align: str = "xMidYMid",
    table_id: str = "",
) -> SafeString:
    # A chart whose data table sits in another part of the page points at it (aria-details).
    details = f' aria-details="{escape(table_id)}"' if table_id else ""
    return mark_safe(  # noqa: S308 (every piece of text in the markup went through escape())
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc"{details} font-family="{FONT}" '
        f'preserveAspectRatio="{align} meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _legend(series: Sequence[Series], *, x: float, y: float, width: float) -> str:
    """One row of legend entries, centred in ``width`` from ``x``."""
    if len(series) < 2:
        return ""
    slot = width / len(series)
    parts = []
    for i, item in enumerate(series):
        style = STYLES[i % len(STYLES)]
        left = x + i * slot + 8
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + 26:.1f}" y2="{y:.1f}" stroke="{style["color"]}" '
            f'stroke-width="2.5"{dash}/>'
            + _marker(style["marker"], left + 13, y, style["color"])
            + _text(left + 32, y, item.label, anchor="start", size=11)
        )
    return "".join(parts)


def radar_chart(
    *,
    axes: Sequence[str],
    series: Sequence[Series],
    max_value: int = 5,
    title: str,
    desc: str = "",
    size: int = 460,
    label_width: int = 16,
) -> SafeString:
    """A radar (spider) chart: one axis per label, one polygon per series (e.g. baseline, now).

    ``values`` may hold None (not scored): that point is drawn at the centre without a marker.
    """
    n = len(axes)
    legend_height = 30 if len(series) > 1 else 0
    side = 70  # room on each side for the axis labels
    width, height = size + 2 * side, size + legend_height
    cx, cy = width / 2, size / 2
    radius = size / 2 - 70
    chart_id = _chart_id("radar", title, tuple(axes), tuple((s.label, tuple(s.values)) for s in series))
    if n < 3:
        body = _text(cx, cy, "—", size=14)
        return _svg(width=width, height=height, title=title, desc=desc, body=body, chart_id=chart_id)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / n
        r = radius * value / max_value
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts = []
    for level in range(1, max_value + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        lx, ly = point(0, level)
        parts.append(_text(lx + 8, ly, str(level), anchor="start", size=9, fill=MUTED))
    for i, label in enumerate(axes):
        x, y = point(i, max_value)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        lx, ly = point(i, max_value + 0.9)
        anchor = "middle" if abs(lx - cx) < 12 else ("start" if lx > cx else "end")
        parts.append(_text(lx, ly, label, anchor=anchor, size=10, width=label_width))
    for s_index, item in enumerate(series):
        style = STYLES[s_index % len(STYLES)]
        coords = [point(i, value or 0) for i, value in enumerate(item.values)]
        polygon = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        parts.append(
            f'<polygon points="{polygon}" fill="{style["color"]}" fill-opacity="{style["fill_opacity"]}" '
            f'stroke="{style["color"]}" stroke-width="2.2"{dash}/>'
        )
        for (x, y), value in zip(coords, item.values, strict=False):
            if value is not None:
                parts.append(_marker(style["marker"], x, y, style["color"]))
    parts.append(_legend(series, x=side, y=size + legend_height / 2, width=size))
    if not desc:
        desc = "; ".join(
            f"{axis}: " + ", ".join(f"{s.label} {_num(s.values[i])}" for s in series) for i, axis in enumerate(axes)
        )
    return _svg(width=width, height=height, title=title, desc=desc, body="".join(parts), chart_id=chart_id)


def bar_chart(
    *,
    items: Sequence[tuple[str, float | None]],
    max_value: float | None = None,
    title: str,
    desc: str = "",
    unit: str = "",
    width: int = 560,
    label_width: int = 190,
    table_id: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value); the value is written at the end of each bar.
    table_id names the page's table holding the same figures when it is not beside the chart."""
    row = 26
    top, bottom = 10, 24
    height = top + bottom + row * max(len(items), 1)
    plot_left, plot_right = label_width, width - 56
    top_value = max_value or max([v for _, v in items if v is not None] or [1]) or 1
    chart_id = _chart_id("bar", title, tuple(items))
    parts = []
    for tick in range(5):
        value = top_value * tick / 4
        x = plot_left + (plot_right - plot_left) * tick / 4
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom + 4}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x, height - bottom + 14, _fmt(value), size=9, fill=MUTED))
    for i, (label, value) in enumerate(items):
        y = top + i * row + row / 2
        parts.append(_text(plot_left - 8, y, label, anchor="end", size=11, width=label_width // 7))
        if value is None:
            parts.append(_text(plot_left + 6, y, "—", anchor="start", size=11, fill=MUTED))
            continue
        length = (plot_right - plot_left) * min(max(value, 0), top_value) / top_value
        parts.append(
            f'<rect x="{plot_left}" y="{y - 8:.1f}" width="{length:.1f}" height="16" fill="{STYLES[0]["color"]}"/>'
        )
        parts.append(_text(plot_left + length + 5, y, f"{_fmt(value)}{unit}", anchor="start", size=10))
    if not desc:
        desc = "; ".join(f"{label}: {_num(value)}{unit if value is not None else ''}" for label, value in items)
    return _svg(
        width=width, height=height, title=title, desc=desc, body="".join(parts), chart_id=chart_id, table_id=table_id
    )


def paired_dot_plot(
    *,
    rows: Sequence[tuple[str, float | None, float | None]],
    max_value: float = 100,
    title: str,
    desc: str = "",
    labels: tuple[str, str] = ("Pre", "Post"),
    unit: str = "",
    width: int = 560,
    label_width: int = 170,
) -> SafeString:
    """Before/after per row: a hollow circle (first value), a filled square (second), joined by a line.

    Fits pre/post exam scores per participant or per group, and levels then/now per dimension.
    """
    row = 24
    top, bottom = 34, 26
    height = top + bottom + row * max(len(rows), 1)
    plot_left, plot_right = label_width, width - 20
    chart_id = _chart_id("dots", title, tuple(rows), labels)

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * min(max(value, 0), max_value) / max_value

    pre_style, post_style = STYLES[1], STYLES[0]
    parts = [
        _marker("circle", plot_left + 8, 12, pre_style["color"], hollow=True),
        _text(plot_left + 18, 12, labels[0], anchor="start", size=11),
        _marker("square", plot_left + 128, 12, post_style["color"]),
        _text(plot_left + 138, 12, labels[1], anchor="start", size=11),
    ]
    for tick in range(5):
        value = max_value * tick / 4
        x = x_of(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - bottom + 4}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(_text(x, height - bottom + 14, f"{_fmt(value)}{unit}", size=9, fill=MUTED))
    for i, (label, before, after) in enumerate(rows):
        y = top + i * row + row / 2
        parts.append(_text(plot_left - 8, y, label, anchor="end", size=11, width=label_width // 7))
        if before is not None and after is not None:
            parts.append(
                f'<line x1="{x_of(before):.1f}" y1="{y:.1f}" x2="{x_of(after):.1f}" y2="{y:.1f}" '
                f'stroke="{MUTED}" stroke-width="2"/>'
            )
        if before is not None:
            parts.append(_marker("circle", x_of(before), y, pre_style["color"], size=4.5, hollow=True))
        if after is not None:
            parts.append(_marker("square", x_of(after), y, post_style["color"], size=4))
    if not desc:
        desc = "; ".join(
            f"{label}: {labels[0]} {_num(before)}, {labels[1]} {_num(after)}" for label, before, after in rows
        )
    return _svg(width=width, height=height, title=title, desc=desc, body="".join(parts), chart_id=chart_id)


def line_chart(
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    max_value: float | None = None,
    title: str,
    desc: str = "",
    unit: str = "",
    width: int = 560,
    height: int = 280,
) -> SafeString:
    """Lines over ordered categories (years, rounds, pre/post); None leaves a gap."""
    left, right, top, bottom = 44, 16, 14, 40 + (24 if len(series) > 1 else 0)
    values = [v for s in series for v in s.values if v is not None]
    top_value = max_value or (max(values) if values else 1) or 1
    chart_id = _chart_id("line", title, tuple(categories), tuple((s.label, tuple(s.values)) for s in series))
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(categories), 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        x = left + (plot_w * (i + 0.5) / n)
        return x, top + plot_h * (1 - min(max(value, 0), top_value) / top_value)

    parts = []
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h * (1 - tick / 4)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y, f"{_fmt(value)}{unit}", anchor="end", size=9, fill=MUTED))
    for i, category in enumerate(categories):
        x, _ = xy(i, 0)
        parts.append(_text(x, top + plot_h + 14, category, size=10, width=14))
    for s_index, item in enumerate(series):
        style = STYLES[s_index % len(STYLES)]
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        segment: list[str] = []
        for i, value in enumerate(item.values):
            if value is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{style["color"]}" '
                        f'stroke-width="2.2"{dash}/>'
                    )
                segment = []
                continue
            x, y = xy(i, value)
            segment.append(f"{x:.1f},{y:.1f}")
        if len(segment) > 1:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{style["color"]}" '
                f'stroke-width="2.2"{dash}/>'
            )
        for i, value in enumerate(item.values):
            if value is not None:
                parts.append(_marker(style["marker"], *xy(i, value), style["color"]))
    parts.append(_legend(series, x=left, y=height - 14, width=plot_w))
    if not desc:
        desc = "; ".join(
            f"{s.label}: " + ", ".join(f"{c} {_num(s.values[i])}" for i, c in enumerate(categories)) for s in series
        )
    return _svg(width=width, height=height, title=title, desc=desc, body="".join(parts), chart_id=chart_id)


@dataclass(frozen=True)
class Progress:
    label: str
    actual: float | None
    target: float
    expected: float | None  # where the actual should be by now
    status: str  # a key of the chart's ``colours``
    status_label: str


def progress_chart(
    *,
    items: Sequence[Progress],
    colours: Mapping[str, str],
    title: str,
    chart_id: str,
    width: int = 560,
) -> SafeString:
    """One row per target: the actual as a bar (coloured by its status), the target as a solid tick,
    the expected level by now as a dashed tick; every bar is scaled to its own target so rows of
    different units compare. The value is printed at the end of each row, so colour is never the
    only cue."""
    label_h, bar_h, gap = 18, 14, 12
    row = label_h + bar_h + gap
    top, left, right = 6, 6, 110
    height = top + row * max(len(items), 1) + 4
    plot_w = width - left - right
    parts = []
    descs = []
    for i, item in enumerate(items):
        y = top + i * row
        parts.append(_text(left, y + label_h / 2, item.label[:60], anchor="start", size=13))
        bar_y = y + label_h
        scale = max(item.target, item.actual or 0, item.expected or 0, 1e-9) * 1.0
        full = plot_w * min(1.0, item.target / scale) if item.target else plot_w
        parts.append(
            f'<rect x="{left}" y="{bar_y:.1f}" width="{full:.1f}" height="{bar_h}" fill="#ffffff" stroke="{GRID}"/>'
        )
        colour = colours.get(item.status, MUTED)
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
        actual = _num(item.actual)
        parts.append(
            _text(
                width - right + 8,
                bar_y + bar_h / 2,
                f"{actual} / {_fmt(item.target)}",
                anchor="start",
                size=13,
                weight="bold",
            )
        )
        descs.append(
            _("%(label)s: %(actual)s of %(target)s, %(status)s")
            % {"label": item.label, "actual": actual, "target": _fmt(item.target), "status": item.status_label}
        )
    return _svg(
        width=width,
        height=height,
        title=title,
        desc="; ".join(descs),
        body="".join(parts),
        chart_id=chart_id,
        align="xMinYMin",
    )


@dataclass(frozen=True)
class TimelineBar:
    key: str  # which line of its row, and its style
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class TimelineRow:
    label: str
    bars: Sequence[TimelineBar]


def timeline_chart(
    *,
    rows: Sequence[TimelineRow],
    styles: Mapping[str, tuple[str, bool]],
    start: date,
    end: date,
    title: str,
    chart_id: str,
    width: int = 640,
) -> SafeString:
    """Each row as a block: its label, then one line per kind of bar, with the bar's label on the
    left and its span on a shared calendar axis (years marked). ``styles`` gives each key a colour
    and whether it is hatched, so neighbouring kinds differ in grey print too."""
    top, label_w, right = 24, 118, 8
    title_h, line_h, gap = 20, 20, 10
    lines = [list(dict.fromkeys(bar.key for bar in row.bars)) for row in rows]
    heights = [title_h + line_h * max(len(keys), 1) + gap for keys in lines]
    height = top + sum(heights) + 4
    plot_left = label_w + 4
    plot_w = width - plot_left - right
    span = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return plot_left + plot_w * min(max((day - start).days, 0), span) / span

    hatches = {colour for colour, hatched in styles.values() if hatched}
    hatch_ids = {colour: f"{chart_id}-hatch-{i}" for i, colour in enumerate(sorted(hatches))}
    parts = [
        "<defs>"
        + "".join(
            f'<pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
            for colour, pattern in hatch_ids.items()
        )
        + "</defs>"
    ]
    for year in range(start.year, end.year + 1):
        day = date(year, 1, 1)
        if day < start:
            continue
        x = x_of(day)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height}" stroke="{GRID}"/>')
        parts.append(_text(x + 3, top - 12, str(year), anchor="start", size=11, fill=MUTED))
    descs = []
    y = top
    for row, block, keys in zip(rows, heights, lines, strict=True):
        parts.append(_text(2, y + title_h / 2, row.label[:60], anchor="start", size=12, weight="bold"))
        labelled = set()
        for bar in row.bars:
            colour, hatched = styles.get(bar.key, (MUTED, False))
            fill = f"url(#{hatch_ids[colour]})" if hatched else colour
            by = y + title_h + keys.index(bar.key) * line_h
            if bar.key not in labelled:
                labelled.add(bar.key)
                parts.append(_text(10, by + line_h / 2, bar.label[:22], anchor="start", size=11))
            x1, x2 = x_of(bar.start), x_of(bar.end)
            w = max(x2 - x1, 5)
            parts.append(
                f'<rect x="{x1:.1f}" y="{by + 3:.1f}" width="{w:.1f}" height="{line_h - 6}" '
                f'fill="{fill}" stroke="{colour}"/>'
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
        align="xMinYMin",
    )
