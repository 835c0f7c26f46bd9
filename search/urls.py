from django.urls import path

from . import views

app_name = "search"
prefix = "search/"

urlpatterns = [
    path("", views.results, name="results"),
]
