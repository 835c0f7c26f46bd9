from django.urls import path

from ta_portal.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench-baseline"),
    path("bench/naive-engagements/", views.NaiveEngagementList.as_view(), name="bench-naive-engagements"),
    *portal_urlpatterns,
]
