"""Forms of events: the event, its agenda and outcomes, registrations and attendance."""

from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.models import Agency
from engagements.models import Country
from engagements.models import Person

from .. import access
from ..models import AgendaItem
from ..models import EventOutcome
from ..models import NetworkEvent
from ..models import Registration
from .common import SearchForm
from .common import TimeInput
from .common import active_users


class EventForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = NetworkEvent
        fields = [*NetworkEvent.EDITABLE_FIELDS, "organisers"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = access.networks_choosable_by(user)
        self.fields["countries"].widget.attrs["size"] = 8
        self.fields["organisers"].queryset = active_users()
        self.fields["organisers"].required = False
        self.fields["organisers"].help_text = _("You are added as an organiser of an event you create.")


class AgendaItemForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["day", "start_time", "end_time", "title", "speakers", "description"]
        widgets = {
            "day": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event


class EventOutcomeForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = EventOutcome
        fields = ["kind", "number", "text", "adopted_on"]
        widgets = {"adopted_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event


class RegistrationForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(
        label=_("Role"), choices=Registration.ParticipantRole.choices, initial=Registration.ParticipantRole.PARTICIPANT
    )

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        already = event.registrations.active().values("person")
        self.fields["person"].queryset = access.registrable_people(user, event).exclude(pk__in=already)
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.full_name} · {p.country}" + (f" · {p.agency.acronym or p.agency.name}" if p.agency_id else "")
        )


class NewParticipantForm(forms.ModelForm):
    """Register someone the portal does not know yet: the person is created with the registration."""

    role = forms.ChoiceField(
        label=_("Role"), choices=Registration.ParticipantRole.choices, initial=Registration.ParticipantRole.PARTICIPANT
    )

    class Meta:
        model = Person
        fields = ["full_name", "sex", "email", "position", "country", "agency"]

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        codes = list(event.countries.values_list("code", flat=True))
        if event.host_country_id:
            codes.append(event.host_country_id)
        countries = Country.objects.filter(code__in=codes) if codes else Country.objects.all()
        self.fields["country"].queryset = countries
        self.fields["agency"].queryset = Agency.objects.filter(country__in=countries).select_related("country")
        self.fields["sex"].help_text = _("Needed for the disaggregated participant figures.")


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(label=_("Attended"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(r.pk), r.person.full_name) for r in registrations]
        self.fields["attended"].initial = [str(r.pk) for r in registrations if r.attended]


class EventFilterForm(SearchForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *NetworkEvent.Kind.choices]
