"""Forms of the recommendations countries received from other mechanisms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.forms import country_choices
from engagements.models import Engagement
from engagements.selectors import countries_editable_by

from .. import selectors
from ..models import ExternalRecommendation
from ..models import NetworkEvent
from .common import SearchForm
from .common import topic_field


class ExternalRecommendationForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = ExternalRecommendation
        fields = list(ExternalRecommendation.EDITABLE_FIELDS)
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries_editable_by(user, ExternalRecommendation.objects.write_roles)
        topic_field(self.fields["topic"])
        self.fields["event"].queryset = NetworkEvent.objects.visible_to(user)
        self.fields["engagement"].queryset = Engagement.objects.editable_by(user).select_related("country")


class ExternalRecommendationFilterForm(SearchForm):
    country = forms.ChoiceField(label=_("Country"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        countries = selectors.countries_in_scope(user).filter(external_recommendations__isnull=False).distinct()
        self.fields["country"].choices = country_choices(countries)
        self.fields["source"].choices = [("", _("All sources")), *ExternalRecommendation.Source.choices]
