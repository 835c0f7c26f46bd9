from django.urls import path

from . import views

app_name = "finance"
prefix = "money/"

urlpatterns = [
    path("programmes/<slug:code>/budgets/", views.budget_list, name="budgets"),
    path("programmes/<slug:code>/budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:pk>/edit/", views.budget_edit, name="budget_edit"),
    path("programmes/<slug:code>/transactions/", views.transaction_list, name="transactions"),
    path("programmes/<slug:code>/transactions/new/", views.transaction_create, name="transaction_create"),
    path("transactions/<int:pk>/edit/", views.transaction_edit, name="transaction_edit"),
    path("programmes/<slug:code>/iati/", views.iati_publication, name="iati"),
]
