"""How every figure reads: the one display policy for pages, charts, chart tables, PDFs and e-mails.

Figures are computed at full precision (``trainings.statistics``, ``followups.selectors``,
``outcomes.figures``) and rounded here only, when shown, so the same figure reads the same
everywhere. The API and the machine-readable export columns keep full precision.

Rounding is half away from zero (0.05 → 0.1, −0.05 → −0.1, 28.55 → 28.6) on the decimal the
figure prints as (a float's shortest repr, so 2.675 → 2.68, not the binary 2.67), and a share is
turned into a percentage on that decimal too (0.2855 → 28.55 → 28.6). The text follows the
active language's number format.

Precision per kind of figure:

========  ===========================================================  ==========
kind      what                                                         decimals
========  ===========================================================  ==========
int       counts                                                       0
pct       percentages 0–100 (mean scores, gains' base)                 1
rate      shares 0–1 (implementation, compliance, pass rates), as %    1
level     maturity levels and their means                              1
score     scores 0–100 (the coordination questionnaire)                1
change    signed differences (maturity change, gain in points)         1
short     one decimal, none when whole (targets: 67.7, 70, 0.5)        0 or 1
num       other measures (normalized gain, effect size, totals)        2 (0 for int)
money     amounts of money, with the language's thousands separator    2
p         p-values                                                     3, "< 0.001" below
========  ===========================================================  ==========
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.utils import formats

DASH = "—"
MINUS = "−"

DIGITS = {
    "int": 0,
    "pct": 1,
    "rate": 1,
    "level": 1,
    "change": 1,
    "gain": 1,
    "short": 1,
    "score": 1,
    "num": 2,
    "money": 2,
    "p": 3,
}


def _decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest decimal that reads back as this float
    return Decimal(value)


def rounded(value, digits: int) -> Decimal | None:
    """``value`` rounded half away from zero to ``digits`` decimals; None stays None."""
    if value is None:
        return None
    result = _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return result if result else abs(result)  # no "-0.0"


def scaled(value, kind: str):
    """The value on the scale it is shown on: shares (``rate``) as percentages, exactly."""
    if value is None or kind != "rate":
        return value
    return _decimal(value) * 100


def shown_value(value, kind: str) -> float | None:
    """The number a chart draws and labels: the figure as the policy shows it (shares as %)."""
    if value is None:
        return None
    return float(rounded(scaled(value, kind), DIGITS.get(kind, 2)))


def number(value, digits: int, *, grouping: bool = False) -> str:
    """``value`` rounded by the policy and written in the active language's number format."""
    return formats.number_format(rounded(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=grouping)


def integer(value) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def signed(value, digits: int = 1) -> str:
    """A difference with its sign: +0.7, −0.2, ±0.0."""
    if value is None:
        return DASH
    result = rounded(value, digits)
    sign = "+" if result > 0 else (MINUS if result < 0 else "±")
    return f"{sign}{number(abs(result), digits)}"


def p_value(value) -> str:
    if value is None:
        return DASH
    if value < 0.001:
        return f"< {number(0.001, 3)}"
    return number(value, 3)


def short(value) -> str:
    result = rounded(value, 1)
    return integer(int(result)) if result == int(result) else number(result, 1)


FORMATS = {
    "int": integer,
    "pct": lambda value: f"{number(value, 1)} %",
    "rate": lambda value: f"{number(scaled(value, 'rate'), 1)} %",
    "level": lambda value: number(value, 1),
    "score": lambda value: number(value, 1),
    "change": signed,
    "gain": signed,
    "num": lambda value: integer(value) if isinstance(value, int) else number(value, 2),
    "money": lambda value: number(value, 2, grouping=True),
    "short": short,
    "p": p_value,
    "date": lambda value: formats.date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else value,
}


def display(value, kind: str = "num") -> str:
    """A figure as people read it: a dash for none, otherwise by its kind's precision and format."""
    if value is None or value == "":
        return DASH
    formatter = FORMATS.get(kind)
    return formatter(value) if formatter else value
