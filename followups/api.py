"""REST API of the follow-up: ``measures/``, ``followup-rounds/``, ``status-updates/`` (docs/API.md).

A measure's status is read-only here: it changes only by posting a status update. Writes go
through the services, like the pages.
"""

from functools import partial

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.models import Recommendation
from assessments.models import Roundtable
from engagements.api import ScopedPrimaryKeyField
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from network.models import ExternalRecommendation
from ta_portal.api import BoundedDateField
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.api import check_country_writable
from ta_portal.bodylimit import body_limit
from ta_portal.uploads import EVIDENCE
from ta_portal.uploads import check_uploads
from ta_portal.uploads import stored_file_response

from . import selectors
from . import services
from .access import can_review_updates
from .access import can_see_evidence
from .models import Evidence
from .models import FollowupRound
from .models import Measure
from .models import MeasureStatus
from .models import RoundStatus
from .models import StatusUpdate


class CountryFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO code)"))
    country_path = "engagement__country_id"

    def filter_country(self, queryset, name, value):
        return queryset.filter(**{self.country_path: value.upper()})


# ---- Measures -------------------------------------------------------------------------------


class MeasureSerializer(PortalModelSerializer):
    engagement = ScopedPrimaryKeyField(queryset=Engagement.objects.all())
    country = serializers.CharField(source="engagement.country_id", read_only=True)
    recommendation = ScopedPrimaryKeyField(queryset=Recommendation.objects.all(), required=False, allow_null=True)
    roundtable = ScopedPrimaryKeyField(queryset=Roundtable.objects.all(), required=False, allow_null=True)
    external_recommendation = ScopedPrimaryKeyField(
        queryset=ExternalRecommendation.objects.all(), required=False, allow_null=True
    )
    responsible_agency = ScopedPrimaryKeyField(queryset=Agency.objects.all(), required=False, allow_null=True)
    substances = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ControlledSubstance.objects.all(), required=False
    )
    status = serializers.ChoiceField(choices=MeasureStatus.choices, read_only=True)
    verified_status = serializers.CharField(read_only=True, help_text=_("Empty until a manager verified a report."))

    class Meta:
        model = Measure
        fields = [
            "id",
            "engagement",
            "country",
            "title",
            "description",
            "recommendation",
            "roundtable",
            "external_recommendation",
            "responsible_agency",
            "priority",
            "due_date",
            "agreed_on",
            "substances",
            "status",
            "progress_pct",
            "verified_status",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["progress_pct", "verified_at", "created_at", "updated_at"]

    def validate(self, attrs):
        for derived in ("status", "verified_status", "progress_pct"):
            if derived in self.initial_data:
                raise serializers.ValidationError(
                    {derived: [_("The status changes only through status updates (POST status-updates/).")]}
                )
        if self.instance is not None and "engagement" in attrs and attrs["engagement"] != self.instance.engagement:
            raise serializers.ValidationError({"engagement": [_("A measure cannot move to another engagement.")]})
        engagement = attrs.get("engagement") or self.instance.engagement
        check_country_writable(self.context["request"].user, Measure, engagement.country_id, field="engagement")
        return super().validate(attrs)


class MeasureFilter(CountryFilter):
    class Meta:
        model = Measure
        fields = [
            "engagement",
            "status",
            "priority",
            "recommendation",
            "roundtable",
            "external_recommendation",
            "country",
        ]


class MeasureViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    queryset = Measure.objects.select_related("engagement").prefetch_related("substances")
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter

    def _save(self, serializer, measure):
        substances = serializer.validated_data.get("substances")
        for field, value in serializer.validated_data.items():
            if field != "substances":
                setattr(measure, field, value)
        serializer.instance = services.measure_save(measure=measure, by=self.request.user, substances=substances)

    def perform_create(self, serializer):
        self._save(serializer, Measure())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


# ---- Rounds ---------------------------------------------------------------------------------


OPENS_TODAY = _('A round opened now opens today; a round of the past is sent with "recorded_after_the_fact": true.')
ASKS_ABOUT_OPEN_MEASURES = _(
    "A round opened now asks about every open measure; the measures are chosen only for a round of the past "
    '("recorded_after_the_fact": true).'
)


class FollowupRoundSerializer(PortalModelSerializer):
    engagement = ScopedPrimaryKeyField(queryset=Engagement.objects.all())
    status = serializers.CharField(read_only=True)
    opens_on = BoundedDateField(
        required=False, help_text=_("Given only for a round of the past (a round opened now opens today).")
    )
    measures = ScopedPrimaryKeyField(
        many=True,
        queryset=Measure.objects.all(),
        required=False,
        help_text=_(
            "Given only for a round of the past: the measures it asked about (by default those open on its "
            "opening day). A round opened now asks about every open measure."
        ),
    )
    submitted_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    recorded_after_the_fact = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "Record a round of the past: its days as given, stored closed, nothing sent, the current round left open."
        ),
    )

    class Meta:
        model = FollowupRound
        fields = [
            "id",
            "engagement",
            "opens_on",
            "due_date",
            "status",
            "submitted_at",
            "submitted_on_time",
            "closed_at",
            "measures",
            "recorded_after_the_fact",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["submitted_at", "closed_at", "recorded_by", "recorded_at"]

    def validate(self, attrs):
        check_country_writable(
            self.context["request"].user, FollowupRound, attrs["engagement"].country_id, field="engagement"
        )
        if attrs.get("recorded_after_the_fact"):
            if attrs.get("opens_on") is None:
                raise serializers.ValidationError({"opens_on": [_("Give the day a round of the past opened.")]})
        # A round opened now opens today and asks about every open measure: other values are refused,
        # never ignored.
        elif "opens_on" in attrs and attrs["opens_on"] != timezone.localdate():
            raise serializers.ValidationError({"opens_on": [OPENS_TODAY]})
        elif "measures" in self.initial_data:  # (a form-encoded post without it still gets an empty list)
            raise serializers.ValidationError({"measures": [ASKS_ABOUT_OPEN_MEASURES]})
        return super().validate(attrs)


class FollowupRoundFilter(CountryFilter):
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, field_name="round_status")

    class Meta:
        model = FollowupRound
        fields = ["engagement", "status", "country"]


class FollowupRoundViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Rounds: GET, and POST to open one (it replaces the engagement's current round)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = FollowupRound.objects.all()
    serializer_class = FollowupRoundSerializer
    filterset_class = FollowupRoundFilter

    def base_queryset(self):
        return (
            FollowupRound.objects.with_status(timezone.localdate())
            .prefetch_related("measures")
            .order_by("-opens_on", "-pk")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        if data.get("recorded_after_the_fact"):
            round_ = services.round_record(
                engagement=data["engagement"],
                opens_on=data["opens_on"],
                due_date=data["due_date"],
                measures=data.get("measures"),
                by=self.request.user,
            )
        else:
            round_ = services.round_open(engagement=data["engagement"], due_date=data["due_date"], by=self.request.user)
        serializer.instance = self.base_queryset().get(pk=round_.pk)

    @extend_schema(request=None, responses=FollowupRoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the round: no more reports go into it."""
        round_ = self.get_object()
        services.round_close(round_=round_, by=request.user)
        return Response(self.get_serializer(round_).data)


# ---- Status updates -------------------------------------------------------------------------


class EvidenceSerializer(PortalModelSerializer):
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("followup-evidence-download", args=[obj.pk])


class StatusUpdateSerializer(PortalModelSerializer):
    measure = ScopedPrimaryKeyField(queryset=Measure.objects.all())
    round = ScopedPrimaryKeyField(queryset=FollowupRound.objects.all(), required=False, allow_null=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    progress_pct = serializers.IntegerField(min_value=0, max_value=100)
    draft = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text=_("Save as the shared draft instead of reporting.")
    )
    submitted_on = BoundedDateField(
        write_only=True,
        required=False,
        help_text=_(
            "Record a report of the past (managers and admins only): the day it was submitted. "
            "Counterparts are refused (403)."
        ),
    )
    verified_on = BoundedDateField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_(
            "With submitted_on: the day it was verified, by the manager recording it. Omitted, it awaits verification."
        ),
    )
    state = serializers.CharField(read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "measure",
            "round",
            "state",
            "status",
            "progress_pct",
            "narrative",
            "draft",
            "submitted_on",
            "verified_on",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "recorded_by",
            "recorded_at",
            "evidence",
            "created_at",
        ]
        read_only_fields = [
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "recorded_by",
            "recorded_at",
        ]

    def validate(self, attrs):
        if attrs.get("verified_on") is not None and attrs.get("submitted_on") is None:
            raise serializers.ValidationError(
                {"submitted_on": [_("Give the day the report was submitted, to record a report of the past.")]}
            )
        if attrs.get("submitted_on") is not None and attrs.get("draft"):
            raise serializers.ValidationError(
                {"draft": [_("A report of the past is recorded as submitted, never as a draft.")]}
            )
        return super().validate(attrs)

    def get_evidence(self, obj) -> list[dict]:
        user = self.context["request"].user
        if not can_see_evidence(user, obj.measure.engagement):
            return []
        return EvidenceSerializer(obj.evidence.all(), many=True).data


class StatusUpdateFilter(CountryFilter):
    country_path = "measure__engagement__country_id"
    engagement = django_filters.NumberFilter(field_name="measure__engagement")

    class Meta:
        model = StatusUpdate
        fields = ["measure", "round", "state", "status", "engagement", "country"]


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class StatusUpdateViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Reports on measures. POST reports (or, with ``"draft": true``, saves the shared draft of
    the measure in the round); counterparts report for their country, managers verify."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = StatusUpdate.objects.select_related("measure__engagement").prefetch_related("evidence")
    serializer_class = StatusUpdateSerializer
    filterset_class = StatusUpdateFilter

    # The fields that make a post the record of a report of the past, a manager's task.
    RECORDING_FIELDS = ("submitted_on", "verified_on")

    def create(self, request, *args, **kwargs):
        # A counterpart's report is dated now: sending the day of a past one is refused, never ignored.
        recording = hasattr(request.data, "keys") and any(name in request.data for name in self.RECORDING_FIELDS)
        if recording and not can_review_updates(request.user):
            raise PermissionDenied(_("Only programme managers record reports of the past."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if data.get("submitted_on") is not None:
            serializer.instance = services.status_update_record(
                measure=data["measure"],
                round_=data.get("round"),
                by=self.request.user,
                status=data["status"],
                progress_pct=data["progress_pct"],
                narrative=data.get("narrative", ""),
                submitted_on=data["submitted_on"],
                verified_on=data.get("verified_on"),
            )
            return
        serializer.instance = services.status_update_save(
            measure=data["measure"],
            round_=data.get("round"),
            by=self.request.user,
            status=data["status"],
            progress_pct=data["progress_pct"],
            narrative=data.get("narrative", ""),
            submit=not data.get("draft", False),
        )

    @extend_schema(request=None, responses=StatusUpdateSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Report a draft as it stands."""
        update = self.get_object()
        update = services.status_update_submit(update=update, by=request.user)
        return Response(self.get_serializer(update).data)

    @extend_schema(request=ReviewSerializer, responses=StatusUpdateSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A manager accepts the report (verified) or returns it with a comment (e-mailed)."""
        update = self.get_object()
        if not can_review_updates(request.user, update.measure.engagement):
            raise PermissionDenied
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        update = services.status_update_review(
            update=update,
            by=request.user,
            accept=body.validated_data["decision"] == "accept",
            comment=body.validated_data["comment"],
        )
        return Response(self.get_serializer(update).data)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @body_limit(partial(EVIDENCE.request_max_bytes, 1))  # one file per request
    def evidence(self, request, pk=None):
        """Attach a file to a draft (PDF, image or office document; its content is checked)."""
        update = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not update.is_draft:
            raise ApiValidationError({"file": [_("Files are added to a draft, before it is submitted.")]})
        try:
            checked = check_uploads([body.validated_data["file"]], policy=EVIDENCE, already=update.evidence.count())
        except DjangoValidationError as exc:
            raise ApiValidationError({"file": exc.messages})
        evidence = services.evidence_store(update=update, checked=checked[0], by=request.user)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDownloadView(APIView):
    """The evidence file itself, for API clients (token or session); 404 outside the user's scope."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
        return stored_file_response(evidence.file, filename=evidence.original_name, content_type=evidence.content_type)


def register(router) -> None:
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("followup-rounds", FollowupRoundViewSet, basename="followup-round")
    router.register("status-updates", StatusUpdateViewSet, basename="status-update")


urlpatterns = [
    path("followup-evidence/<int:pk>/download/", EvidenceDownloadView.as_view(), name="followup-evidence-download"),
]
