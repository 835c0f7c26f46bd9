"""REST API of the network layer: documents/, events/, external-recommendations/, experts/, networks/.

Everything is fetched through the same ``visible_to`` querysets as the pages: out of scope is 404,
visible but not changeable is 403. Document files are downloaded only through ``download_url``,
which checks access again on every request.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import EVERY_ROLE, MANAGING_ROLES
from accounts.scoping import has_role, is_admin
from engagements.api import CountryCodeField, CountryFilterSet, ScopedPrimaryKeyField
from engagements.models import ControlledSubstance, Country, Engagement, Person
from ta_portal.api import PortalModelSerializer, ScopedViewSetMixin, check_country_writable
from ta_portal.uploads import LIBRARY, check_upload

from . import selectors, services
from .models import (
    AgencyGroup,
    Document,
    DocumentVersion,
    ExternalRecommendation,
    Network,
    NetworkEvent,
    Registration,
    agency_group_of,
    directory_readers_allowed,
)
from .views import file_response

# ---------------------------------------------------------------------------------------------
# Documents


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


class _UserScopedField(serializers.PrimaryKeyRelatedField):
    """A reference limited to what ``queryset_for(user)`` offers that user."""

    def __init__(self, *, queryset_for, **kwargs):
        self.queryset_for = queryset_for
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"].user)


def _networks_for(user):
    return Network.objects.all() if is_admin(user) else Network.objects.with_member(user)


def _countries_for(user):
    return Country.objects.all() if is_admin(user) else selectors.countries_in_scope(user, EVERY_ROLE)


class AudienceCountryField(CountryCodeField):
    def get_queryset(self):
        return _countries_for(self.context["request"].user)


class DocumentSerializer(PortalModelSerializer):
    audience_network = _UserScopedField(queryset_for=_networks_for, required=False, allow_null=True)
    audience_event = _UserScopedField(queryset_for=NetworkEvent.objects.editable_by, required=False, allow_null=True)
    audience_country = AudienceCountryField(required=False, allow_null=True)
    countries = CountryCodeField(many=True, required=False)
    substances = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ControlledSubstance.objects.all()
    )
    topics = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=selectors.topic_choices())
    events = _UserScopedField(queryset_for=NetworkEvent.objects.visible_to, many=True, required=False)
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
        try:
            check_upload(uploaded, policy=LIBRARY)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return uploaded

    def validate_audience(self, audience):
        user = self.context["request"].user
        if audience == Document.Audience.MANAGERS and not (is_admin(user) or has_role(user, *MANAGING_ROLES)):
            raise serializers.ValidationError(_("Only managers may restrict a document to managers."))
        return audience

    def validate(self, attrs):
        if self.instance is None and "file" not in attrs:
            raise serializers.ValidationError({"file": [_("This field is required.")]})
        audience = attrs.get("audience", getattr(self.instance, "audience", Document.Audience.EVERYONE))
        needed = {
            Document.Audience.NETWORK: "audience_network",
            Document.Audience.EVENT: "audience_event",
            Document.Audience.COUNTRY: "audience_country",
        }
        for value, name in needed.items():
            current = attrs.get(name, getattr(self.instance, name, None))
            if audience == value and current is None:
                raise serializers.ValidationError({name: [_("Required for this audience.")]})
            if audience != value:
                attrs[name] = None
        return attrs

    _M2M = ("countries", "topics", "substances", "events")

    def _split(self, validated):
        m2m = {name: validated.pop(name) for name in self._M2M if name in validated}
        uploaded = validated.pop("file", None)
        return m2m, uploaded

    def create(self, validated):
        m2m, uploaded = self._split(validated)
        document = Document(**validated)

        def save_m2m():
            for name, values in m2m.items():
                getattr(document, name).set(values)

        try:
            return services.document_create(
                document=document, uploaded=uploaded, by=self.context["request"].user, m2m_save=save_m2m
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None

    def update(self, document, validated):
        m2m, uploaded = self._split(validated)
        for field, value in validated.items():
            setattr(document, field, value)

        def save_m2m():
            for name, values in m2m.items():
                getattr(document, name).set(values)

        user = self.context["request"].user
        try:
            services.document_update(document=document, by=user, m2m_save=save_m2m)
            if uploaded is not None:
                services.document_replace(document=document, uploaded=uploaded, by=user)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        return document


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
        return selectors.may_upload(self.request.user)

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


# ---------------------------------------------------------------------------------------------
# Events


class ParticipantSerializer(PortalModelSerializer):
    full_name = serializers.CharField(source="person.full_name", read_only=True)
    sex = serializers.CharField(source="person.sex", read_only=True)
    country = serializers.CharField(source="person.country_id", read_only=True)
    agency = serializers.IntegerField(source="person.agency_id", read_only=True, allow_null=True)
    agency_kind = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "person", "full_name", "sex", "country", "agency", "agency_kind", "role", "status", "attended"]
        read_only_fields = ["person", "role", "status", "attended"]

    @extend_schema_field(serializers.ChoiceField(choices=AgencyGroup.choices))
    def get_agency_kind(self, registration) -> str:
        agency = registration.person.agency
        return agency_group_of(agency.kind if agency else None)


class RegistrationCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(
        choices=Registration.ParticipantRole.choices, default=Registration.ParticipantRole.PARTICIPANT
    )

    def validate_person(self, value):
        event, user = self.context["event"], self.context["request"].user
        person = selectors.registrable_people(user=user, event=event).filter(pk=value).first()
        if person is None:
            raise serializers.ValidationError(_("Unknown person, or not of a participating country."))
        return person


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Ids of the registrations that attended; all others are absent.")
    )


def _tallies(help_text):
    # {key: {"registered": n, "attended": n}}
    return serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()), help_text=help_text)


class ParticipationSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    countries = serializers.IntegerField()
    by_sex = _tallies(_("Registered and attended per sex."))
    by_agency_kind = _tallies(_("Registered and attended per agency kind."))
    by_country = serializers.DictField(
        child=serializers.DictField(),
        help_text=_("Per ISO country code: registered, attended and by_sex."),
    )


class EventSerializer(PortalModelSerializer):
    network = _UserScopedField(queryset_for=_networks_for, required=False, allow_null=True)
    host_country = CountryCodeField(required=False, allow_null=True)
    countries = CountryCodeField(many=True, required=False)
    participants = serializers.SerializerMethodField()
    conclusions = serializers.SerializerMethodField()

    class Meta:
        model = NetworkEvent
        fields = [
            "id",
            "title",
            "kind",
            "network",
            "modality",
            "start_date",
            "end_date",
            "venue",
            "city",
            "host_country",
            "online_url",
            "countries",
            "registration_open",
            "description",
            "participants",
            "conclusions",
        ]

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, event):
        """Participants' names go only to those who may see people (officials, members), not to viewers."""
        user = self.context["request"].user
        if not selectors.event_may_see_people(user=user, event=event):
            return []
        registrations = getattr(event, "active_registrations", None)
        if registrations is None:
            registrations = event.registrations.active().select_related("person", "person__agency")
        return ParticipantSerializer(registrations, many=True).data

    @extend_schema_field(
        inline_serializer(
            "EventConclusion",
            {"kind": serializers.CharField(), "number": serializers.IntegerField(), "text": serializers.CharField()},
            many=True,
        )
    )
    def get_conclusions(self, event):
        return [{"kind": o.kind, "number": o.number, "text": o.text} for o in event.outcomes.all()]

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": [_("The end date must not be before the start date.")]})
        return attrs

    def create(self, validated):
        countries = validated.pop("countries", None)
        event = NetworkEvent(**validated)
        return services.event_save(
            event=event,
            by=self.context["request"].user,
            m2m_save=(lambda: event.countries.set(countries)) if countries is not None else None,
        )

    def update(self, event, validated):
        countries = validated.pop("countries", None)
        for field, value in validated.items():
            setattr(event, field, value)
        return services.event_save(
            event=event,
            by=self.context["request"].user,
            m2m_save=(lambda: event.countries.set(countries)) if countries is not None else None,
        )


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    """A calendar year a date can have (1 to 9999); 0, 1.5 or 10000 are a 400, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


class EventFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country")
    year = YearFilter(method="filter_year")

    class Meta:
        model = NetworkEvent
        fields = ["kind", "network", "modality", "country", "year"]

    def filter_country(self, queryset, name, value):
        code = value.upper()
        return queryset.filter(
            Q(host_country_id=code)
            | Q(pk__in=NetworkEvent.countries.through.objects.filter(country_id=code).values("networkevent"))
        )

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value)


def _wrap_django_errors(function):
    try:
        return function()
    except DjangoValidationError as error:
        raise serializers.ValidationError(serializers.as_serializer_error(error)) from None


class EventViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Network events; ``participants`` lists the active registrations (not for viewers)."""

    serializer_class = EventSerializer
    filterset_class = EventFilter

    def base_queryset(self):
        return NetworkEvent.objects.select_related("network", "host_country").prefetch_related(
            "countries",
            "outcomes",
            Prefetch(
                "registrations",
                queryset=Registration.objects.active().select_related("person", "person__agency"),
                to_attr="active_registrations",
            ),
        )

    queryset = NetworkEvent.objects.all()

    def _may_write_somewhere(self) -> bool:
        return selectors.may_create_event(self.request.user)

    @extend_schema(responses=ParticipationSerializer)
    @action(detail=True, methods=["get"])
    def participation(self, request, pk=None):
        """Registered and attended participants, disaggregated by sex, country and agency kind."""
        event = self.get_object()
        return Response(selectors.event_participation(event).as_dict())

    @extend_schema(request=RegistrationCreateSerializer, responses={201: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Register a person: organisers anyone of a participating country; national users their own people."""
        event = selectors.event_get_for_user(user=request.user, pk=pk)
        if not selectors.may_register_others(user=request.user, event=event):
            raise PermissionDenied
        serializer = RegistrationCreateSerializer(data=request.data, context={"request": request, "event": event})
        serializer.is_valid(raise_exception=True)
        registration = _wrap_django_errors(
            lambda: services.event_register(
                event=event,
                person=serializer.validated_data["person"],
                by=request.user,
                role=serializer.validated_data["role"],
            )
        )
        return Response(ParticipantSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceSerializer, responses=ParticipationSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record who attended (the listed registrations) and who did not (all others)."""
        event = self.get_object()  # 403 unless the caller may change the event
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["attended"])
        known = set(event.registrations.active().filter(pk__in=ids).values_list("pk", flat=True))
        if ids - known:
            raise serializers.ValidationError(
                {"attended": [_("Not registrations of this event: %(ids)s") % {"ids": sorted(ids - known)}]}
            )
        services.event_record_attendance(event=event, attended_ids=ids)
        return Response(selectors.event_participation(event).as_dict())


# ---------------------------------------------------------------------------------------------
# External recommendations


class ExternalRecommendationSerializer(PortalModelSerializer):
    country = CountryCodeField()
    topic = serializers.PrimaryKeyRelatedField(queryset=selectors.topic_choices(), required=False, allow_null=True)
    event = _UserScopedField(queryset_for=NetworkEvent.objects.visible_to, required=False, allow_null=True)
    engagement = ScopedPrimaryKeyField(queryset=Engagement.objects.all(), required=False, allow_null=True)
    next_review = serializers.SerializerMethodField()

    class Meta:
        model = ExternalRecommendation
        fields = [
            "id",
            "country",
            "source",
            "round",
            "date",
            "reference",
            "text",
            "theme",
            "topic",
            "event",
            "engagement",
            "review_cycle_months",
            "next_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_review(self, recommendation):
        return recommendation.next_review()

    def validate(self, attrs):
        user = self.context["request"].user
        check_country_writable(user, ExternalRecommendation.objects.write_roles, attrs.get("country"))
        country = attrs.get("country", getattr(self.instance, "country", None))
        engagement = attrs.get("engagement", getattr(self.instance, "engagement", None))
        if country is not None and engagement is not None and engagement.country_id != country.pk:
            raise serializers.ValidationError({"engagement": [_("The engagement belongs to another country.")]})
        return attrs

    def create(self, validated):
        return services.external_recommendation_save(
            recommendation=ExternalRecommendation(**validated), by=self.context["request"].user
        )

    def update(self, recommendation, validated):
        for field, value in validated.items():
            setattr(recommendation, field, value)
        return services.external_recommendation_save(recommendation=recommendation, by=self.context["request"].user)


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


# ---------------------------------------------------------------------------------------------
# Expert directory


class ExpertSerializer(serializers.Serializer):
    """A directory entry; ``email`` and ``phone`` are empty when the expert hides their contact details."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    position = serializers.CharField()
    country = serializers.CharField(source="country_code")
    agency = serializers.CharField()
    agency_kind = serializers.ChoiceField(choices=AgencyGroup.choices)
    expertise = serializers.ListField(child=serializers.CharField(), source="expertise_list")
    topics = serializers.ListField(child=serializers.CharField())
    languages = serializers.CharField()
    show_contact = serializers.BooleanField()
    email = serializers.CharField()
    phone = serializers.CharField()


class ExpertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The expert directory: opted-in experts of every country, for officials and network members."""

    serializer_class = ExpertSerializer
    queryset = Person.objects.none()
    filter_backends = []

    def _check_reader(self):
        if not directory_readers_allowed(self.request.user):
            raise PermissionDenied

    def get_queryset(self):
        return Person.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Text in the name, position, agency or expertise")),
            OpenApiParameter("country", str, description=_("ISO code of the expert's country")),
            OpenApiParameter("agency_kind", str, enum=AgencyGroup.values),
            OpenApiParameter("topic", int, description=_("Id of a topic (assessment dimension)")),
        ]
    )
    def list(self, request, *args, **kwargs):
        self._check_reader()
        params = request.query_params
        agency_kind = params.get("agency_kind", "")
        if agency_kind and agency_kind not in AgencyGroup.values:
            raise serializers.ValidationError({"agency_kind": [_("Not a valid choice.")]})
        topic = params.get("topic", "")
        if topic and not topic.isdigit():
            raise serializers.ValidationError({"topic": [_("A whole number is required.")]})
        rows = selectors.directory_queryset(
            user=request.user,
            search=params.get("q", ""),
            country=params.get("country", ""),
            agency_kind=agency_kind,
            topic=int(topic) if topic else None,
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ExpertSerializer(selectors.directory_entries(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # Someone who may not read the directory learns nothing about who is in it: 404, not 403.
        if not directory_readers_allowed(request.user) or not str(kwargs["pk"]).isdigit():
            raise NotFound
        entry = selectors.expert_get_for_user(user=request.user, pk=int(kwargs["pk"]))
        return Response(ExpertSerializer(entry).data)


# ---------------------------------------------------------------------------------------------
# Networks


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


def register(router) -> None:
    router.register("documents", DocumentViewSet, basename="document")
    router.register("events", EventViewSet, basename="event")
    router.register("external-recommendations", ExternalRecommendationViewSet, basename="external-recommendation")
    router.register("experts", ExpertViewSet, basename="expert")
    router.register("networks", NetworkViewSet, basename="network")
