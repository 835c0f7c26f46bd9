from django.urls import path

from .views import certificates
from .views import directory
from .views import events
from .views import home
from .views import library
from .views import networks
from .views import recommendations

app_name = "network"
prefix = "network/"

urlpatterns = [
    path("", home.home, name="home"),
    path("networks/", networks.network_list, name="network_list"),
    path("networks/new/", networks.network_create, name="network_create"),
    path("networks/<int:pk>/", networks.network_detail, name="network_detail"),
    path("networks/<int:pk>/edit/", networks.network_edit, name="network_edit"),
    path("networks/<int:pk>/members/", networks.network_member_add, name="network_member_add"),
    path(
        "networks/<int:pk>/members/<int:user_id>/remove/", networks.network_member_remove, name="network_member_remove"
    ),
    path("documents/", library.document_list, name="document_list"),
    path("documents/new/", library.document_create, name="document_create"),
    path("documents/<int:pk>/", library.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", library.document_edit, name="document_edit"),
    path("documents/<int:pk>/replace/", library.document_replace, name="document_replace"),
    path("documents/<int:pk>/download/", library.document_download, name="document_download"),
    path(
        "documents/<int:pk>/versions/<int:number>/download/",
        library.document_download,
        name="document_version_download",
    ),
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:pk>/agenda/", events.event_agenda, name="event_agenda"),
    path("events/<int:pk>/agenda/<int:item_id>/delete/", events.event_agenda_delete, name="event_agenda_delete"),
    path("events/<int:pk>/conclusions/", events.event_outcomes, name="event_outcomes"),
    path("events/<int:pk>/register/", events.event_register, name="event_register"),
    path("events/<int:pk>/register/me/", events.event_register_me, name="event_register_me"),
    path(
        "events/<int:pk>/registrations/<int:registration_id>/cancel/",
        events.registration_cancel,
        name="registration_cancel",
    ),
    path("events/<int:pk>/attendance/", events.event_attendance, name="event_attendance"),
    path("events/<int:pk>/certificates/", certificates.event_certificates, name="event_certificates"),
    path(
        "events/<int:pk>/certificates/<int:certificate_pk>/pdf/",
        certificates.event_certificate_pdf,
        name="event_certificate_pdf",
    ),
    path(
        "events/<int:pk>/certificates/<int:certificate_pk>/revoke/",
        certificates.event_certificate_revoke,
        name="event_certificate_revoke",
    ),
    path("events/<int:pk>/invitations/", events.event_send_invitations, name="event_send_invitations"),
    path("events/<int:pk>/invitation.ics", events.event_ics, name="event_ics"),
    path("experts/", directory.expert_list, name="expert_list"),
    path("experts/vcard/", directory.expert_list_vcard, name="expert_list_vcard"),
    path("experts/me/", directory.expert_me, name="expert_me"),
    path("experts/new/", directory.expert_create, name="expert_create"),
    path("experts/<int:pk>/", directory.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/vcard/", directory.expert_vcard, name="expert_vcard"),
    path("experts/<int:pk>/edit/", directory.expert_edit, name="expert_edit"),
    path(
        "external-recommendations/", recommendations.external_recommendation_list, name="external_recommendation_list"
    ),
    path(
        "external-recommendations/new/",
        recommendations.external_recommendation_create,
        name="external_recommendation_create",
    ),
    path(
        "external-recommendations/<int:pk>/",
        recommendations.external_recommendation_detail,
        name="external_recommendation_detail",
    ),
    path(
        "external-recommendations/<int:pk>/edit/",
        recommendations.external_recommendation_edit,
        name="external_recommendation_edit",
    ),
]
