"""REST API of the results framework: ``indicators/`` (read) and ``indicator-values/`` (read,
report, review) — docs/API.md. Writes go through the services, like the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.parsers import JSONParser
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.roles import MANAGING_ROLES
from accounts.scoping import manages_somewhere
from accounts.scoping import scope_for
from engagements.api import ScopedPrimaryKeyField
from engagements.models import Country
from engagements.selectors import programmes_reached
from followups.api import ReviewSerializer
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.api import check_country_writable
from ta_portal.uploads import stored_file_response

from . import services
from .access import can_download_value_evidence
from .access import can_edit_framework
from .access import can_verify_value
from .facts import outcome_scope
from .indicators import indicators_periods
from .models import DIMENSIONS
from .models import Indicator
from .models import IndicatorPeriod
from .models import IndicatorValue
from .models import Metric
from .models import ProgrammeObjective

# The results framework is part of the outcomes (ta_portal.schema.APP_TAGS).
TAGS = ["Outcomes"]

_FIGURES = inline_serializer(
    "IndicatorFigures",
    {
        "target": serializers.FloatField(allow_null=True),
        "actual": serializers.FloatField(allow_null=True),
    },
)
_PERIODS = inline_serializer(
    "IndicatorPeriodFigures",
    {
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "target": serializers.FloatField(allow_null=True),
        "actual": serializers.FloatField(allow_null=True),
        "by": serializers.DictField(
            child=serializers.DictField(child=_FIGURES),
            help_text=_("Per disaggregation (sex, agency_kind, country), per value: target and actual."),
        ),
    },
    many=True,
)


class IndicatorSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="objective.programme_id", read_only=True)
    programme_code = serializers.CharField(source="objective.programme.code", read_only=True)
    objective = serializers.IntegerField(source="objective_id", read_only=True)
    disaggregations = serializers.ListField(child=serializers.CharField(), read_only=True)
    # Declared, not derived: a derived read-only field loses allow_blank, and a reported indicator
    # names no metric ("").
    metric = serializers.ChoiceField(choices=Metric.choices, allow_blank=True, read_only=True)
    periods = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "programme",
            "programme_code",
            "objective",
            "code",
            "name",
            "unit",
            "direction",
            "source",
            "metric",
            "baseline_value",
            "baseline_date",
            "disaggregations",
            "periods",
        ]
        read_only_fields = fields

    @extend_schema_field(_PERIODS)
    def get_periods(self, obj) -> list[dict]:
        return self.context["periods_of"].get(obj.pk, [])


class PeriodInputSerializer(serializers.Serializer):
    """A period as given: ``by`` as ``periods`` answers it, ``{dimension: {value: {"target": n}}}``."""

    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    by = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField(child=serializers.CharField(allow_null=True))),
        required=False,
        default=dict,
    )


class IndicatorWriteSerializer(PortalModelSerializer):
    """What a manager gives to create or change an indicator; the rules are the model's and the
    service's (``indicator_save``, ``indicator_periods_replace``), checked once when saving."""

    validate_with_model_clean = False  # the service runs the model's clean() with the periods
    objective = serializers.PrimaryKeyRelatedField(queryset=ProgrammeObjective.objects.all())
    # Plain text here, checked against the model's choices by the service (full_clean): the choice
    # sets are described once, by the read serializer.
    unit = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    metric = serializers.CharField(required=False, allow_blank=True, help_text=_("Computed indicators: the figure."))
    session_kind = serializers.CharField(required=False, allow_blank=True)
    phase = serializers.CharField(required=False, allow_blank=True)
    disaggregations = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DIMENSIONS)), required=False, default=list
    )
    periods = PeriodInputSerializer(
        many=True,
        required=False,
        write_only=True,
        help_text=_("Every period with its target; replaces the periods (those with reported values must stay)."),
    )

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "code",
            "name",
            "description",
            "unit",
            "direction",
            "source",
            "metric",
            "session_kind",
            "phase",
            "within_months",
            "baseline_value",
            "baseline_date",
            "disaggregations",
            "periods",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none when the OpenAPI schema is generated
        if request is not None:
            self.fields["objective"].queryset = ProgrammeObjective.objects.filter(
                programme__in=programmes_reached(scope_for(request.user, MANAGING_ROLES))
            )

    def save(self, **kwargs):
        data = dict(self.validated_data)
        periods = data.pop("periods", None)
        indicator = self.instance or Indicator()
        for name, value in data.items():
            setattr(indicator, name, value)
        self.instance = services.indicator_save(
            indicator=indicator,
            by=self.context["request"].user,
            periods=None
            if periods is None
            else [
                {
                    "start": p.get("start"),
                    "end": p.get("end"),
                    "target": p.get("target"),
                    "targets_by": {
                        dimension: {value: (figures or {}).get("target") for value, figures in values.items()}
                        for dimension, values in (p.get("by") or {}).items()
                    },
                }
                for p in periods
            ],
        )
        return self.instance


class IndicatorFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(method="filter_programme", help_text=_("Programme id or code."))

    class Meta:
        model = Indicator
        fields = ["programme", "objective", "source"]

    def filter_programme(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(objective__programme_id=int(value))
        return queryset.filter(objective__programme__code=value)


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS),
    create=extend_schema(tags=TAGS, request=IndicatorWriteSerializer, responses={201: IndicatorSerializer}),
    partial_update=extend_schema(tags=TAGS, request=IndicatorWriteSerializer, responses=IndicatorSerializer),
)
class IndicatorViewSet(viewsets.ModelViewSet):
    """The programmes' indicators with targets and actuals per period (``periods``), within the
    caller's countries: actuals and disaggregations by country cover only the countries they reach.
    Managers create and change them (POST, PATCH), periods and targets included."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter

    def get_serializer_class(self):
        return IndicatorWriteSerializer if self.action in ("create", "partial_update") else IndicatorSerializer

    def create(self, request, *args, **kwargs):
        # Refuse before validating, so someone who may not write learns nothing from field errors.
        if not manages_somewhere(request.user):
            raise PermissionDenied
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        indicator = body.save()
        return Response(IndicatorSerializer(indicator, context=self._with_periods([indicator])).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        indicator = self.get_object()
        if not can_edit_framework(request.user, indicator.objective.programme):
            raise PermissionDenied
        body = self.get_serializer(indicator, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        indicator = body.save()
        return Response(IndicatorSerializer(indicator, context=self._with_periods([indicator])).data)

    def get_queryset(self):
        return Indicator.objects.visible_to(self.request.user).select_related("objective__programme")

    def _with_periods(self, indicators) -> dict:
        periods = indicators_periods(indicators, scope=outcome_scope(self.request.user), today=timezone.localdate())
        return {**self.get_serializer_context(), "periods_of": periods}

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = IndicatorSerializer(rows, many=True, context=self._with_periods(rows)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        return Response(IndicatorSerializer(indicator, context=self._with_periods([indicator])).data)


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = ScopedPrimaryKeyField(queryset=Indicator.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=IndicatorPeriod.objects.all())
    country = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all())
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    by = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        default=dict,
        help_text=_('{"sex": {"female": "12", "male": "8"}}: for a number indicator, each dimension adds up to value.'),
    )
    evidence_file = serializers.FileField(write_only=True, required=False)
    evidence_url = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "period",
            "country",
            "value",
            "by",
            "comment",
            "evidence_link",
            "evidence_file",
            "evidence_url",
            "evidence_name",
            "state",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = [
            "evidence_name",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]

    def validate(self, attrs):
        check_country_writable(self.context["request"].user, IndicatorValue, attrs.get("country"))
        return attrs

    def get_evidence_url(self, obj) -> str | None:
        user = self.context["request"].user
        if not can_download_value_evidence(user, obj):
            return None
        return reverse("indicator-value-evidence", args=[obj.pk])


class IndicatorValueFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "period", "state", "country"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(Q(country_id=value.upper()))


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS),
    create=extend_schema(tags=TAGS),
)
class IndicatorValueViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Values of reported indicators per period and country, with evidence (a link, or a file in a
    multipart request). A counterpart's value awaits a manager's verification; a manager's is
    verified as it is entered. Only verified values count in ``indicators/``."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = IndicatorValue.objects.select_related("indicator", "period")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.indicator_value_report(
            indicator=data["indicator"],
            period=data["period"],
            country=data["country"],
            value=data["value"],
            by_values=data.get("by") or {},
            comment=data.get("comment", ""),
            evidence_link=data.get("evidence_link", ""),
            upload=data.get("evidence_file"),
            by=self.request.user,
        )

    @extend_schema(tags=TAGS, request=ReviewSerializer, responses=IndicatorValueSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A manager accepts the value (verified, it counts) or returns it with a comment."""
        value = self.get_object()
        if not can_verify_value(request.user, value.country_id):
            raise PermissionDenied
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = services.indicator_value_review(
            value=value,
            by=request.user,
            accept=body.validated_data["decision"] == "accept",
            comment=body.validated_data["comment"],
        )
        return Response(self.get_serializer(value).data)

    @extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="evidence", url_name="evidence")
    def evidence(self, request, pk=None):
        """The value's evidence file (404 when there is none or the caller may not see it)."""
        value = self.get_object()
        if not can_download_value_evidence(request.user, value):
            raise Http404
        return stored_file_response(
            value.evidence_file, filename=value.evidence_name or "evidence", content_type=value.evidence_content_type
        )


def register(router) -> None:
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
