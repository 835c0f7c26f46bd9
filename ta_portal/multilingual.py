"""Reference data in the portal's four languages (framework dimensions, courses, countries, substances).

A model's own columns hold the English text; a JSON column ``translations`` holds the other
languages, ``{"es": {"name": "…", "description": "…"}, "pt": {…}, "fr": {…}}``, so the API keeps its
field names and no column is added per language. The model names what is translated in
``TRANSLATED_FIELDS`` (field → key in each language's block; a dotted key reaches inside, as
``"levels.1"``). Pages, PDFs, exports and the API read ``translated(obj, field)``: the active
language's text, or the English one while no translation is given. The admin edits every language
through ``multilingual_form`` (one field per language, kept in ``translations``).
"""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def source_language() -> str:
    return settings.LANGUAGE_CODE[:2]


def other_languages() -> list[tuple[str, str]]:
    """(code, name) of every language besides the source one, in the order of LANGUAGES."""
    return [(code, name) for code, name in settings.LANGUAGES if code != source_language()]


def _lookup(block: dict, key: str):
    node = block
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def translated(obj, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in ``language`` (the active one by default), falling back to the English text."""
    base = getattr(obj, field)
    language = (language or get_language() or source_language())[:2]
    if language == source_language():
        return base
    key = type(obj).TRANSLATED_FIELDS[field]
    text = _lookup((obj.translations or {}).get(language) or {}, key)
    return text or base


def localized(field: str) -> property:
    """A read-only attribute with ``field`` in the active language: ``local_name = localized("name")``."""
    return property(lambda obj: translated(obj, field), doc=f"{field} in the active language")


def translations_field() -> models.JSONField:
    return models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_("The texts in the other languages; edited through the fields of each language."),
    )


def _store(translations: dict, language: str, key: str, text: str) -> None:
    block = translations.setdefault(language, {})
    *parents, last = key.split(".")
    for part in parents:
        block = block.setdefault(part, {})
    if text:
        block[last] = text
    else:
        block.pop(last, None)


def _prune(node):
    if isinstance(node, dict):
        pruned = {key: _prune(value) for key, value in node.items()}
        return {key: value for key, value in pruned.items() if value not in ({}, "", None)}
    return node


def form_field_name(field: str, language: str) -> str:
    return f"{field}_{language}"


class MultilingualFormMixin:
    """Fills the per-language fields from ``translations`` and writes them back on save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = getattr(self.instance, "translations", None) or {}
        for field, key in self._meta.model.TRANSLATED_FIELDS.items():
            for language, _name in other_languages():
                name = form_field_name(field, language)
                if name in self.fields and name not in self.initial:
                    self.initial[name] = _lookup(stored.get(language) or {}, key) or ""

    def collected_translations(self) -> dict:
        translations = dict(getattr(self.instance, "translations", None) or {})
        translations = {language: dict(block) for language, block in translations.items()}
        for field, key in self._meta.model.TRANSLATED_FIELDS.items():
            for language, _name in other_languages():
                name = form_field_name(field, language)
                if name in self.cleaned_data:
                    _store(translations, language, key, (self.cleaned_data[name] or "").strip())
        return _prune(translations)

    def save(self, commit=True):
        self.instance.translations = self.collected_translations()
        return super().save(commit=commit)


def translation_fields(model) -> dict[str, forms.Field]:
    """One optional form field per translated field and other language, labelled in that language's name."""
    fields = {}
    for field in model.TRANSLATED_FIELDS:
        model_field = model._meta.get_field(field)
        long_text = isinstance(model_field, models.TextField)
        for language, language_name in other_languages():
            fields[form_field_name(field, language)] = forms.CharField(
                label=f"{model_field.verbose_name} ({language_name})",
                required=False,
                max_length=None if long_text else model_field.max_length,
                widget=forms.Textarea(attrs={"rows": 3, "lang": language})
                if long_text
                else forms.TextInput(attrs={"lang": language}),
            )
    return fields


def multilingual_form(model, base: type[forms.ModelForm] = forms.ModelForm) -> type[forms.ModelForm]:
    """A ModelForm of ``model`` with a field per other language for each of its TRANSLATED_FIELDS."""
    declared = getattr(getattr(base, "Meta", None), "fields", None)
    options = {"model": model} if declared is not None else {"model": model, "exclude": ["translations"]}
    meta = type("Meta", (getattr(base, "Meta", object),), options)
    attributes = {**translation_fields(model), "Meta": meta}
    return type(f"{model.__name__}MultilingualForm", (MultilingualFormMixin, base), attributes)


def translation_fieldsets(model) -> list[tuple[str, dict]]:
    """Admin fieldsets: one per other language, with that language's fields."""
    return [
        (language_name, {"fields": [form_field_name(field, language) for field in model.TRANSLATED_FIELDS]})
        for language, language_name in other_languages()
    ]


class MultilingualAdminMixin:
    """For a ModelAdmin or an inline: the model's fields, then one fieldset per other language."""

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", multilingual_form(self.model, self.form))
        return super().get_form(request, obj, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", multilingual_form(self.model, self.form))
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            base = list(self.fieldsets)
        else:
            per_language = {
                form_field_name(field, language)
                for field in self.model.TRANSLATED_FIELDS
                for language, _name in other_languages()
            }
            own = [name for name in self.get_fields(request, obj) if name not in per_language | {"translations"}]
            base = [(None, {"fields": own})]
        if "translations" in self.get_readonly_fields(request, obj):
            return [*base, (_("Translations"), {"fields": ["translations"]})]
        return [*base, *translation_fieldsets(self.model)]
