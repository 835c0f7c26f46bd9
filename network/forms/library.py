"""Forms of the library: a document, a new version of its file, the search."""

from django import forms
from django.conf import global_settings
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.models import ControlledSubstance
from engagements.models import Country
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import check_upload

from .. import access
from ..models import Document
from ..models import NetworkEvent
from .common import SearchForm
from .common import accept_attribute
from .common import topic_field


class DocumentForm(DateBoundsMixin, forms.ModelForm):
    """A library document's description and audience; on creation, its first file too."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, office documents or text; the type is checked from the content."),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute()}),
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
        if not access.can_restrict_to_managers(user):
            audiences = [choice for choice in audiences if choice[0] != Document.Audience.MANAGERS]
        self.fields["audience"].choices = audiences
        self.fields["audience"].help_text = _(
            "Who may find and download it. For a network, an event or a country, choose which below."
        )
        self.fields["audience_network"].queryset = access.networks_choosable_by(user)
        self.fields["audience_event"].queryset = NetworkEvent.objects.editable_by(user)
        self.fields["audience_country"].queryset = access.countries_choosable_by(user)
        topic_field(self.fields["topics"], checkboxes=True)
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


class DocumentReplaceForm(forms.Form):
    file = forms.FileField(label=_("New file"), widget=forms.ClearableFileInput(attrs={"accept": accept_attribute()}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded, policy=LIBRARY)
        return uploaded


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
        topic_field(self.fields["topic"])
        self.fields["event"].queryset = NetworkEvent.objects.visible_to(user)
