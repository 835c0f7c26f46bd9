from django.urls import path

from . import views

app_name = "followups"
prefix = "followups/"

urlpatterns = [
    path("", views.index, name="index"),
    path("inbox/", views.inbox, name="inbox"),
    path("engagements/<int:pk>/", views.board, name="board"),
    path("engagements/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("engagements/<int:pk>/schedule/", views.schedule_edit, name="schedule_edit"),
    path("engagements/<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path("engagements/<int:pk>/rounds/record/", views.round_record, name="round_record"),
    path("engagements/<int:pk>/indicators/", views.indicators, name="indicators"),
    path("engagements/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/record/", views.update_record, name="update_record"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/measures/<int:measure_pk>/", views.update_save, name="update_save"),
    path("rounds/<int:pk>/indicators/", views.round_indicators, name="round_indicators"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("updates/<int:pk>/", views.update_detail, name="update_detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("roundtables/<int:pk>/measures/", views.roundtable_measures, name="roundtable_measures"),
]
