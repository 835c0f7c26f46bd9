from datetime import date

from django import template

register = template.Library()


@register.filter
def days_after(day: date | None, today: date) -> int:
    """How many days ``today`` is after ``day`` (negative when before)."""
    if day is None or today is None:
        return 0
    return (today - day).days


@register.filter
def days_before(day: date | None, today: date) -> int:
    """How many days ``day`` is after ``today`` (the days left until it)."""
    if day is None or today is None:
        return 0
    return (day - today).days


@register.filter
def overdue_on(measure, today: date) -> bool:
    """``Measure.is_overdue(today)``, for templates (they cannot pass an argument to a method)."""
    return measure.is_overdue(today)
