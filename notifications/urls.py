from django.urls import path

from . import views

app_name = "notifications"
prefix = "notifications/"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("digest/", views.digest_choose, name="digest"),
    path("calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("calendar/<int:pk>/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
]
