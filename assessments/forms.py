import zoneinfo

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.forms import country_choices
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import Person
from engagements.selectors import managing_users
from ta_portal.params import int_param

from .models import LEVELS
from .models import Assessment
from .models import Dimension
from .models import EvidenceMeeting
from .models import Finding
from .models import Framework
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable
from .selectors import default_framework
from .selectors import frameworks_offered
from .services import ScoreEntry
from .services import roundtable_time_zone


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _country_agencies(country_code: str | None):
    agencies = Agency.objects.select_related("country").order_by("name")
    return agencies.filter(country_id=country_code) if country_code else agencies.none()


def _offer_engagements(form, user) -> Engagement | None:
    """Offer the engagements the user may change (fixed once the row is saved) and the agencies of
    the chosen one's country (before one is chosen, every agency the user may pick); return the
    engagement chosen, if any."""
    engagements = Engagement.objects.editable_by(user).select_related("country").order_by("country__name", "title")
    form.fields["engagement"].queryset = engagements
    if form.instance.pk:
        form.fields["engagement"].disabled = True
        engagement = form.instance.engagement
    else:
        engagement_id = int_param(form.data.get("engagement") or form.initial.get("engagement"))
        engagement = engagements.filter(pk=engagement_id).first() if engagement_id is not None else None
    form.fields["agencies"].queryset = (
        _country_agencies(engagement.country_id)
        if engagement
        else Agency.objects.filter(country__in=engagements.values("country")).select_related("country")
    )
    form.fields["agencies"].required = False
    return engagement


class AssessmentForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "engagement",
            "framework",
            "title",
            "start_date",
            "end_date",
            "agencies",
            "lead_assessors",
            "executive_summary",
            "method",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "executive_summary": forms.Textarea(attrs={"rows": 5}),
            "method": forms.Textarea(attrs={"rows": 4}),
            "agencies": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_engagements(self, user)
        offered = frameworks_offered()
        if self.instance.pk:
            # An assessment keeps its framework version; newer versions are offered only while unscored.
            offered = Framework.objects.filter(Q(pk__in=offered.values("pk")) | Q(pk=self.instance.framework_id))
            if self.instance.scores.exists():
                self.fields["framework"].disabled = True
        self.fields["framework"].queryset = offered.order_by("name", "-version")
        if not self.instance.pk and not self.initial.get("framework"):
            self.initial["framework"] = getattr(default_framework(), "pk", None)
        self.fields["lead_assessors"].queryset = managing_users()
        self.fields["lead_assessors"].required = False


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Assessment.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reopen a final assessment."),
    )


