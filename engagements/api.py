import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from accounts import tokencache
from accounts.scoping import scope_for
from ta_portal import datacache
from ta_portal.api import BoundedDateField
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.api import check_country_writable
from ta_portal.api import json_response
from ta_portal.api import render_json

from .access import can_read_people
from .models import Agency
from .models import ControlledSubstance
from .models import Country
from .models import Engagement
from .models import Person
from .models import Programme
from .selectors import substances_visible_to
from .services import engagement_save


class CountrySerializer(PortalModelSerializer):
    # Reference data: the name in the request's language (Accept-Language, or the user's preference).
    name = serializers.CharField(source="local_name", read_only=True)

    class Meta:
        model = Country
        fields = ["code", "name", "region", "subregion", "oas_member"]


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Every ISO 3166 country (reference data, readable by any signed-in user)."""

    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    lookup_field = "code"
    filterset_fields = ["region", "oas_member"]

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()


class ControlledSubstanceSerializer(PortalModelSerializer):
    name = serializers.CharField(source="local_name", read_only=True)
    used_for = serializers.CharField(source="local_used_for", read_only=True)
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ControlledSubstance
        fields = ["id", "name", "listing", "cas_number", "used_for", "countries"]


class ControlledSubstanceViewSet(viewsets.ReadOnlyModelViewSet):
    """The precursor chemicals under control (reference data): the 1988 Convention's Tables I and II for
    any signed-in user, national and regional listings for users with a role in one of their countries.
    Names in the request's language."""

    serializer_class = ControlledSubstanceSerializer
    filterset_fields = ["listing", "cas_number"]

    def get_queryset(self):
        return substances_visible_to(self.request.user)


class CountryCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to another scoped object: only objects the user can see are accepted."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class AgencySerializer(PortalModelSerializer):
    country = CountryCodeField()

    class Meta:
        model = Agency
        fields = ["id", "country", "name", "acronym", "kind", "website"]

    def validate(self, attrs):
        check_country_writable(self.context["request"].user, Agency, attrs.get("country"))
        return super().validate(attrs)


class CountryFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country")

    def filter_country(self, queryset, name, value):
        return queryset.filter(country_id=value.upper())


class AgencyFilter(CountryFilterSet):
    class Meta:
        model = Agency
        fields = ["country", "kind"]


class AgencyViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Agency.objects.select_related("country")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter


class PersonSerializer(PortalModelSerializer):
    country = CountryCodeField(required=False)
    agency = ScopedPrimaryKeyField(queryset=Agency.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "sex", "email", "position", "agency", "country"]

    def validate(self, attrs):
        agency = attrs.get("agency", getattr(self.instance, "agency", None))
        country = attrs.get("country", getattr(self.instance, "country", None))
        if country is None and agency is not None:
            attrs["country"] = country = agency.country
        if country is None:
            raise serializers.ValidationError({"country": [_("This field is required.")]})
        check_country_writable(self.context["request"].user, Person, country)
        return super().validate(attrs)


class PersonFilter(CountryFilterSet):
    class Meta:
        model = Person
        fields = ["country", "agency", "sex"]


class PersonViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Person.objects.select_related("country", "agency")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def list(self, request, *args, **kwargs):
        # As on the people page: a role that never reads people (viewers) is refused, not shown an empty list.
        if not can_read_people(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)


class ProgrammeSerializer(PortalModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "name", "code", "funder", "start_date", "end_date"]


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer


class EngagementSerializer(PortalModelSerializer):
    country = CountryCodeField()
    phase_changed_on = BoundedDateField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("With a new phase: the day of a change of the past (not in the future, not before the start)."),
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "country",
            "title",
            "programme",
            "start_date",
            "end_date",
            "phase",
            "description",
            "phase_changed_on",
        ]

    def validate(self, attrs):
        country = attrs.get("country")
        check_country_writable(self.context["request"].user, Engagement, country)
        if self.instance is not None and country is not None:
            self.instance.check_focal_points(country=country)  # the API leaves focal points as they are
        attrs = super().validate(attrs)
        day = attrs.get("phase_changed_on")
        if day is not None:
            previous_phase = self.instance.phase if self.instance is not None else ""
            if errors := self.instance_as_saved(attrs).phase_change_day_errors(day, previous_phase=previous_phase):
                raise serializers.ValidationError(errors)
        return attrs


