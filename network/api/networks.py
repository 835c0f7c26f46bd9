"""API of networks/."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework import viewsets

from ta_portal.api import PortalModelSerializer

from ..models import Network


class NetworkSerializer(PortalModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = ["id", "name", "acronym", "description", "countries", "is_member"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_member(self, network) -> bool:
        return network.pk in self.context["member_of"]


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Networks of officials (their members are listed on the network's page, for members)."""

    serializer_class = NetworkSerializer

    def get_queryset(self):
        return Network.objects.visible_to(self.request.user).prefetch_related("countries")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["member_of"] = (
            set(Network.objects.with_member(user).values_list("pk", flat=True)) if user.is_authenticated else set()
        )
        return context
