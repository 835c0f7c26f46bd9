import unicodedata
from collections import Counter

from django import forms
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from ta_portal.params import EARLIEST_DATE
from ta_portal.params import LATEST_DATE
from ta_portal.uploads import LOGO

from .certificates import MAX_SIGNATORIES
from .models import Agency
from .models import Engagement
from .models import Person
from .selectors import countries_editable_by
from .selectors import managing_users

OUT_OF_SCOPE_COUNTRY = _("You cannot add or move records to this country.")


def limit_country_choices(field, countries) -> None:
    """Offer only the countries the user may write to, and say so when another is posted."""
    field.queryset = countries
    field.error_messages["invalid_choice"] = OUT_OF_SCOPE_COUNTRY


def country_choices(countries) -> list[tuple[str, str]]:
    """A country filter's choices: "All countries", then each country by its name in the page's
    language, in that language's alphabetical order (accents aside)."""
    named = [(country.code, country.local_name) for country in countries]
    return [("", _("All countries")), *sorted(named, key=lambda pair: _sort_key(pair[1]))]


def _sort_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


class DateBoundsMixin:
    """Put first in a form's bases: every date field of the form accepts only EARLIEST_DATE…LATEST_DATE."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.validators = [*field.validators, MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonPicker(forms.SelectMultiple):
    """A list of people to choose from, each option carrying its person's country: in the browser a
    filter box and the form's country field narrow the list (static/engagements/person-picker.js);
    without scripts it is a plain multiple select."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "size": 10,
                "data-person-picker": "",
                "data-filter-label": _("Filter by name or agency"),
                **(attrs or {}),
            }
        )

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # noqa: PLR0917
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = getattr(value, "instance", None)
        if person is not None:
            option["attrs"]["data-country"] = person.country_id
        return option


def person_labels(people) -> dict[int, str]:
    """Each person's name in a list to choose from: with their agency, and with their e-mail when
    two people of the list would read the same."""
    people = list(people)
    base = {
        p.pk: f"{p.full_name} — {p.agency.acronym or p.agency.name}" if p.agency_id else p.full_name for p in people
    }
    seen = Counter(base.values())
    return {p.pk: f"{base[p.pk]} ({p.email})" if seen[base[p.pk]] > 1 and p.email else base[p.pk] for p in people}


class EngagementForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "country",
            "title",
            "programme",
            "phase",
            "start_date",
            "end_date",
            "description",
            "managers",
            "focal_points",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "focal_points": PersonPicker(attrs={"data-country-field": "id_country"}),
        }

    phase_changed_on = forms.DateField(
        label=_("Phase changed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a change of phase of the past; left empty, the change is dated today."),
    )
    field_order = [*Meta.fields[:4], "phase_changed_on"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The phase as stored, before this form changes it: a day dates a change from it.
        self.previous_phase = self.instance.phase if self.instance.pk else ""
        limit_country_choices(self.fields["country"], countries_editable_by(user))
        self.fields["managers"].queryset = managing_users()
        self.fields["managers"].required = False
        self._offer_focal_points(user)

    def _offer_focal_points(self, user) -> None:
        """Accepted: the people the user sees (the model names one of another country in its error).
        Offered: the people of the engagement's country once it is known, else of the countries the
        user writes to, each with their country's code."""
        field = self.fields["focal_points"]
        field.required = False
        field.queryset = Person.objects.visible_to(user)
        country = (self.data.get("country") if self.is_bound else None) or self.instance.country_id
        country = country or self.initial.get("country")
        countries = self.fields["country"].queryset
        if not country and len(codes := list(countries.values_list("code", flat=True)[:2])) == 1:
            country = codes[0]
        country = str(country).upper() if country else None
        offered = Person.objects.visible_to(user).select_related("agency").order_by("full_name", "pk")
        offered = list(offered.filter(country_id=country) if country else offered.filter(country__in=countries))
        labels = person_labels(offered)
        shown = forms.ModelMultipleChoiceField(queryset=Person.objects.none())
        shown.queryset = Person.objects.filter(pk__in=[p.pk for p in offered]).order_by("full_name", "pk")
        shown.label_from_instance = lambda person: labels[person.pk] + ("" if country else f" ({person.country_id})")
        field.widget.choices = shown.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("country") is not None:
            self.instance.check_focal_points(country=cleaned["country"], focal_points=cleaned.get("focal_points") or [])
        if cleaned.get("phase_changed_on") is not None and "phase" in cleaned and "start_date" in cleaned:
            about_to_be = Engagement(phase=cleaned["phase"], start_date=cleaned["start_date"])
            for field, errors in about_to_be.phase_change_day_errors(
                cleaned["phase_changed_on"], previous_phase=self.previous_phase
            ).items():
                self.add_error(field, errors)
        return cleaned


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["country", "name", "acronym", "kind", "website"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_country_choices(self.fields["country"], countries_editable_by(user, Agency.objects.write_roles))


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "sex", "email", "position", "country", "agency"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_country_choices(self.fields["country"], countries_editable_by(user, Person.objects.write_roles))
        self.fields["agency"].queryset = Agency.objects.visible_to(user).select_related("country")


class ListFilterForm(forms.Form):
    """Search and filters of a list page; a GET form, so the URL can be shared."""

    q = forms.CharField(label=_("Search"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(countries)


class EngagementFilterForm(ListFilterForm):
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All phases")), *Engagement.Phase.choices]
    )


class AgencyFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Agency.Kind.choices])


class ProgrammeCertificateForm(forms.Form):
    """What a programme's certificates print: issuer, logo, up to three signatories."""

    certificate_issuer = forms.CharField(
        label=_("Issuing organisation"),
        max_length=200,
        required=False,
        help_text=_("Printed at the top of the certificates; empty for the portal's default."),
    )
    certificate_logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("A PNG or JPEG image of at most 1 MB.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args, programme, **kwargs):
        initial = {"certificate_issuer": programme.certificate_issuer}
        for number, signatory in enumerate(programme.certificate_signatories or [], start=1):
            initial[f"signatory_{number}_name"] = signatory.get("name", "")
            initial[f"signatory_{number}_title"] = signatory.get("title", "")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["certificate_logo"].widget.attrs["accept"] = LOGO.accept_attribute
        if not programme.certificate_logo:
            del self.fields["remove_logo"]
        for number in range(1, MAX_SIGNATORIES + 1):
            self.fields[f"signatory_{number}_name"] = forms.CharField(
                label=_("Signatory %(n)d: name") % {"n": number}, max_length=120, required=False
            )
            self.fields[f"signatory_{number}_title"] = forms.CharField(
                label=_("Signatory %(n)d: title") % {"n": number}, max_length=120, required=False
            )

    def signatories(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"name": data.get(f"signatory_{n}_name", ""), "title": data.get(f"signatory_{n}_title", "")}
            for n in range(1, MAX_SIGNATORIES + 1)
        ]


def advance_auto_id(engagement) -> str:
    """Element ids of an engagement's move-on form, unique among the several on the home page."""
    return f"id_advance_{engagement.pk}_%s"


class PhaseAdvanceForm(forms.Form):
    """Moving an engagement on to the phase its activities suggest; the service decides what may."""

    to_phase = forms.ChoiceField(choices=Engagement.Phase.choices, widget=forms.HiddenInput)
    # Required by the service (engagements.services.engagement_advance), which says so in its words.
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
