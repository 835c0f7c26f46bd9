from django.urls import path

from . import views

app_name = "surveys"
prefix = "surveys/"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("results/", views.pooled_results, name="pooled_results"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("sessions/<int:session_pk>/new/", views.survey_create, name="survey_create"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template_copy"),
    # The public page of a participant's personal link (no sign-in).
    path("answer/<str:token>/", views.answer, name="answer"),
]
