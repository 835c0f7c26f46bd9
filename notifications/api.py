"""``GET notifications/`` (the caller's own, newest first), ``POST notifications/{id}/read/``, and
``GET me/calendar/`` (the caller's calendar subscription address)."""

from django.urls import path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.decorators import api_view
from rest_framework.response import Response

from . import feeds
from . import kinds
from . import services
from .models import Notification
from .selectors import notifications_for


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="What happened, in the caller's language.")
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "params", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        # A token is authenticated after the middleware chose the language: the reader's own wins.
        language = getattr(self.context["request"].user, "language", "") or translation.get_language()
        with translation.override(language):
            return kinds.message(notification.kind, notification.params)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first; another user's answer 404."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        return notifications_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)


@extend_schema(responses=inline_serializer("CalendarSubscription", {"url": serializers.URLField()}))
@api_view(["GET"])
def my_calendar(request):
    """The caller's secret calendar address (``.ics``, no sign-in needed); revoke it on the profile page."""
    return Response({"url": feeds.feed_url(services.calendar_feed_get(user=request.user))})


def register(router):
    router.register("notifications", NotificationViewSet, basename="notification")


urlpatterns = [path("me/calendar/", my_calendar, name="api-my-calendar")]
