from django.urls import path

from . import views

app_name = "network"
prefix = "network/"

urlpatterns = [
    path("", views.home, name="home"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<int:pk>/", views.network_detail, name="network_detail"),
    path("networks/<int:pk>/edit/", views.network_edit, name="network_edit"),
    path("networks/<int:pk>/members/", views.network_member_add, name="network_member_add"),
    path("networks/<int:pk>/members/<int:user_id>/remove/", views.network_member_remove, name="network_member_remove"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_create, name="document_create"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/replace/", views.document_replace, name="document_replace"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path(
        "documents/<int:pk>/versions/<int:number>/download/",
        views.document_download,
        name="document_version_download",
    ),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/agenda/", views.event_agenda, name="event_agenda"),
    path("events/<int:pk>/agenda/<int:item_id>/delete/", views.event_agenda_delete, name="event_agenda_delete"),
    path("events/<int:pk>/conclusions/", views.event_outcomes, name="event_outcomes"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/register/me/", views.event_register_me, name="event_register_me"),
    path(
        "events/<int:pk>/registrations/<int:registration_id>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("events/<int:pk>/invitations/", views.event_send_invitations, name="event_send_invitations"),
    path("events/<int:pk>/invitation.ics", views.event_ics, name="event_ics"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/vcard/", views.expert_list_vcard, name="expert_list_vcard"),
    path("experts/me/", views.expert_me, name="expert_me"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/vcard/", views.expert_vcard, name="expert_vcard"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("external-recommendations/", views.external_recommendation_list, name="external_recommendation_list"),
    path(
        "external-recommendations/new/",
        views.external_recommendation_create,
        name="external_recommendation_create",
    ),
    path(
        "external-recommendations/<int:pk>/",
        views.external_recommendation_detail,
        name="external_recommendation_detail",
    ),
    path(
        "external-recommendations/<int:pk>/edit/",
        views.external_recommendation_edit,
        name="external_recommendation_edit",
    ),
]
