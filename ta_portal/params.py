"""Reading raw query and form parameters that never pass through a form field.

``str.isdigit()`` also accepts digits such as "²" that ``int()`` refuses, and PostgreSQL refuses
any text holding a NUL character: either would turn a hand-edited URL into a server error.
"""


def int_param(value) -> int | None:
    """A whole number written in ASCII digits, else None."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def text_param(value) -> str:
    """The text without NUL characters, which the database cannot compare or store."""
    return str(value if value is not None else "").replace("\x00", "")
