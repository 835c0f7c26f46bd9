from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from assessments.models import Dimension
from assessments.models import Framework
from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from engagements.forms import ListFilterForm
from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person
from engagements.selectors import countries_editable_by

from .files import IMPORT_MAX_BYTES
from .models import Course
from .models import ExamForm
from .models import Phase
from .models import Question
from .models import TrainingSession
from .quiz import GENERIC
from .quiz import MOODLE
from .selectors import trainer_choices


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "code", "description", "dimensions", "duration_hours", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "dimensions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = Framework.objects.latest_versions()
        self.fields["dimensions"].queryset = (
            Dimension.objects.filter(framework__in=latest).select_related("framework").order_by("order", "code")
        )


class SessionForm(DateBoundsMixin, forms.ModelForm):
    """A session's details. Planning fields (engagement, countries, trainers) only for managers."""

    class Meta:
        model = TrainingSession
        fields = [*TrainingSession.EDITABLE_FIELDS, "notes"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "countries": forms.SelectMultiple(attrs={"size": 6}),
            "trainers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, can_plan: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True) | Course.objects.filter(
            pk=getattr(self.instance, "course_id", None)
        )
        # Left out of a submission, the session keeps its policy (a new one: the best attempt).
        self.fields["attempt_policy"].required = False
        if not can_plan:
            for name in TrainingSession.PLANNING_FIELDS:
                del self.fields[name]
            return
        self.fields["engagement"].queryset = Engagement.objects.editable_by(user).select_related("country")
        self.fields["countries"].queryset = countries_editable_by(user)
        self.fields["countries"].required = False
        self.fields["trainers"].queryset = trainer_choices()

    def clean(self):
        cleaned = super().clean()
        if "countries" in self.fields:
            place = {"engagement": cleaned.get("engagement"), "countries": cleaned.get("countries")}
            for field, message in TrainingSession.place_errors(**place).items():
                self.add_error(field, message)
        return cleaned


class SessionFilterForm(ListFilterForm):
    course = forms.ModelChoiceField(
        label=_("Course"), required=False, queryset=Course.objects.all(), empty_label=_("All courses")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TrainingSession.Kind.choices]
    )
    engagement = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ParticipantForm(forms.ModelForm):
    """A new participant, added to the people register on the spot."""

    class Meta:
        model = Person
        fields = ["full_name", "sex", "email", "position", "country", "agency"]

    def __init__(self, *args, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        countries = session.countries.all()
        self.fields["country"].queryset = countries
        self.fields["agency"].queryset = Agency.objects.filter(country__in=countries).select_related("country")
        if len(countries) == 1:
            self.fields["country"].initial = countries[0]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Results file (CSV or XLSX)"),
        help_text=_("At most %(mb)s MB. Use the template: one row per participant.")
        % {"mb": IMPORT_MAX_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class QuizImportForm(forms.Form):
    """An online quiz's results, checked first (a dry run) and imported once confirmed."""

    exam = forms.ChoiceField(
        label=_("The quiz is the session's"), choices=Phase.choices, initial=Phase.POST, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label=_("File"),
        choices=[
            (MOODLE, _("Moodle: the quiz's Grades report (one row per attempt)")),
            (GENERIC, _("Marks per question: one row per participant, columns Q1, Q2… (KoboToolbox, forms)")),
        ],
        initial=MOODLE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Results file (CSV or XLSX)"),
        help_text=_("At most %(mb)s MB. Nothing is saved until you confirm what the check shows.")
        % {"mb": IMPORT_MAX_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class QuizConfirmForm(forms.Form):
    """The confirmation of a checked file, kept on the server under ``token`` meanwhile."""

    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)
    enrol_new = forms.BooleanField(label=_("Enrol the new participants listed above"), required=False)


class ExamFormForm(forms.ModelForm):
    class Meta:
        model = ExamForm
        fields = ["code"]

    def __init__(self, *args, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's clean() checks the code against the session's other forms.
        self.instance.session = session


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["number", "topic", "dimension", "points"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = Dimension.objects.filter(
            framework__in=Framework.objects.latest_versions()
        ).order_by("order", "code")
        # Laid out as a table row: compact Bootstrap widgets, the labels hidden (one per row in the markup).
        for name in ("number", "topic", "points"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["dimension"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["number"].widget.attrs["class"] += " narrow-input"
        self.fields["topic"].widget.attrs["class"] += " topic-input"
        self.fields["points"].widget.attrs["class"] += " narrow-input"


class BaseQuestionFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, max_score=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_score = max_score

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers, total = set(), 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            number = form.cleaned_data["number"]
            if number in numbers:
                raise forms.ValidationError(_("Question %(n)s appears twice.") % {"n": number})
            numbers.add(number)
            total += form.cleaned_data["points"]
        if numbers and self.max_score is not None and total != self.max_score:
            raise forms.ValidationError(
                _("The questions' points add up to %(total)s; the session's maximum score is %(max)s.")
                % {"total": f"{total.normalize():f}", "max": f"{self.max_score.normalize():f}"}
            )


QuestionFormSet = inlineformset_factory(
    ExamForm,
    Question,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=3,
    can_delete=True,
)
