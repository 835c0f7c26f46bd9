"""Formatting of outcome tables: one filter renders any cell by its column's kind."""

from django import template
from django.utils.html import format_html

from ta_portal import figures

register = template.Library()

STATUS_CLASSES = {
    "met": "text-bg-success",
    "on_track": "text-bg-primary",
    "behind": "text-bg-danger",
    "not_started": "text-bg-secondary",
    "no_data": "text-bg-light border",
}


@register.filter
def figure(value, kind: str = "num"):
    """A figure as people read it (``ta_portal.figures``): — for none, shares as percentages."""
    return figures.display(value, kind)


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
    return figures.signed(value, digits)


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