class EngagementFilter(CountryFilterSet):
    class Meta:
        model = Engagement
        fields = ["country", "phase", "programme"]


ENGAGEMENT_LIST_COLUMNS = (
    "id",
    "country_id",
    "title",
    "programme_id",
    "start_date",
    "end_date",
    "phase",
    "description",
)


def engagement_rows(values) -> list[dict]:
    """Rows of ``ENGAGEMENT_LIST_COLUMNS`` as ``EngagementSerializer`` renders them. The list is the
    API's busiest endpoint: plain values instead of a model instance and serializer fields per row
    give it about twice the throughput. ``tests/perf`` checks the output is the serializer's."""
    return [
        {
            "id": pk,
            "country": country,
            "title": title,
            "programme": programme,
            "start_date": start.isoformat(),
            "end_date": end.isoformat() if end is not None else None,
            "phase": phase,
            "description": description,
        }
        for pk, country, title, programme, start, end, phase, description in values
    ]


class EngagementViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Engagement.objects.select_related("country")
    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter

    # A token's authentication reads this version, and the token's copy of the list, in its own
    # cache round trip (accounts/tokencache.py).
    cached_tables = (Engagement._meta.db_table,)

    def cached_page(self, request):
        return ("engagement-list", request.build_absolute_uri()) if self.action == "list" else None

    def list(self, request, *args, **kwargs):
        # The API's busiest read, answered from the cache while no engagement has changed
        # (ta_portal/datacache.py); the key holds the reader's countries and the whole URL. The
        # body is kept rendered: unpickling and rendering 100 rows cost more than the rest.
        kept = tokencache.kept_page(request)
        if kept is not None:
            return json_response(request, kept)
        scope = scope_for(request.user, Engagement.objects.read_roles)
        body = datacache.cached(
            "engagement-list-json",
            (datacache.scope_key(scope), request.build_absolute_uri()),
            lambda: render_json(self._list_data(request)),
            tables=self.cached_tables,
            known=getattr(request, "data_versions", None),
        )
        tokencache.keep_page(request, body)
        return json_response(request, body)

    def _list_data(self, request):
        queryset = self.get_queryset()
        # Building the filter form costs as much as the rows: only when a filter is asked for.
        if any(name in request.query_params for name in self.filterset_class.base_filters):
            queryset = self.filter_queryset(queryset)
        values = queryset.values_list(*ENGAGEMENT_LIST_COLUMNS)
        page = self.paginate_queryset(values)
        if page is None:
            return engagement_rows(values)
        return self.get_paginated_response(engagement_rows(page)).data

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        day = data.pop("phase_changed_on", None)
        serializer.instance = self._save(Engagement(**data), phase_changed_on=day)

    def perform_update(self, serializer):
        engagement = serializer.instance
        data = dict(serializer.validated_data)
        day = data.pop("phase_changed_on", None)
        for field, value in data.items():
            setattr(engagement, field, value)
        self._save(engagement, phase_changed_on=day)

    def _save(self, engagement: Engagement, *, phase_changed_on=None) -> Engagement:
        dated = {"phase_changed_on": phase_changed_on} if phase_changed_on is not None else {}
        return engagement_save(engagement=engagement, by=self.request.user, **dated)


def register(router) -> None:
    router.register("countries", CountryViewSet, basename="country")
    router.register("substances", ControlledSubstanceViewSet, basename="substance")
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("people", PersonViewSet, basename="person")
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("engagements", EngagementViewSet, basename="engagement")
