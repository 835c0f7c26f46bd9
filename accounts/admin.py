from django.contrib import admin
from django.contrib import messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .apitokens import ApiToken
from .apitokens import api_token_revoke
from .models import Membership
from .models import OtpEnrolmentCode
from .models import User
from .otp import confirmed_device
from .services import OTP_ENROLMENT_CODE_AGE
from .services import otp_enrolment_code_issue


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    actions = ["issue_otp_enrolment_code"]

    @admin.action(description=_("Issue a two-factor enrolment code"))
    def issue_otp_enrolment_code(self, request, queryset):
        """For a user who cannot receive the e-mailed enrolment link; the code is shown once, here,
        for the administrator to pass on in person or by phone."""
        for user in queryset.order_by("username"):
            if confirmed_device(user) is not None:
                self.message_user(
                    request,
                    gettext("%(user)s already has two-factor authentication: delete their device (TOTP devices) first.")
                    % {"user": user.get_username()},
                    messages.WARNING,
                )
                continue
            code = otp_enrolment_code_issue(user=user, by=request.user)
            self.message_user(
                request,
                gettext("Enrolment code for %(user)s: %(code)s (works once, for %(days)d days; it is not shown again).")
                % {"user": user.get_username(), "code": code, "days": OTP_ENROLMENT_CODE_AGE.days},
                messages.SUCCESS,
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "country")
    list_filter = ("role", "country")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ["user", "country"]


@admin.register(OtpEnrolmentCode)
class OtpEnrolmentCodeAdmin(admin.ModelAdmin):
    """Codes are issued from the users' list (an action); here administrators see who issued which."""

    list_display = ("user", "created_at", "created_by", "expires_at", "used_at")
    search_fields = ("user__username",)
    readonly_fields = [f.name for f in OtpEnrolmentCode._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API only; here administrators see and revoke them."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix", "name")
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
