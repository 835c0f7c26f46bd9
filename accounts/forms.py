import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ta_portal.mail import render_subject
from ta_portal.mail import render_text

from .lockout import reset_mail_allowed_to
from .models import User
from .tasks import send_email

logger = logging.getLogger(__name__)


class ProfileForm(forms.ModelForm):
    """Name and language change at once; a new e-mail address needs the current password and takes
    effect when confirmed from the new mailbox (accounts.services.email_change_request)."""

    email = forms.EmailField(label=_("E-mail address"), required=False)
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only to change your e-mail address."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]

    def __init__(self, *args, instance, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["email"].initial = instance.email
        self.order_fields(["first_name", "last_name", "email", "current_password", "language"])

    @property
    def new_email(self) -> str | None:
        """The address asked for, when it differs from the current one."""
        email = self.cleaned_data.get("email") or ""
        return email if email.casefold() != (self.instance.email or "").casefold() else None

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and self.new_email is not None:
            if not cleaned.get("email"):
                self.add_error("email", _("Give the new e-mail address; the portal sends you its messages there."))
            elif not self.instance.check_password(cleaned.get("current_password") or ""):
                self.add_error("current_password", _("Your current password is needed to change your e-mail address."))
        return cleaned


class PortalPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail is written in the recipient's language and sent by a Celery task,
    so a slow or failing mail server neither delays the page nor loses the message (the task retries).
    """

    def get_users(self, email):
        # Over the per-address limit nothing is mailed, and the page reads as usual.
        if not reset_mail_allowed_to(email):
            logger.warning("Password reset e-mails to one address over the limit: none sent")
            return iter(())
        return super().get_users(email)

    def send_mail(  # noqa: PLR0917 (the signature of the method it overrides)
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        user = context.get("user")
        with translation.override(getattr(user, "language", "") or translation.get_language()):
            subject = render_subject(subject_template_name, context)
            body = render_text(email_template_name, context)
            html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""

        def dispatch():
            # Like Django's own form: a failure is logged, the page still says "check your e-mail"
            # (it must not reveal whether the address has an account).
            try:
                send_email.delay(subject=subject, body=body, to=[to_email], from_email=from_email, html=html)
            except Exception:
                logger.exception("Failed to send the password reset e-mail to user %s", getattr(user, "pk", None))

        transaction.on_commit(dispatch)
