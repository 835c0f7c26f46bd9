"""``{% load figures %}``: the display policy (``ta_portal.figures``) for any app's templates."""

from django import template

from ta_portal import figures

register = template.Library()


@register.filter
def figure(value, kind: str = "num") -> str:
    """``{{ value|figure:"rate" }}``: a figure by its kind's precision, in the language's format."""
    return figures.display(value, kind)
