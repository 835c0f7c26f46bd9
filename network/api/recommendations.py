"""API of external-recommendations/: what countries received from other mechanisms."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework import viewsets

from engagements.api import CountryCodeField
from engagements.api import CountryFilterSet
from engagements.api import ScopedPrimaryKeyField
from engagements.models import Engagement
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.api import check_country_writable

from .. import selectors
from .. import services
from ..models import ExternalRecommendation
from ..models import NetworkEvent
from .common import UserScopedField
from .common import YearFilter
from .common import assign


class ExternalRecommendationSerializer(PortalModelSerializer):
    country = CountryCodeField()
    topic = serializers.PrimaryKeyRelatedField(queryset=selectors.topic_choices(), required=False, allow_null=True)
    event = UserScopedField(queryset_for=NetworkEvent.objects.visible_to, required=False, allow_null=True)
    engagement = ScopedPrimaryKeyField(queryset=Engagement.objects.all(), required=False, allow_null=True)
    next_review = serializers.SerializerMethodField()

    class Meta:
        model = ExternalRecommendation
        fields = ["id", *ExternalRecommendation.EDITABLE_FIELDS, "next_review", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_review(self, recommendation):
        return recommendation.next_review()

    def validate(self, attrs):
        user = self.context["request"].user
        check_country_writable(user, ExternalRecommendation, attrs.get("country"))
        return super().validate(attrs)


class ExternalRecommendationFilter(CountryFilterSet):
    year = YearFilter(field_name="date", lookup_expr="year")

    class Meta:
        model = ExternalRecommendation
        fields = ["country", "source", "round", "topic", "engagement", "event", "year"]


class ExternalRecommendationViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Recommendations a country received from an evaluation mechanism or a meeting (scoped by country)."""

    queryset = ExternalRecommendation.objects.select_related("country")
    serializer_class = ExternalRecommendationSerializer
    filterset_class = ExternalRecommendationFilter

    def perform_create(self, serializer):
        recommendation = ExternalRecommendation()
        assign(recommendation, serializer.validated_data)
        serializer.instance = services.external_recommendation_save(recommendation=recommendation, by=self.request.user)

    def perform_update(self, serializer):
        assign(serializer.instance, serializer.validated_data)
        services.external_recommendation_save(recommendation=serializer.instance, by=self.request.user)
