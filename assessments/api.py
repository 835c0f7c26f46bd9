"""REST endpoints of docs/API.md: frameworks, assessments (with scores, findings, recommendations and
the PDF report), roundtables. Scoped like the pages: 404 out of scope, 403 visible but read-only."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from engagements.api import CountryFilterSet
from engagements.api import ScopedPrimaryKeyField
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import Person
from reports.services import report_latest
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin

from . import report as assessment_report
from . import selectors
from . import services
from .models import Assessment
from .models import Dimension
from .models import Finding
from .models import Framework
from .models import Recommendation
from .models import Roundtable


class DimensionSerializer(PortalModelSerializer):
    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    levels = serializers.SerializerMethodField()

    class Meta:
        model = Dimension
        fields = ["code", "name", "description", "levels"]

    def get_name(self, obj) -> str:
        return obj.local_name()

    def get_description(self, obj) -> str:
        return obj.local_description()

    def get_levels(self, obj) -> dict[str, str]:
        return obj.local_levels()


class FrameworkSerializer(PortalModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)
    # Reference data: the texts in the request's language, as for the dimensions.
    name = serializers.CharField(source="local_name", read_only=True)
    description = serializers.CharField(source="local_description", read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "code", "name", "version", "description", "dimensions"]


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Assessment frameworks (reference data, readable by every signed-in user)."""

    queryset = Framework.objects.prefetch_related("dimensions").order_by("name", "-version")
    serializer_class = FrameworkSerializer
    filterset_fields = ["code", "version"]


class EditableEngagementField(serializers.PrimaryKeyRelatedField):
    """An engagement the user may change (others are refused as if they did not exist)."""

    def get_queryset(self):
        return Engagement.objects.editable_by(self.context["request"].user)


class AssessmentSerializer(PortalModelSerializer):
    engagement = EditableEngagementField()
    country = serializers.CharField(source="engagement.country_id", read_only=True)
    agencies = ScopedPrimaryKeyField(queryset=Agency.objects.all(), many=True, required=False)
    status = serializers.ChoiceField(choices=Assessment.Status.choices, required=False)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=_("Why a final assessment is reopened.")
    )
    baseline = serializers.SerializerMethodField()
    unscored_dimensions = serializers.SerializerMethodField(
        help_text=_(
            "Codes of the framework's dimensions not scored yet; the assessment cannot be final while any remain."
        )
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "engagement",
            "country",
            "framework",
            "title",
            "status",
            "reason",
            "start_date",
            "end_date",
            "agencies",
            "executive_summary",
            "method",
            "baseline",
            "unscored_dimensions",
        ]

    def get_baseline(self, obj) -> int | None:
        # Looked up once per country, so a list does not grow in queries.
        return selectors.baseline_pk_for(obj, earliest_finals=self.context.setdefault("_earliest_final", {}))

    def get_unscored_dimensions(self, obj) -> list[str]:
        return [dimension.code for dimension in services.dimensions_unscored(obj)]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["engagement"].read_only = True  # an assessment stays with its engagement
        return fields

    def validate(self, attrs):
        if self.instance is None and attrs.get("status", Assessment.Status.DRAFT) != Assessment.Status.DRAFT:
            raise serializers.ValidationError({"status": [_("A new assessment starts as a draft.")]})
        return super().validate(attrs)

    def create(self, validated_data):
        validated_data.pop("status", None)
        validated_data.pop("reason", None)
        agencies = validated_data.pop("agencies", None)
        return services.assessment_save(
            assessment=Assessment(**validated_data), by=self.context["request"].user, agencies=agencies
        )

    @transaction.atomic  # the fields and the status change together or not at all
    def update(self, instance, validated_data):
        to_status = validated_data.pop("status", None)
        reason = validated_data.pop("reason", "")
        agencies = validated_data.pop("agencies", None)
        user = self.context["request"].user
        if validated_data or agencies is not None:
            for field, value in validated_data.items():
                setattr(instance, field, value)
            services.assessment_save(assessment=instance, by=user, agencies=agencies)
        if to_status is not None:
            instance = services.assessment_set_status(assessment=instance, to_status=to_status, by=user, reason=reason)
        return instance


class ScoreSerializer(serializers.Serializer):
    """A score row's shape; the rules on the rows (dimension of the framework, once) are the service's."""

    dimension = serializers.CharField(help_text=_("The dimension's code."))
    level = serializers.IntegerField(min_value=1, max_value=5)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class FindingSerializer(PortalModelSerializer):
    dimension = serializers.SlugRelatedField(slug_field="code", queryset=Dimension.objects.none())
    agencies = ScopedPrimaryKeyField(queryset=Agency.objects.all(), many=True, required=False)
    substances = serializers.PrimaryKeyRelatedField(
        queryset=ControlledSubstance.objects.all(), many=True, required=False
    )
    recommendations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "dimension", "kind", "priority", "text", "agencies", "substances", "recommendations"]

    def get_fields(self):
        fields = super().get_fields()
        assessment = self.context.get("assessment")
        if assessment is not None:
            fields["dimension"].queryset = assessment.framework.dimensions.all()
        return fields


