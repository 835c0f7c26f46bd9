import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils import translation

from ta_portal.mail import render_subject, render_text

from .lockout import reset_mail_allowed_to
from .models import User
from .tasks import send_email

logger = logging.getLogger(__name__)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


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
