from django.urls import path

from . import framework_views
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

urlpatterns += [
    path("programmes/<slug:code>/framework/", framework_views.framework, name="framework"),
    path("programmes/<slug:code>/objectives/new/", framework_views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/edit/", framework_views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/narrative/<int:year>/", framework_views.narrative_edit, name="narrative_edit"),
    path("objectives/<int:pk>/indicators/new/", framework_views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", framework_views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/edit/", framework_views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/periods/new/", framework_views.period_create, name="period_create"),
    path("indicator-periods/<int:pk>/edit/", framework_views.period_edit, name="period_edit"),
    path("indicator-values/<int:pk>/review/", framework_views.value_review, name="value_review"),
    path("indicator-values/<int:pk>/evidence/", framework_views.value_evidence, name="value_evidence"),
]
