from django.urls import path

from . import views

app_name = "trainings"
# Mounted at the root: the pages live under trainings/, the public certificate check at verify/.
prefix = ""

urlpatterns = [
    path("trainings/", views.session_list, name="session_list"),
    path("trainings/statistics/", views.statistics_overview, name="statistics"),
    path("trainings/sessions/new/", views.session_create, name="session_create"),
    path("trainings/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("trainings/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("trainings/sessions/<int:pk>/invitation.ics", views.session_invitation, name="session_invitation"),
    path("trainings/sessions/<int:pk>/participants/", views.participants, name="participants"),
    path("trainings/sessions/<int:pk>/participants/new/", views.participant_create, name="participant_create"),
    path(
        "trainings/sessions/<int:pk>/participants/<int:enrolment_pk>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("trainings/sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("trainings/sessions/<int:pk>/scores/", views.score_grid, name="scores"),
    path("trainings/sessions/<int:pk>/scores/preview/", views.score_preview, name="score_preview"),
    path("trainings/sessions/<int:pk>/scores/history/", views.score_history, name="score_history"),
    path("trainings/sessions/<int:pk>/import/", views.score_import, name="import"),
    path("trainings/sessions/<int:pk>/results.<str:fmt>", views.results_download, name="results_download"),
    path("trainings/sessions/<int:pk>/exam/", views.exam_forms, name="exam_forms"),
    path("trainings/sessions/<int:pk>/exam/<int:form_pk>/", views.exam_form_edit, name="exam_form_edit"),
    path("trainings/sessions/<int:pk>/exam/<int:form_pk>/<str:phase>/", views.item_scores, name="item_scores"),
    path("trainings/sessions/<int:pk>/results/", views.session_results, name="session_results"),
    path("trainings/sessions/<int:pk>/certificates/", views.session_certificates, name="certificates"),
    path(
        "trainings/sessions/<int:pk>/certificates/<int:certificate_pk>/<str:action>/",
        views.certificate_action,
        name="certificate_action",
    ),
    path("trainings/courses/", views.course_list, name="course_list"),
    path("trainings/courses/new/", views.course_create, name="course_create"),
    path("trainings/courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("trainings/courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("verify/", views.verify_certificate, name="verify_form"),
    path("verify/<str:code>/", views.verify_certificate, name="verify"),
]
