"""The upload form of the history import (the workbook is checked by the service, from its content)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ta_portal.uploads import WORKBOOK


def _file_help() -> str:
    return _("Fill in the template: one sheet per kind of record, one row per record. At most %(size)s.") % {
        "size": filesizeformat(WORKBOOK.max_bytes())
    }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("History workbook (XLSX)"),
        help_text=lazy(_file_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": WORKBOOK.accept_attribute}),
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
