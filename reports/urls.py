from django.urls import path

from . import views

app_name = "reports"
# Mounted at the root: the downloads live under reports/, the public check of certificates at verify/.
prefix = ""

urlpatterns = [
    path("reports/<int:pk>/download/", views.report_download, name="download"),
    path("reports/<int:pk>/status/", views.report_status, name="status"),
    path("verify/", views.verify_certificate, name="verify_form"),
    path("verify/<str:code>/", views.verify_certificate, name="verify"),
]
