from django.contrib.auth import views as auth_views
from django.urls import path
from django.urls import reverse_lazy

from . import security_views
from . import views

app_name = "accounts"
prefix = "accounts/"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/<str:token>/", views.email_confirm, name="email_confirm"),
    path("language/", views.set_language, name="set_language"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(success_url=reverse_lazy("accounts:password_reset_done")),
        name="password_reset",
    ),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Two-factor authentication and API tokens (security_views.py).
    path("security/", security_views.security, name="security"),
    path("security/2fa/enrol/", security_views.otp_enrol, name="otp_enrol"),
    path("security/2fa/enrol/<str:token>/", security_views.otp_enrol_link, name="otp_enrol_link"),
    path("security/2fa/setup/", security_views.otp_setup, name="otp_setup"),
    path("security/2fa/verify/", security_views.otp_verify, name="otp_verify"),
    path("security/2fa/disable/", security_views.otp_disable, name="otp_disable"),
    path("security/tokens/<int:pk>/revoke/", security_views.token_revoke, name="token_revoke"),
    path("security/tokens/revoke-all/", security_views.tokens_revoke_all, name="tokens_revoke_all"),
]
