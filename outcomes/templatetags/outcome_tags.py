"""Formatting of outcome tables: one filter renders any cell by its column's kind."""

from datetime import date

from django import template
from django.utils import formats
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {
    "met": "text-bg-success",
    "on_track": "text-bg-primary",
    "behind": "text-bg-danger",
    "not_started": "text-bg-secondary",
    "no_data": "text-bg-light border",
}


def _number(value, digits: int) -> str:
    return formats.number_format(value, decimal_pos=digits, use_l10n=True)


def _integer(value) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


FORMATS = {
    "int": _integer,
    "pct": lambda value: f"{_number(value, 1)} %",
    "rate": lambda value: f"{_number(100 * value, 1)} %",
    "num": lambda value: _integer(value) if isinstance(value, int) else _number(value, 2),
    # One decimal, none when whole: 67.7, 70, 0.5.
    "short": lambda value: _integer(int(value)) if float(value).is_integer() else _number(value, 1),
    "p": lambda value: "< 0.001" if value < 0.001 else _number(value, 3),
    "date": lambda value: formats.date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else value,
}


@register.filter
def figure(value, kind: str = "num"):
    """A figure as people read it: — for none, percentages with one decimal, shares as percentages."""
    if value is None or value == "":
        return "—"
    formatter = FORMATS.get(kind)
    return formatter(value) if formatter else value


@register.simple_tag
def cell(row: dict, column):
    """The table cell of ``row`` for ``column``: a badge for statuses, a link where the row has one."""
    value = row.get(column.key)
    if column.kind == "status":
        label = row.get("_status_label") or value
        return format_html('<span class="badge {}">{}</span>', STATUS_CLASSES.get(value, "text-bg-secondary"), label)
    text = figure(value, column.kind)
    link = row.get(f"_link_{column.key}")
    if link:
        return format_html('<a href="{}">{}</a>', link, text)
    return text


@register.simple_tag
def status_badge(status: str, label: str):
    return format_html('<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "text-bg-secondary"), label)


@register.filter
def signed(value, digits: int = 1):
    if value is None:
        return "—"
    text = _number(value, digits)
    return f"+{text}" if value > 0 else text


@register.filter
def get_value(row: dict, key: str):
    return row.get(key)


@register.filter
def get_label(row: dict):
    return row.get("_status_label") or row.get("status")


@register.filter
def shown(column, hidden: str = "") -> bool:
    """False for a column named in ``hidden`` (comma-separated keys): the page or PDF leaves it out."""
    return not hidden or column.key not in {key.strip() for key in str(hidden).split(",")}
