from django.urls import path

from . import views

app_name = "assessments"
prefix = "assessments/"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/status/", views.assessment_status, name="status"),
    path("<int:pk>/scores/", views.assessment_scores, name="scores"),
    path("<int:pk>/report/", views.assessment_report_request, name="report"),
    path("<int:assessment_pk>/meetings/new/", views.meeting_form, name="meeting_create"),
    path("meetings/<int:pk>/edit/", views.meeting_form, name="meeting_edit"),
    path("<int:assessment_pk>/instruments/new/", views.instrument_form, name="instrument_create"),
    path("instruments/<int:pk>/edit/", views.instrument_form, name="instrument_edit"),
    path("<int:assessment_pk>/findings/new/", views.finding_form, name="finding_create"),
    path("findings/<int:pk>/edit/", views.finding_form, name="finding_edit"),
    path("findings/<int:finding_pk>/recommendations/new/", views.recommendation_form, name="recommendation_create"),
    path("recommendations/<int:pk>/edit/", views.recommendation_form, name="recommendation_edit"),
    path("meetings/<int:pk>/delete/", views.part_delete, {"kind": "meeting"}, name="meeting_delete"),
    path("instruments/<int:pk>/delete/", views.part_delete, {"kind": "instrument"}, name="instrument_delete"),
    path("findings/<int:pk>/delete/", views.part_delete, {"kind": "finding"}, name="finding_delete"),
    path(
        "recommendations/<int:pk>/delete/", views.part_delete, {"kind": "recommendation"}, name="recommendation_delete"
    ),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("roundtables/", views.roundtable_list, name="roundtable_list"),
    path("roundtables/new/", views.roundtable_create, name="roundtable_create"),
    path("roundtables/<int:pk>/", views.roundtable_detail, name="roundtable_detail"),
    path("roundtables/<int:pk>/edit/", views.roundtable_edit, name="roundtable_edit"),
    path("roundtables/<int:pk>/attendance/", views.roundtable_attendance, name="roundtable_attendance"),
    path("roundtables/<int:pk>/invitation.ics", views.roundtable_invitation_ics, name="roundtable_invitation"),
]
