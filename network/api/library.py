"""API of the library: documents/ (multipart uploads; files only through ``download_url``)."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser
from rest_framework.parsers import JSONParser
from rest_framework.parsers import MultiPartParser

from engagements.api import CountryCodeField
from engagements.models import ControlledSubstance
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.bodylimit import body_limit
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import check_upload

from .. import access
from .. import selectors
from .. import services
from ..models import Document
from ..models import DocumentVersion
from ..models import NetworkEvent
from ..views.library import file_response
from .common import UserScopedField
from .common import assign


def _download_url(request, document_pk: int, number: int | None = None) -> str:
    if number is None:
        path = reverse("document-download", args=[document_pk])
    else:
        path = reverse("document-version-download", args=[document_pk, number])
    return request.build_absolute_uri(path) if request is not None else path


class DocumentVersionSerializer(PortalModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["number", "original_name", "content_type", "size", "sha256", "note", "uploaded_at", "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, version) -> str:
        return _download_url(self.context.get("request"), version.document_id, version.number)


class AudienceCountryField(CountryCodeField):
    def get_queryset(self):
        return access.countries_choosable_by(self.context["request"].user)


class DocumentSerializer(PortalModelSerializer):
    audience_network = UserScopedField(queryset_for=access.networks_choosable_by, required=False, allow_null=True)
    audience_event = UserScopedField(queryset_for=NetworkEvent.objects.editable_by, required=False, allow_null=True)
    audience_country = AudienceCountryField(required=False, allow_null=True)
    countries = CountryCodeField(many=True, required=False)
    substances = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ControlledSubstance.objects.all()
    )
    topics = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=selectors.topic_choices())
    events = UserScopedField(queryset_for=NetworkEvent.objects.visible_to, many=True, required=False)
    file = serializers.FileField(
        write_only=True, required=False, help_text=_("The file (multipart upload); a new file makes a new version.")
    )
    version = serializers.IntegerField(source="current_version.number", read_only=True, default=None)
    file_name = serializers.CharField(source="current_version.original_name", read_only=True, default=None)
    content_type = serializers.CharField(source="current_version.content_type", read_only=True, default=None)
    size = serializers.IntegerField(source="current_version.size", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "language",
            "description",
            "authors",
            "published_on",
            "countries",
            "topics",
            "substances",
            "events",
            "audience",
            "audience_network",
            "audience_event",
            "audience_country",
            "file",
            "version",
            "file_name",
            "content_type",
            "size",
            "download_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str | None:
        if document.current_version_id is None:
            return None
        return _download_url(self.context.get("request"), document.pk)

    def validate_file(self, uploaded):
        check_upload(uploaded, policy=LIBRARY)  # DRF shows its Django ValidationError as the field's errors
        return uploaded

    def validate_audience(self, audience):
        user = self.context["request"].user
        if audience == Document.Audience.MANAGERS and not access.can_restrict_to_managers(user):
            raise serializers.ValidationError(_("Only managers may restrict a document to managers."))
        return audience

    def validate(self, attrs):
        if self.instance is None and "file" not in attrs:
            raise serializers.ValidationError({"file": [_("This field is required.")]})
        return super().validate(attrs)


class DocumentDetailSerializer(DocumentSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Text in title, description, authors or file name"))
    country = django_filters.CharFilter(method="filter_country")
    topic = django_filters.NumberFilter(method="filter_topic")
    substance = django_filters.NumberFilter(method="filter_substance")
    event = django_filters.NumberFilter(method="filter_event")

    class Meta:
        model = Document
        fields = ["q", "kind", "language", "audience", "country", "topic", "substance", "event"]

    def _search(self, queryset, **kwargs):
        return queryset.filter(pk__in=selectors.document_search(user=self.request.user, **kwargs).values("pk"))

    def filter_search(self, queryset, name, value):
        return self._search(queryset, search=value)

    def filter_country(self, queryset, name, value):
        return self._search(queryset, country=value)

    def filter_topic(self, queryset, name, value):
        return self._search(queryset, topic=value)

    def filter_substance(self, queryset, name, value):
        return self._search(queryset, substance=value)

    def filter_event(self, queryset, name, value):
        return self._search(queryset, event=value)


@body_limit(LIBRARY.request_max_bytes)
class DocumentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Library documents the caller may read (by audience). Create and replace files with multipart uploads."""

    queryset = Document.objects.select_related("current_version").prefetch_related(
        "countries", "topics", "substances", "events"
    )
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("versions")
        return queryset

    def _may_write_somewhere(self) -> bool:
        return access.can_upload_document(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        uploaded = data.pop("file")
        document = Document()
        serializer.instance = services.document_create(
            document=document, uploaded=uploaded, by=self.request.user, m2m_save=assign(document, data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        uploaded = data.pop("file", None)
        document = serializer.instance
        services.document_update(document=document, by=self.request.user, m2m_save=assign(document, data))
        if uploaded is not None:
            services.document_replace(document=document, uploaded=uploaded, by=self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        """The current file, after the same access check as the document itself."""
        document = self.get_object()
        if document.current_version is None:
            raise NotFound
        return file_response(document.current_version)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)/download", url_name="version-download")
    def version_download(self, request, pk=None, number=None):
        document = self.get_object()
        version = document.versions.filter(number=number).first()
        if version is None:
            raise NotFound
        return file_response(version)
