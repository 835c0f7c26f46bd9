from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    object = forms.CharField(label=_("Record id"), required=False, max_length=64)
    actor = forms.CharField(label=_("By (username)"), required=False, max_length=150)
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditEntry.Action.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, model_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Any")), *model_choices]

    def clean_country(self):
        code = self.cleaned_data["country"].strip()
        if code and not (len(code) == 2 and code.isalpha()):
            raise forms.ValidationError(_("A country is given by its two-letter ISO code."))
        return code.upper()


class FailedLoginFilterForm(forms.Form):
    username = forms.CharField(label=_("Username tried"), required=False, max_length=150)
