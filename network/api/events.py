"""API of events: events/, their participants, attendance and participation figures."""

import django_filters
from django.db.models import Prefetch
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from engagements.api import CountryCodeField
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin

from .. import access
from .. import selectors
from .. import services
from ..models import AgencyGroup
from ..models import NetworkEvent
from ..models import Registration
from ..models import agency_group_of
from .common import UserScopedField
from .common import YearFilter
from .common import assign


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
        person = access.registrable_people(user, event).filter(pk=value).first()
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
    network = UserScopedField(queryset_for=access.networks_choosable_by, required=False, allow_null=True)
    host_country = CountryCodeField(required=False, allow_null=True)
    countries = CountryCodeField(many=True, required=False)
    participants = serializers.SerializerMethodField()
    conclusions = serializers.SerializerMethodField()

    class Meta:
        model = NetworkEvent
        fields = ["id", *NetworkEvent.EDITABLE_FIELDS, "participants", "conclusions"]

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, event):
        """Participants' names go only to those who may see people (officials, members), not to viewers."""
        user = self.context["request"].user
        if not access.can_see_event_people(user, event):
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
        return access.can_create_event(self.request.user)

    def perform_create(self, serializer):
        event = NetworkEvent()
        m2m_save = assign(event, serializer.validated_data)
        serializer.instance = services.event_save(event=event, by=self.request.user, m2m_save=m2m_save)

    def perform_update(self, serializer):
        event = serializer.instance
        services.event_save(event=event, by=self.request.user, m2m_save=assign(event, serializer.validated_data))

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
        if not access.can_register_others(request.user, event):
            raise PermissionDenied
        serializer = RegistrationCreateSerializer(data=request.data, context={"request": request, "event": event})
        serializer.is_valid(raise_exception=True)
        registration = services.event_register(
            event=event,
            person=serializer.validated_data["person"],
            by=request.user,
            role=serializer.validated_data["role"],
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
