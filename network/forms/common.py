"""Widgets and field set-ups the network forms share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ta_portal.uploads import LIBRARY

from .. import selectors


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def accept_attribute() -> str:
    return LIBRARY.accept_attribute


def topic_field(field, *, checkboxes: bool = False) -> None:
    """Topics are the assessment dimensions, named in the reader's language."""
    if checkboxes:
        field.widget = forms.CheckboxSelectMultiple()
    field.label_from_instance = lambda dimension: dimension.local_name()
    field.queryset = selectors.topic_choices()


def active_users():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
