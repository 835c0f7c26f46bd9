from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.models import Country
from engagements.models import Engagement
from ta_portal.multilingual import multilingual_form
from ta_portal.uploads import EVIDENCE

from .models import AGENCY_KIND
from .models import DIMENSION_LABELS
from .models import DIMENSIONS
from .models import SEX
from .models import Indicator
from .models import IndicatorPeriod
from .models import ObjectiveNarrative
from .models import ProgrammeObjective
from .models import dimension_values


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


# --- The results framework ------------------------------------------------------------------------------


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = ProgrammeObjective
        fields = ["code", "title", "area", "description", "order"]


class _IndicatorForm(DateBoundsMixin, forms.ModelForm):
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"),
        required=False,
        choices=[(dimension, label) for dimension, label in DIMENSION_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Targets and actuals can then be given per value (women and men, each agency kind, each country)."),
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "source",
            "metric",
            "session_kind",
            "phase",
            "within_months",
            "disaggregations",
            "order",
        ]
        widgets = {"baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


IndicatorForm = multilingual_form(Indicator, _IndicatorForm)


def _breakdown_field_name(dimension: str, value: str) -> str:
    return f"by_{dimension}_{value}"


class _BreakdownFieldsMixin:
    """One number field per value of each of the indicator's dimensions, gathered into a breakdown."""

    breakdown_dimensions: tuple[str, ...] = ()

    def add_breakdown_fields(self, *, indicator: Indicator, countries, initial: dict, label: str) -> None:
        self.breakdown_fields: dict[str, list[tuple[str, str]]] = {}
        for dimension in indicator.disaggregations or []:
            if dimension not in self.breakdown_dimensions:
                continue
            names = []
            for value, value_label in dimension_values(dimension, countries=countries):
                name = _breakdown_field_name(dimension, value)
                self.fields[name] = forms.DecimalField(
                    label=f"{label} – {DIMENSION_LABELS[dimension]}: {value_label}",
                    required=False,
                    max_digits=14,
                    decimal_places=2,
                    initial=(initial.get(dimension) or {}).get(value),
                    localize=False,
                )
                names.append((value, name))
            self.breakdown_fields[dimension] = names

    def breakdown(self) -> dict:
        return {
            dimension: {
                value: self.cleaned_data[name] for value, name in names if self.cleaned_data.get(name) is not None
            }
            for dimension, names in self.breakdown_fields.items()
            if any(self.cleaned_data.get(name) is not None for _value, name in names)
        }


class IndicatorPeriodForm(DateBoundsMixin, _BreakdownFieldsMixin, forms.ModelForm):
    """A period and its targets. The dates are checked by the service (``indicator_period_errors``),
    which says that a target needs a period when they are missing."""

    breakdown_dimensions = DIMENSIONS

    class Meta:
        model = IndicatorPeriod
        fields = ["start", "end", "target"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, indicator: Indicator, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.fields["start"].required = False
        self.fields["end"].required = False
        self.add_breakdown_fields(
            indicator=indicator, countries=countries, initial=self.instance.targets_by or {}, label=_("Target")
        )

    def save(self, commit=True):
        self.instance.targets_by = self.breakdown()
        return super().save(commit=commit)


class IndicatorValueForm(_BreakdownFieldsMixin, forms.Form):
    """A reported value; every rule is the service's (``indicator_value_report``)."""

    breakdown_dimensions = (SEX, AGENCY_KIND)

    period = forms.ModelChoiceField(label=_("Period"), queryset=IndicatorPeriod.objects.none())
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none())
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, localize=False)
    comment = forms.CharField(label=_("How it was measured"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(
        label=_("Evidence file"), required=False, help_text=_("A file or a link is required.")
    )
    evidence_link = forms.URLField(label=_("Evidence link"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args, indicator: Indicator, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = indicator.periods.all()
        self.fields["country"].queryset = countries
        self.fields["evidence_file"].widget.attrs["accept"] = EVIDENCE.accept_attribute
        self.add_breakdown_fields(indicator=indicator, countries=(), initial={}, label=_("Value"))


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return a value: say what needs to change."),
    )


class _NarrativeForm(forms.ModelForm):
    class Meta:
        model = ObjectiveNarrative
        fields = ["achievements", "challenges", "lessons"]


NarrativeForm = multilingual_form(ObjectiveNarrative, _NarrativeForm)
