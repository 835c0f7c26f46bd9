from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement


def year_field() -> forms.TypedChoiceField:
    """Every dashboard's year filter: one select of the years there are figures for, newest first."""
    return forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)


def _offer_years(field: forms.TypedChoiceField, years: list[int], *, every_year: bool, message) -> None:
    field.choices = [*([("", _("Every year"))] if every_year else []), *((y, str(y)) for y in reversed(years))]
    field.error_messages["invalid_choice"] = message


class YearForm(forms.Form):
    year = year_field()

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        _offer_years(self.fields["year"], years, every_year=False, message=_("Choose a year of the programme."))


class CountryFilterForm(forms.Form):
    year = year_field()
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes"), to_field_name="code"
    )

    def __init__(self, *args, programmes, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        _offer_years(self.fields["year"], years, every_year=True, message=_("Choose a year with figures."))
        self.fields["programme"].queryset = programmes


class ExportFilterForm(forms.Form):
    """The filters of the lists (the same names as the lists' own filters and the API's)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.RegexField(
        label=_("Country"),
        required=False,
        regex=r"^[A-Za-z]{2}$",
        error_messages={"invalid": _("Use a two-letter ISO code.")},
    )
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=[("", "")] + Engagement.Phase.choices)
    programme = forms.IntegerField(label=_("Programme"), required=False, min_value=1)
    engagement = forms.IntegerField(label=_("Engagement"), required=False, min_value=1)
    status = forms.CharField(label=_("Status"), required=False, max_length=30)
    kind = forms.CharField(label=_("Kind"), required=False, max_length=30)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
