from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.models import Recommendation
from assessments.models import Roundtable
from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.models import Agency
from engagements.models import ControlledSubstance
from ta_portal.uploads import EVIDENCE

from .models import COORDINATION_QUESTIONS
from .models import UNANSWERED_MESSAGE
from .models import FollowupRound
from .models import FollowupSchedule
from .models import Frequency
from .models import Indicator
from .models import Measure
from .models import MeasureStatus
from .models import unanswered_questions


class MeasureForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "title",
            "description",
            "responsible_agency",
            "priority",
            "due_date",
            "substances",
            "roundtable",
            "recommendation",
            "agreed_on",
        ]
        widgets = {
            "due_date": DateInput(),
            "agreed_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "agreed_on": _(
                "For a measure of the past. Left empty, it counts as agreed on the day of its roundtable, "
                "or else on the day it was entered."
            )
        }

    def __init__(self, *args, engagement, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.engagement = engagement
        self.fields["responsible_agency"].queryset = Agency.objects.filter(country_id=engagement.country_id)
        self.fields["substances"].queryset = ControlledSubstance.objects.all()
        self.fields["substances"].widget.attrs["size"] = 8
        self.fields["roundtable"].queryset = Roundtable.objects.visible_to(user).filter(engagement=engagement)
        self.fields["recommendation"].queryset = (
            Recommendation.objects.visible_to(user)
            .filter(finding__assessment__engagement=engagement)
            .select_related("finding")
        )
        self.fields["recommendation"].label_from_instance = lambda rec: rec.text[:120]


class RoundtableMeasureForm(DateBoundsMixin, forms.ModelForm):
    """A measure agreed at a roundtable: what, who, by when, and which recommendation it answers."""

    class Meta:
        model = Measure
        fields = ["title", "responsible_agency", "due_date", "recommendation", "priority", "description"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, roundtable, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.engagement = roundtable.engagement
        self.instance.roundtable = roundtable
        self.fields["responsible_agency"].queryset = Agency.objects.filter(country_id=roundtable.engagement.country_id)
        recommendations = Recommendation.objects.visible_to(user).select_related("finding")
        if roundtable.assessment_id:
            recommendations = recommendations.filter(finding__assessment_id=roundtable.assessment_id)
        else:
            recommendations = recommendations.filter(finding__assessment__engagement_id=roundtable.engagement_id)
        self.fields["recommendation"].queryset = recommendations
        self.fields["recommendation"].label_from_instance = lambda rec: rec.text[:120]


class ScheduleForm(DateBoundsMixin, forms.ModelForm):
    class Meta:
        model = FollowupSchedule
        fields = ["start_date", "cadence_months", "response_days", "end_date", "active"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.engagement = engagement


class RoundOpenForm(DateBoundsMixin, forms.Form):
    """The due date of a round opened now; ``services.round_open`` judges it."""

    due_date = forms.DateField(label=_("Due date"), widget=DateInput())


class RoundRecordForm(DateBoundsMixin, forms.Form):
    """A round of the past: its days and the measures it asked about; ``services.round_record`` judges them."""

    opens_on = forms.DateField(label=_("Opened on"), widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    measures = forms.ModelMultipleChoiceField(
        label=_("Measures it asked about"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to ask about the measures that were open on the day it opened."),
    )

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["measures"]
        field.queryset = Measure.objects.filter(engagement=engagement).with_agreed_day().order_by("agreed_day", "pk")
        field.label_from_instance = lambda measure: (
            gettext("%(title)s (agreed on %(day)s)")
            % {
                "title": measure.title,
                "day": date_format(measure.agreed_day, "SHORT_DATE_FORMAT"),
            }
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class StatusUpdateForm(forms.Form):
    """A report on one measure; the service checks the rules (see services._validate_report)."""

    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    progress_pct = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, widget=forms.NumberInput(attrs={"step": 5})
    )
    narrative = forms.CharField(
        label=_("What was done since the last report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to submit; a draft may be incomplete."),
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)

    def __init__(self, *args, manager: bool, prefix_id: int | None = None, **kwargs):
        if prefix_id is not None:
            kwargs.setdefault("auto_id", f"id_m{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        if not manager:
            self.fields["status"].choices = [c for c in MeasureStatus.choices if c[0] != MeasureStatus.CANCELLED]
        self.fields["files"].widget.attrs["accept"] = EVIDENCE.accept_attribute
        self.fields["files"].help_text = gettext("PDF, images or office documents, up to %(n)d files.") % {
            "n": EVIDENCE.max_files
        }


class StatusUpdateRecordForm(DateBoundsMixin, StatusUpdateForm):
    """A report of the past, recorded by a manager with its days; ``services.status_update_record`` judges it."""

    round = forms.ModelChoiceField(
        label=_("Round"),
        queryset=FollowupRound.objects.none(),
        required=False,
        empty_label=_("Outside rounds"),
        help_text=_("A round of the past recorded after the fact, or the round still open."),
    )
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DateInput())
    verified_on = forms.DateField(
        label=_("Verified on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "If it was verified then: it counts as verified by you on that day. Otherwise it awaits verification."
        ),
    )
    field_order = ["round", "submitted_on", "status", "progress_pct", "narrative", "verified_on", "files"]

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, manager=True, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["round"].label_from_instance = lambda round_: (
            gettext("Opened %(opens)s, due %(due)s")
            % {
                "opens": date_format(round_.opens_on, "SHORT_DATE_FORMAT"),
                "due": date_format(round_.due_date, "SHORT_DATE_FORMAT"),
            }
        )
        self.fields["narrative"].label = _("What was reported")
        self.fields["narrative"].help_text = ""


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: the report is verified")), ("return", _("Return to the counterpart"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: it is e-mailed to the counterpart."),
    )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "description", "substance", "baseline", "target", "order", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.engagement = engagement


class RoundIndicatorsForm(forms.Form):
    """The round's indicator values and the coordination questionnaire, on one page."""

    def __init__(self, *args, indicators, values, coordination, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            current = values.get(indicator.pk)
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=str(indicator),
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=current.value if current else None,
                help_text=indicator.description,
            )
            self.fields[f"note_{indicator.pk}"] = forms.CharField(
                label=_("Note on “%(name)s”") % {"name": indicator.name},
                required=False,
                max_length=300,
                initial=current.note if current else "",
            )
        for field, question in COORDINATION_QUESTIONS:
            self.fields[f"q_{field}"] = forms.TypedChoiceField(
                label=question,
                choices=Frequency.choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=getattr(coordination, field, None),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Examples of coordination since the last round"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=getattr(coordination, "comment", ""),
        )

    def indicator_fields(self):
        return [(self[f"value_{i.pk}"], self[f"note_{i.pk}"]) for i in self.indicators]

    def question_fields(self):
        return [self[f"q_{field}"] for field, _q in COORDINATION_QUESTIONS]

    def clean(self):
        cleaned = super().clean()
        for field in unanswered_questions(self._answers()):
            self.add_error(f"q_{field}", UNANSWERED_MESSAGE)
        return cleaned

    def _answers(self) -> dict:
        return {field: self.cleaned_data.get(f"q_{field}") for field, _q in COORDINATION_QUESTIONS}

    def values(self) -> dict:
        return {
            indicator: (self.cleaned_data.get(f"value_{indicator.pk}"), self.cleaned_data.get(f"note_{indicator.pk}"))
            for indicator in self.indicators
        }

    def answers(self) -> dict | None:
        """The questionnaire's answers, or None when it is left for later (all blank)."""
        answers = self._answers()
        return None if all(value in (None, "") for value in answers.values()) else answers
