from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("engagements/", views.engagement_list, name="list"),
    path("engagements/new/", views.engagement_create, name="create"),
    path("engagements/<int:pk>/", views.engagement_detail, name="detail"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="edit"),
    path("engagements/<int:pk>/advance/", views.engagement_advance, name="advance"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("substances/", views.substance_list, name="substance_list"),
    path("programmes/<slug:code>/certificates/", views.programme_certificates, name="programme_certificates"),
]
