"""Forms of the surveys: a participant's answers, a session's survey, the question bank and templates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagements.forms import DateBoundsMixin
from engagements.forms import DateInput
from ta_portal.multilingual import form_field_name
from ta_portal.multilingual import multilingual_form
from ta_portal.multilingual import other_languages
from trainings.models import TrainingSession

from .models import LIKERT_VALUES
from .models import Purpose
from .models import QuestionKind
from .models import SurveyQuestion
from .models import SurveyTemplate
from .selectors import LIKERT_LABELS

TEXT_ANSWER_MAX = 5000


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question of the survey, in the participant's language (the view activates it)."""

    def __init__(self, *args, questions: list[SurveyQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = self._field(question)

    @staticmethod
    def _field(question: SurveyQuestion) -> forms.Field:
        common = {"label": question.local_text, "required": question.required}
        if question.kind == QuestionKind.LIKERT:
            choices = [(value, f"{value} · {LIKERT_LABELS[value]}") for value in LIKERT_VALUES]
            return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect, **common)
        if question.kind == QuestionKind.CHOICE:
            choices = list(enumerate(question.option_labels()))
            return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect, **common)
        if question.kind == QuestionKind.NUMBER:
            return forms.DecimalField(
                min_value=question.min_value,
                max_value=question.max_value,
                max_digits=11,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                **common,
            )
        return forms.CharField(max_length=TEXT_ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common)

    def items(self):
        """(question, bound field) in the survey's order, for the page."""
        return [(question, self[field_name(question)]) for question in self.questions]

    def answers(self) -> dict:
        return {question: self.cleaned_data.get(field_name(question)) for question in self.questions}


class SurveyCreateForm(DateBoundsMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    template = forms.ModelChoiceField(label=_("Template"), queryset=SurveyTemplate.objects.none())
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        initial=True,
        help_text=_("No answer is linked to a name: not in the pages, the exports, the API or the audit trail."),
    )
    opens_on = forms.DateField(
        label=_("Opens on"),
        widget=DateInput(),
        help_text=_("The participants are e-mailed their personal link on this day."),
    )

    def __init__(self, *args, session: TrainingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["template"].queryset = SurveyTemplate.objects.filter(items__isnull=False).distinct()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionFormBase(forms.ModelForm):
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line (single-choice questions only)."),
    )

    class Meta:
        model = SurveyQuestion
        fields = ["code", "kind", "text", "required", "min_value", "max_value", "headline", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.translations or {}
        self.fields["options"].initial = "\n".join(self.instance.options or [])
        for language, language_name in other_languages():
            name = f"options_{language}"
            self.fields[name] = forms.CharField(
                label=_("Options (%(language)s)") % {"language": language_name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "lang": language}),
            )
            self.fields[name].initial = "\n".join((stored.get(language) or {}).get("options") or [])
        self.original_kind = self.instance.kind if self.instance.pk else None
        self.original_options = list(self.instance.options or []) if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        options = _lines(cleaned.get("options"))
        self.instance.options = options
        for language, _name in other_languages():
            given = _lines(cleaned.get(f"options_{language}"))
            if given and len(given) != len(options):
                self.add_error(f"options_{language}", _("Give as many options as in English, in the same order."))
        return cleaned

    def save(self, commit=True):
        # The texts' translations are in place (MultilingualFormMixin.save); the options join them.
        translations = {language: dict(block) for language, block in (self.instance.translations or {}).items()}
        for language, _name in other_languages():
            given = _lines(self.cleaned_data.get(f"options_{language}"))
            block = translations.get(language, {})
            if given:
                block["options"] = given
            else:
                block.pop("options", None)
            if block:
                translations[language] = block
            else:
                translations.pop(language, None)
        self.instance.translations = translations
        return super().save(commit=commit)

    def translation_field_names(self) -> list[str]:
        names = []
        for language, _name in other_languages():
            names += [form_field_name("text", language), f"options_{language}"]
        return names


QuestionForm = multilingual_form(SurveyQuestion, QuestionFormBase)


class TemplateFormBase(forms.ModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ["name", "purpose", "is_default"]

    def __init__(self, *args, questions: list[SurveyQuestion], locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.locked = locked
        positions = {}
        if self.instance.pk:
            positions = dict(self.instance.items.values_list("question_id", "position"))
        for question in questions:
            self.fields[f"position_{question.pk}"] = forms.IntegerField(
                label=question.local_text,
                required=False,
                min_value=1,
                max_value=99,
                initial=positions.get(question.pk),
                disabled=locked,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm position-input"}),
            )

    def position_fields(self):
        return [(question, self[f"position_{question.pk}"]) for question in self.questions]

    def chosen_questions(self) -> list[SurveyQuestion] | None:
        """The questions given a position, in that order (ties by code); None when locked."""
        if self.locked:
            return None
        chosen = [
            (self.cleaned_data[f"position_{q.pk}"], q.code, q)
            for q in self.questions
            if self.cleaned_data.get(f"position_{q.pk}") is not None
        ]
        return [q for _position, _code, q in sorted(chosen, key=lambda row: (row[0], row[1]))]


TemplateForm = multilingual_form(SurveyTemplate, TemplateFormBase)


class PooledFilterForm(forms.Form):
    """The filters of the pooled results: purpose, and a course, a country or a programme."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, required=False)
    course = forms.ModelChoiceField(label=_("Course"), queryset=None, required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=None, required=False)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, required=False)

    def __init__(self, *args, courses, countries, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["country"].queryset = countries
        self.fields["programme"].queryset = programmes
