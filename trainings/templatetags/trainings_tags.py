"""How the statistics read on pages and PDFs: one formatting for every figure."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from engagements.models import Person
from ta_portal import figures
from ta_portal.figures import DASH
from trainings.selectors import SMALLEST_SHOWN_GROUP

register = template.Library()


def _figure_filter(name: str, kind: str, description: str):
    """The filter ``name`` showing a figure of ``kind`` by the one display policy (``ta_portal.figures``)."""

    def show(value) -> str:
        return figures.display(value, kind)

    show.__name__, show.__doc__ = name, description
    return register.filter(name, show)


pct = _figure_filter("pct", "pct", "A percentage (0–100) with one decimal.")
rate = _figure_filter("rate", "rate", "A share (0–1) as a percentage.")
gain = _figure_filter("gain", "gain", "A difference in percentage points, signed.")
num2 = _figure_filter("num2", "num", "A measure such as the normalized gain or an effect size (two decimals).")
pvalue = _figure_filter("pvalue", "p", "A p-value.")


@register.filter
def score(value) -> str:
    """A stored score without trailing zeros (7.50 → 7.5)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = Decimal(f"{value.normalize():f}")  # normalize() alone turns 100 into 1E+2
    return formats.number_format(value)


def formatted_figures(summary: dict) -> dict[str, str]:
    """The headline figures as display strings (for the live statistics of the score grid)."""
    return {
        "n_enrolled": str(summary["n_enrolled"]),
        "n_pre": str(summary["n_pre"]),
        "n_post": str(summary["n_post"]),
        "n_paired": str(summary["n_paired"]),
        "pre_mean_pct": pct(summary["pre_mean_pct"]),
        "post_mean_pct": pct(summary["post_mean_pct"]),
        "mean_gain_pct": gain(summary["mean_gain_pct"]),
        "normalized_gain": num2(summary["normalized_gain"]),
        "cohens_dz": num2(summary["cohens_dz"]),
        "p_value": pvalue(summary["p_value"]),
        "post_pass_rate": rate(summary["post_pass_rate"]),
    }


@register.inclusion_tag("trainings/_outcome_table.html")
def outcome_table(summary: dict, agency_names: dict | None = None, caption: str = ""):
    """Everyone, then each sex and each agency: the disaggregated figures as one table."""
    sexes = dict(Person.Sex.choices)
    groups = [(_("All participants"), summary, "all")]
    groups += [(sexes.get(sex, sex), figures, "sex") for sex, figures in summary.get("by_sex", {}).items()]
    names = agency_names or {}
    groups += [
        (names.get(agency, str(agency)), figures, "agency") for agency, figures in summary.get("by_agency", {}).items()
    ]
    return {
        "groups": groups,
        "caption": caption or _("Pre/post exam results"),
        # Agency groups too small to show to this reader (trainings.selectors.SMALLEST_SHOWN_GROUP).
        "withheld": summary.get("n_agencies_withheld", 0),
        "smallest_group": SMALLEST_SHOWN_GROUP,
    }


@register.filter
def agency_label(agency) -> str:
    """An agency by its acronym (or name); a dash for none."""
    if agency is None:
        return DASH
    return agency.acronym or agency.name