class RecommendationSerializer(PortalModelSerializer):
    finding = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.none())
    responsible_agency = ScopedPrimaryKeyField(queryset=Agency.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Recommendation
        fields = ["id", "finding", "text", "priority", "responsible_agency", "timeframe"]

    def get_fields(self):
        fields = super().get_fields()
        assessment = self.context.get("assessment")
        if assessment is not None:
            fields["finding"].queryset = assessment.findings.all()
        return fields


REPORT_STATUS = inline_serializer(
    "AssessmentReportStatus",
    {
        "status": serializers.ChoiceField(choices=["pending", "ready", "failed"]),
        "url": serializers.URLField(),
        "download_url": serializers.URLField(allow_null=True),
        "language": serializers.CharField(),
        "up_to_date": serializers.BooleanField(),
    },
)


class AssessmentFilter(CountryFilterSet):
    def filter_country(self, queryset, name, value):
        return queryset.filter(engagement__country_id=value.upper())

    class Meta:
        model = Assessment
        fields = ["country", "status", "engagement", "framework"]


@extend_schema_view(update=extend_schema(exclude=True))
class AssessmentViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    # Scores and dimensions come with the page, for each assessment's unscored dimensions.
    queryset = Assessment.objects.select_related("engagement__country", "framework").prefetch_related(
        "agencies", "scores", "framework__dimensions"
    )
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def update(self, request, *args, **kwargs):
        # PUT is open for the scores sub-resource only; an assessment changes by PATCH.
        if not kwargs.get("partial"):
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        return super().update(request, *args, **kwargs)

    def _visible(self, pk) -> Assessment:
        # DRF's helper: a malformed id (the route takes any segment) is a 404 too, not a 500.
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(request=ScoreSerializer(many=True), responses=ScoreSerializer(many=True))
    @action(detail=True, methods=["get", "put"], url_path="scores")
    def scores(self, request, pk=None):
        """GET the scores; PUT the whole set ([{"dimension": code, "level": 1–5, "rationale"}]).

        All or nothing: one bad row answers 400 ``{"scores": {"<index>": {field: [messages]}}}``
        and nothing is saved. A dimension left out of a PUT loses its score."""
        assessment = self.get_object()
        if request.method == "PUT":
            services.assessment_require_open(assessment)
            if not isinstance(request.data, list):
                raise serializers.ValidationError({"scores": [_("Send a list of scores.")]})
            errors, entries, indexes = {}, [], []
            for index, item in enumerate(request.data):
                row = ScoreSerializer(data=item)
                if row.is_valid():
                    data = row.validated_data
                    entry = services.ScoreEntry(data["dimension"], data["level"], data.get("rationale", ""))
                else:
                    # Every error of the row: a bad level does not hide an unknown dimension.
                    errors[index] = dict(row.errors)
                    dimension = item.get("dimension") if isinstance(item, dict) else None
                    if "dimension" in row.errors or not isinstance(dimension, str):
                        continue
                    entry = services.ScoreEntry(dimension, None)
                entries.append(entry)
                indexes.append(index)
            rule_errors = services.score_errors(entries, services.framework_dimensions(assessment))
            for position, fields in rule_errors.items():
                row_errors = errors.setdefault(indexes[position], {})
                for field, messages in fields.items():
                    row_errors.setdefault(field, messages)
            if errors:
                raise serializers.ValidationError({"scores": {str(index): errors[index] for index in sorted(errors)}})
            services.scores_replace(assessment=assessment, entries=entries, by=request.user)
        data = [
            {"dimension": s.dimension.code, "level": s.level, "rationale": s.rationale}
            for s in selectors.scores_of(assessment)
        ]
        return Response(data)

    @extend_schema(request=FindingSerializer, responses=FindingSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="findings")
    def findings(self, request, pk=None):
        assessment = self.get_object()
        context = {**self.get_serializer_context(), "assessment": assessment}
        if request.method == "POST":
            services.assessment_require_open(assessment)
            serializer = FindingSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            agencies, substances = data.pop("agencies", []), data.pop("substances", [])
            finding = services.finding_save(
                finding=Finding(assessment=assessment, **data),
                agencies=agencies,
                substances=substances,
                by=request.user,
            )
            return Response(FindingSerializer(finding, context=context).data, status=status.HTTP_201_CREATED)
        findings = selectors.findings_with_recommendations(assessment)
        page = self.paginate_queryset(findings)
        return self.get_paginated_response(FindingSerializer(page, many=True, context=context).data)

    @extend_schema(request=RecommendationSerializer, responses=RecommendationSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="recommendations")
    def recommendations(self, request, pk=None):
        assessment = self.get_object()
        context = {**self.get_serializer_context(), "assessment": assessment}
        if request.method == "POST":
            services.assessment_require_open(assessment)
            serializer = RecommendationSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            recommendation = services.recommendation_save(
                recommendation=Recommendation(**serializer.validated_data), by=request.user
            )
            return Response(
                RecommendationSerializer(recommendation, context=context).data, status=status.HTTP_201_CREATED
            )
        recommendations = (
            Recommendation.objects.filter(finding__assessment=assessment)
            .select_related("responsible_agency")
            .order_by("finding__dimension__order", "finding_id", "pk")
        )
        page = self.paginate_queryset(recommendations)
        return self.get_paginated_response(RecommendationSerializer(page, many=True, context=context).data)

    def _report_language(self, request) -> str:
        wanted = request.data.get("language") if request.method == "POST" else request.query_params.get("language")
        languages = dict(settings.LANGUAGES)
        if wanted:
            if wanted not in languages:
                raise serializers.ValidationError({"language": [_("Unknown language.")]})
            return wanted
        return getattr(request.user, "language", "") or get_language() or settings.LANGUAGE_CODE

    def _report_payload(self, request, assessment, report, language) -> dict:
        current = assessment_report.assessment_report_fingerprint(assessment, language)
        return {
            "status": report.status,
            "url": request.build_absolute_uri(reverse("assessment-report", args=[assessment.pk]))
            + f"?language={language}",
            "download_url": request.build_absolute_uri(reverse("api-report-download", args=[report.pk]))
            if report.is_ready
            else None,
            "language": report.language,
            "up_to_date": report.fingerprint == current,
        }

    @extend_schema(request=None, responses={200: REPORT_STATUS, 202: REPORT_STATUS})
    @action(detail=True, methods=["get", "post"], url_path="report")
    def report(self, request, pk=None):
        """POST queues the PDF report (202 at once); GET tells its status and, once ready, where to
        download it. Anyone who may read the assessment may have its report made."""
        assessment = self._visible(pk)
        language = self._report_language(request)
        if request.method == "POST":
            report = services.assessment_report_request(assessment=assessment, language=language, by=request.user)
            return Response(
                self._report_payload(request, assessment, report, language), status=status.HTTP_202_ACCEPTED
            )
        report = report_latest(owner=assessment, kind=assessment_report.KIND, language=language)
        if report is None:
            return Response(
                {"detail": _("No report has been requested in this language.")}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(self._report_payload(request, assessment, report, language))


class AttendeeSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyField(queryset=Person.objects.all())
    attended = serializers.BooleanField(default=False)


class RoundtableSerializer(PortalModelSerializer):
    engagement = EditableEngagementField()
    assessment = ScopedPrimaryKeyField(queryset=Assessment.objects.all(), required=False, allow_null=True)
    agencies = ScopedPrimaryKeyField(queryset=Agency.objects.all(), many=True, required=False)
    attendees = AttendeeSerializer(many=True, required=False, source="attendance")

    class Meta:
        model = Roundtable
        fields = ["id", *Roundtable.EDITABLE_FIELDS, "attendees"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["engagement"].read_only = True
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["attendees"] = [{"person": row.person_id, "attended": row.attended} for row in instance.attendance.all()]
        return data

    def instance_as_saved(self, attrs):
        # The attendance is rows of their own, checked by the service that writes them.
        return super().instance_as_saved({name: value for name, value in attrs.items() if name != "attendance"})

    @transaction.atomic  # the roundtable and its attendance are saved together or not at all
    def _save(self, instance, validated_data):
        agencies = validated_data.pop("agencies", None)
        attendance = validated_data.pop("attendance", None)
        if instance.pk is None and not validated_data.get("time_zone"):
            validated_data["time_zone"] = services.roundtable_time_zone(validated_data.get("engagement"))
        for field, value in validated_data.items():
            setattr(instance, field, value)
        user = self.context["request"].user
        services.roundtable_save(roundtable=instance, agencies=agencies, by=user)
        if attendance is not None:
            wanted = {row["person"].pk: row for row in attendance}
            services.roundtable_set_attendance(
                roundtable=instance,
                attended={pk: row["attended"] for pk, row in wanted.items()},
                add=[row["person"] for row in attendance],
                remove=instance.attendance.exclude(person_id__in=wanted).values_list("person_id", flat=True),
                by=user,
            )
        return instance

    def create(self, validated_data):
        return self._save(Roundtable(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class RoundtableFilter(CountryFilterSet):
    def filter_country(self, queryset, name, value):
        return queryset.filter(engagement__country_id=value.upper())

    class Meta:
        model = Roundtable
        fields = ["country", "engagement", "assessment"]


class RoundtableViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = (
        Roundtable.objects.select_related("engagement")
        .prefetch_related("agencies", "attendance")
        .order_by("-date", "pk")
    )
    serializer_class = RoundtableSerializer
    filterset_class = RoundtableFilter


def register(router) -> None:
    router.register("frameworks", FrameworkViewSet, basename="framework")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("roundtables", RoundtableViewSet, basename="roundtable")
