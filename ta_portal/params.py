"""Reading raw query and form parameters that never pass through a form field.

``str.isdigit()`` also accepts digits such as "²" that ``int()`` refuses, and PostgreSQL refuses
any text holding a NUL character: either would turn a hand-edited URL into a server error.
"""

from datetime import date

# Dates a form or the API accepts. Near the ends of the calendar (year 1, year 9999) the date
# arithmetic of schedules, reminders and calendar invitations overflows, and no record needs them.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def int_param(value) -> int | None:
    """A whole number written in ASCII digits, else None."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def text_param(value) -> str:
    """The text without NUL characters, which the database cannot compare or store."""
    return str(value if value is not None else "").replace("\x00", "")
