from django.urls import include
from django.urls import path

from . import views

app_name = "trainings"
# Mounted at the root: the pages live under trainings/.
prefix = ""

# The pages of one session, under trainings/sessions/<pk>/.
session_urlpatterns = [
    path("", views.session_detail, name="session_detail"),
    path("edit/", views.session_edit, name="session_edit"),
    path("invitation.ics", views.session_invitation, name="session_invitation"),
    path("participants/", views.participants, name="participants"),
    path("participants/new/", views.participant_create, name="participant_create"),
    path("participants/<int:enrolment_pk>/remove/", views.participant_remove, name="participant_remove"),
    path("attendance/", views.attendance, name="attendance"),
    path("scores/", views.score_grid, name="scores"),
    path("scores/preview/", views.score_preview, name="score_preview"),
    path("scores/history/", views.score_history, name="score_history"),
    path("import/", views.score_import, name="import"),
    path("import/quiz/", views.quiz_import, name="quiz_import"),
    path("results.<str:fmt>", views.results_download, name="results_download"),
    path("exam/", views.exam_forms, name="exam_forms"),
    path("exam/<int:form_pk>/", views.exam_form_edit, name="exam_form_edit"),
    path("exam/<int:form_pk>/<str:phase>/", views.item_scores, name="item_scores"),
    path("results/", views.session_results, name="session_results"),
    path("certificates/", views.session_certificates, name="certificates"),
    path("certificates/<int:certificate_pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:certificate_pk>/<str:action>/", views.certificate_action, name="certificate_action"),
]

course_urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("new/", views.course_create, name="course_create"),
    path("<int:pk>/", views.course_detail, name="course_detail"),
    path("<int:pk>/edit/", views.course_edit, name="course_edit"),
]

urlpatterns = [
    path("trainings/", views.session_list, name="session_list"),
    path("trainings/statistics/", views.statistics_overview, name="statistics"),
    path("trainings/sessions/new/", views.session_create, name="session_create"),
    path("trainings/sessions/<int:pk>/", include(session_urlpatterns)),
    path("trainings/courses/", include(course_urlpatterns)),
]
