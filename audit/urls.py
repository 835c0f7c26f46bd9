from django.urls import path

from . import views

app_name = "audit"
prefix = "audit/"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("failed-sign-ins/", views.failed_logins, name="failed_logins"),
]
