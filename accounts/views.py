from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ta_portal.navigation import panels

from . import services
from .forms import PortalPasswordResetForm
from .forms import ProfileForm
from .lockout import RESET_REFUSED_MESSAGE
from .lockout import LockoutAuthenticationForm
from .lockout import client_ip
from .lockout import reset_request_allowed_from
from .models import User
from .scoping import role_countries


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with our e-mail (PortalPasswordResetForm) and a limit per client network."""

    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not reset_request_allowed_from(client_ip(self.request)):
            form.add_error(None, RESET_REFUSED_MESSAGE)
            return self.form_invalid(form)
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = LockoutAuthenticationForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.new_email:
            services.email_change_request(user=request.user, new_email=form.new_email)
            messages.info(
                request,
                _("We sent a link to %(email)s: your address changes when you follow it.") % {"email": form.new_email},
            )
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("country").order_by("role", "country__name")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "roles": role_countries(request.user),
            # Later apps' sections (the e-mail digest, the calendar subscription): accounts imports none.
            "panels": panels("profile", request, request.user),
        },
    )


@login_required
def email_confirm(request, token: str):
    """The link sent to a new e-mail address: following it (signed in as its user) makes the change."""
    try:
        email = services.email_change_confirm(user=request.user, token=token)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": email})
    return redirect("accounts:profile")


@require_POST
def set_language(request):
    """Switch language; a signed-in user keeps it as their preference for pages and e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(User._meta.get_field("language").choices):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
