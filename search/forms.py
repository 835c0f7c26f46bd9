from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import MAX_QUERY_LENGTH
from .sources import SOURCES


class SearchForm(forms.Form):
    """The query and, optionally, the one kind of result wanted; a GET form, so results can be shared."""

    q = forms.CharField(label=_("Search for"), max_length=MAX_QUERY_LENGTH, strip=True)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Everything")), *((source.kind, source.label) for source in SOURCES)],
    )
