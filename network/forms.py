from django import forms
from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import EVERY_ROLE, MANAGING_ROLES
from accounts.scoping import has_role, is_admin
from engagements.forms import DateBoundsMixin, DateInput
from engagements.models import Agency, ControlledSubstance, Country, Engagement, Person
from engagements.selectors import countries_editable_by
from ta_portal.uploads import LIBRARY, check_upload

from . import selectors
from .models import (
    AgencyGroup,
    AgendaItem,
    Document,
    EventOutcome,
    ExpertProfile,
    ExternalRecommendation,
    Network,
    NetworkEvent,
    Registration,
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _accept_attribute() -> str:
    return LIBRARY.accept_attribute


def _topic_field(field, *, checkboxes: bool = False) -> None:
    """Topics are the assessment dimensions, named in the reader's language."""
    if checkboxes:
        field.widget = forms.CheckboxSelectMultiple()
    field.label_from_instance = lambda dimension: dimension.local_name()
    field.queryset = selectors.topic_choices()


def _users():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")


# ---------------------------------------------------------------------------------------------
# Library


class DocumentForm(DateBoundsMixin, forms.ModelForm):
    """A library document's description and audience; on creation, its first file too."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, office documents or text; the type is checked from the content."),
        widget=forms.ClearableFileInput(attrs={"accept": _accept_attribute()}),
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "kind",
            "language",
            "authors",
            "published_on",
            "description",
            "audience",
            "audience_network",
            "audience_event",
            "audience_country",
            "countries",
            "topics",
            "substances",
            "events",
        ]
        widgets = {"published_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields["file"]
        audiences = list(Document.Audience.choices)
        if not (is_admin(user) or has_role(user, *MANAGING_ROLES)):
            audiences = [choice for choice in audiences if choice[0] != Document.Audience.MANAGERS]
        self.fields["audience"].choices = audiences
        self.fields["audience"].help_text = _(
            "Who may find and download it. For a network, an event or a country, choose which below."
        )
        networks = Network.objects.all() if is_admin(user) else Network.objects.with_member(user)
        self.fields["audience_network"].queryset = networks
        self.fields["audience_event"].queryset = NetworkEvent.objects.editable_by(user)
        countries = Country.objects.all() if is_admin(user) else selectors.countries_in_scope(user, EVERY_ROLE)
        self.fields["audience_country"].queryset = countries
        _topic_field(self.fields["topics"], checkboxes=True)
        self.fields["substances"].queryset = ControlledSubstance.objects.all()
        self.fields["events"].queryset = NetworkEvent.objects.visible_to(user)
        for name in ("countries", "substances", "events"):
            self.fields[name].widget.attrs["size"] = 6
            self.fields[name].help_text = " ".join(
                str(text)
                for text in (self.fields[name].help_text, _("Hold Ctrl (⌘ on a Mac) to choose several."))
                if text
            )
        # The file first: it is what the form is for.
        self.order_fields(["file", "title", "kind", "language", "audience"])

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is not None:
            check_upload(uploaded, policy=LIBRARY)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        needed = {
            Document.Audience.NETWORK: "audience_network",
            Document.Audience.EVENT: "audience_event",
            Document.Audience.COUNTRY: "audience_country",
        }
        for value, name in needed.items():
            if audience == value and not cleaned.get(name):
                self.add_error(name, _("Choose who may read it."))
            elif audience != value:
                cleaned[name] = None
        return cleaned


class DocumentReplaceForm(forms.Form):
    file = forms.FileField(label=_("New file"), widget=forms.ClearableFileInput(attrs={"accept": _accept_attribute()}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded, policy=LIBRARY)
        return uploaded


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class DocumentFilterForm(SearchForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    country = forms.ModelChoiceField(
        label=_("Country"), required=False, queryset=Country.objects.none(), empty_label=_("All countries")
    )
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=None, empty_label=_("All topics"))
    substance = forms.ModelChoiceField(
        label=_("Substance"),
        required=False,
        queryset=ControlledSubstance.objects.all(),
        empty_label=_("All substances"),
    )
    event = forms.ModelChoiceField(label=_("Event"), required=False, queryset=None, empty_label=_("All events"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *Document.Kind.choices]
        languages = dict(global_settings.LANGUAGES)
        used = Document.objects.visible_to(user).order_by().values_list("language", flat=True).distinct()
        self.fields["language"].choices = [("", _("All languages"))] + sorted(
            ((code, str(languages.get(code, code))) for code in used), key=lambda item: item[1]
        )
        self.fields["country"].queryset = Country.objects.filter(library_documents__isnull=False).distinct()
        self.fields["country"].to_field_name = "code"
        _topic_field(self.fields["topic"])
        self.fields["event"].queryset = NetworkEvent.objects.visible_to(user)


# ---------------------------------------------------------------------------------------------
# Networks


class NetworkForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["name", "acronym", "description", "countries"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NetworkMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None)
    is_coordinator = forms.BooleanField(label=_("Coordinator"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users()
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username})"
        )


# ---------------------------------------------------------------------------------------------
# Events


class EventForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = NetworkEvent
        fields = [
            "title",
            "kind",
            "network",
            "modality",
            "start_date",
            "end_date",
            "venue",
            "city",
            "host_country",
            "online_url",
            "countries",
            "registration_open",
            "description",
            "organisers",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.all() if is_admin(user) else Network.objects.with_member(user)
        self.fields["countries"].widget.attrs["size"] = 8
        self.fields["organisers"].queryset = _users()
        self.fields["organisers"].required = False
        self.fields["organisers"].help_text = _("You are added as an organiser of an event you create.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        if cleaned.get("modality") in (NetworkEvent.Modality.VIRTUAL, NetworkEvent.Modality.HYBRID) and not cleaned.get(
            "online_url"
        ):
            self.add_error("online_url", _("A virtual or hybrid event needs its online meeting link."))
        return cleaned


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
        self.event = event
        self.instance.event = event

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("kind"), cleaned.get("number")
        if kind and number and EventOutcome.objects.filter(event=self.event, kind=kind, number=number).exists():
            self.add_error("number", _("This number is already used."))
        return cleaned


class RegistrationForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(
        label=_("Role"), choices=Registration.ParticipantRole.choices, initial=Registration.ParticipantRole.PARTICIPANT
    )

    def __init__(self, *args, user, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        already = event.registrations.active().values("person")
        self.fields["person"].queryset = selectors.registrable_people(user=user, event=event).exclude(pk__in=already)
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

    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        if email and Person.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("A person with this e-mail already exists; choose them in the list of people instead.")
            )
        return email


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


# ---------------------------------------------------------------------------------------------
# Expert directory


class ExpertProfileForm(forms.ModelForm):
    class Meta:
        model = ExpertProfile
        fields = ["opted_in", "show_contact", "phone", "expertise", "topics", "languages", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _topic_field(self.fields["topics"], checkboxes=True)


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
        countries = Country.objects.filter(people__expert_profile__opted_in=True).distinct().values_list("code", "name")
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["agency_kind"].choices = [("", _("All kinds")), *AgencyGroup.choices]
        _topic_field(self.fields["topic"])


# ---------------------------------------------------------------------------------------------
# External recommendations


class ExternalRecommendationForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = ExternalRecommendation
        fields = [
            "country",
            "source",
            "round",
            "date",
            "reference",
            "text",
            "theme",
            "topic",
            "event",
            "engagement",
            "review_cycle_months",
        ]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries_editable_by(user, ExternalRecommendation.objects.write_roles)
        _topic_field(self.fields["topic"])
        self.fields["event"].queryset = NetworkEvent.objects.visible_to(user)
        self.fields["engagement"].queryset = Engagement.objects.editable_by(user).select_related("country")

    def clean(self):
        cleaned = super().clean()
        country, engagement = cleaned.get("country"), cleaned.get("engagement")
        if country and engagement and engagement.country_id != country.pk:
            self.add_error("engagement", _("The engagement belongs to another country."))
        return cleaned


class ExternalRecommendationFilterForm(SearchForm):
    country = forms.ChoiceField(label=_("Country"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        countries = selectors.countries_in_scope(user).filter(external_recommendations__isnull=False).distinct()
        self.fields["country"].choices = [("", _("All countries")), *countries.values_list("code", "name")]
        self.fields["source"].choices = [("", _("All sources")), *ExternalRecommendation.Source.choices]
