"""The upload form of the history import (the workbook is checked by the service, from its content)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("History workbook (XLSX)"),
        help_text=_("Fill in the template: one sheet per kind of record, one row per record."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run first"),
        required=False,
        initial=True,
        help_text=_(
            "A dry run saves nothing and lists every error in the workbook; once it has none, "
            "you can import it for real with one click."
        ),
    )
