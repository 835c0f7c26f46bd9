from django import forms
from django.utils.translation import gettext_lazy as _


class CertificateRevokeForm(forms.Form):
    """Why a certificate is revoked: the public check shows it."""

    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page of this code, with the date."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the certificate is revoked."))
        return reason
