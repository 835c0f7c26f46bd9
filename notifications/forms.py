from django import forms

from .models import NotificationPreference


class DigestForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["digest"]
        widgets = {"digest": forms.RadioSelect}
