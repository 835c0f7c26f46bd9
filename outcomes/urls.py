from django.urls import path

from . import iati_views
from . import views

app_name = "outcomes"
prefix = "outcomes/"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/<slug:code>/", views.programme_dashboard, name="programme"),
    path("programmes/<slug:code>/export.<str:fmt>", views.programme_export, name="programme_export"),
    path("programmes/<slug:code>/annual-report/", views.annual_report_request, name="annual_report"),
    path("countries/<str:code>/", views.country_dashboard, name="country"),
    path("countries/<str:code>/export.<str:fmt>", views.country_export, name="country_export"),
    path("exports/<slug:dataset>.<str:fmt>", views.list_export, name="list_export"),
    path("iati/<slug:code>.xml", iati_views.iati_public, name="iati_public"),
]