class ScoresForm(forms.Form):
    """One level (or none) and a rationale per dimension of the assessment's framework."""

    def __init__(self, *args, dimensions: list[Dimension], scores: dict[int, object], **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for dimension in dimensions:
            score = scores.get(dimension.pk)
            levels = dimension.local_levels()
            self.fields[f"level_{dimension.code}"] = forms.TypedChoiceField(
                label=dimension.local_name(),
                choices=[("", _("Not scored")), *((str(n), f"{n}. {levels[str(n)]}") for n in LEVELS)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=str(score.level) if score else "",
            )
            self.fields[f"rationale_{dimension.code}"] = forms.CharField(
                label=_("Rationale: %(dimension)s") % {"dimension": dimension.local_name()},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.rationale if score else "",
            )

    def rows(self):
        for dimension in self.dimensions:
            yield dimension, self[f"level_{dimension.code}"], self[f"rationale_{dimension.code}"]

    def entries(self):
        return [
            ScoreEntry(
                dimension=d.code,
                level=self.cleaned_data.get(f"level_{d.code}"),
                rationale=self.cleaned_data.get(f"rationale_{d.code}") or "",
            )
            for d in self.dimensions
        ]


class _AssessmentPartForm(DateBoundsMixin, forms.ModelForm):
    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.country = assessment.engagement.country_id


class MeetingForm(_AssessmentPartForm):
    class Meta:
        model = EvidenceMeeting
        fields = ["date", "kind", "agency", "people", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _country_agencies(self.country)
        self.fields["people"].queryset = (
            Person.objects.filter(country_id=self.country).select_related("agency").order_by("full_name")
        )
        self.fields["people"].required = False
        self.fields["people"].widget.attrs["size"] = 8


class InstrumentForm(_AssessmentPartForm):
    class Meta:
        model = LegalInstrument
        fields = ["title", "kind", "year", "state", "gaps"]
        widgets = {"gaps": forms.Textarea(attrs={"rows": 4})}


class FindingForm(_AssessmentPartForm):
    class Meta:
        model = Finding
        fields = ["dimension", "kind", "priority", "text", "agencies", "substances"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "agencies": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = self.assessment.framework.dimensions.all()
        self.fields["agencies"].queryset = _country_agencies(self.country)
        self.fields["agencies"].required = False
        self.fields["substances"].queryset = ControlledSubstance.objects.filter(
            Q(listing__in=["I", "II"]) | Q(countries=self.country)
        ).distinct()
        self.fields["substances"].required = False
        self.fields["substances"].widget.attrs["size"] = 8


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "priority", "responsible_agency", "timeframe"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_agency"].queryset = _country_agencies(finding.assessment.engagement.country_id)


class RoundtableForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = Roundtable
        fields = list(Roundtable.EDITABLE_FIELDS)
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "agencies": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        engagement = _offer_engagements(self, user)
        assessments = (
            Assessment.objects.filter(engagement=engagement) if engagement else Assessment.objects.editable_by(user)
        )
        self.fields["assessment"].queryset = assessments.select_related("engagement")
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label,
            help_text=self.fields["time_zone"].help_text,
            choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
            required=False,
            initial=self.instance.time_zone if self.instance.pk else roundtable_time_zone(engagement),
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("time_zone"):
            # Left empty: where the engagement's country is (the roundtable's, once saved).
            engagement = self.instance.engagement if self.instance.pk else cleaned.get("engagement")
            cleaned["time_zone"] = roundtable_time_zone(engagement)
        return cleaned


def _person_label(person: Person) -> str:
    agency = person.agency.acronym or person.agency.name if person.agency_id else ""
    return f"{person.full_name} ({agency})" if agency else person.full_name


class AttendanceForm(forms.Form):
    """Tick who attended; invite more people of the country from the register."""

    invite = forms.ModelMultipleChoiceField(
        label=_("Invite people from the register"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, roundtable: Roundtable, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        country = roundtable.engagement.country_id
        invited = [row.person_id for row in self.rows]
        self.fields["invite"].queryset = (
            Person.objects.filter(country_id=country).exclude(pk__in=invited).select_related("agency")
        )
        self.fields["invite"].label_from_instance = _person_label
        for row in self.rows:
            self.fields[f"attended_{row.person_id}"] = forms.BooleanField(
                label=_("%(name)s attended") % {"name": row.person.full_name}, required=False, initial=row.attended
            )
            self.fields[f"remove_{row.person_id}"] = forms.BooleanField(
                label=_("Remove %(name)s from the list") % {"name": row.person.full_name}, required=False
            )

    def attendance_rows(self):
        for row in self.rows:
            yield row, self[f"attended_{row.person_id}"], self[f"remove_{row.person_id}"]

    def attended(self) -> dict[int, bool]:
        return {row.person_id: bool(self.cleaned_data.get(f"attended_{row.person_id}")) for row in self.rows}

    def removed(self) -> list[int]:
        return [row.person_id for row in self.rows if self.cleaned_data.get(f"remove_{row.person_id}")]


class NewAttendeeForm(forms.ModelForm):
    """Someone met at the roundtable who is not in the register yet."""

    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)

    class Meta:
        model = Person
        fields = ["full_name", "sex", "email", "position", "agency"]

    def __init__(self, *args, roundtable: Roundtable, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["agency"].queryset = _country_agencies(roundtable.engagement.country_id)
        self.instance.country_id = roundtable.engagement.country_id


class ReportRequestForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("My language")), *settings.LANGUAGES]


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Assessment.Status.choices]
    )
    engagement = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(countries)
