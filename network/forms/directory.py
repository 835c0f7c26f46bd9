"""Forms of the expert directory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.forms import country_choices
from engagements.models import Country
from engagements.models import Person

from ..models import AgencyGroup
from ..models import ExpertProfile
from .common import SearchForm
from .common import topic_field


class ExpertProfileForm(forms.ModelForm):
    class Meta:
        model = ExpertProfile
        fields = ["opted_in", "show_contact", "phone", "expertise", "topics", "languages", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topic_field(self.fields["topics"], checkboxes=True)


class NewExpertProfileForm(ExpertProfileForm):
    """A manager lists someone (with their consent) who has no directory entry yet."""

    class Meta(ExpertProfileForm.Meta):
        fields = ["person", *ExpertProfileForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.editable_by(user)
            .filter(expert_profile__isnull=True)
            .select_related("country")
            .order_by("country__name", "full_name")
        )
        self.fields["opted_in"].help_text = _(
            "Tick only if the person agreed (their consent is recorded with your name)."
        )


class DirectoryFilterForm(SearchForm):
    country = forms.ChoiceField(label=_("Country"), required=False)
    agency_kind = forms.ChoiceField(label=_("Agency kind"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=None, empty_label=_("All topics"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Country.objects.filter(people__expert_profile__opted_in=True).distinct()
        self.fields["country"].choices = country_choices(countries)
        self.fields["agency_kind"].choices = [("", _("All kinds")), *AgencyGroup.choices]
        topic_field(self.fields["topic"])
