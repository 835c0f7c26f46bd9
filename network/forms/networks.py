"""Forms of networks and their members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Network
from .common import active_users


class NetworkForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["name", "acronym", "description", "countries"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NetworkMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None)
    is_coordinator = forms.BooleanField(label=_("Coordinator"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users()
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username})"
        )
