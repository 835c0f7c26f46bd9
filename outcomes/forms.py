from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in reversed(years)]
        self.fields["year"].error_messages["invalid_choice"] = _("Choose a year of the programme.")


class CountryFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Empty: every year."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=None, empty_label=_("All programmes"), to_field_name="code"
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
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
