from django.urls import path

from . import views

app_name = "reports"
prefix = "reports/"

urlpatterns = [
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/status/", views.report_status, name="status"),
]
