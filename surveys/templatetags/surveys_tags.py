"""``{% load surveys_tags %}``: what the surveys' templates compute."""

from django import template

from surveys.selectors import response_rate

register = template.Library()


@register.filter
def rate_of(answered, invited):
    """``{{ answered|rate_of:invited|figure:"rate" }}``: the response rate (the one definition)."""
    return response_rate(answered or 0, invited or 0)
