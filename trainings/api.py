"""REST API of the trainings (docs/API.md): training sessions, their results (bulk upsert) and outcomes."""

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import inline_serializer
from rest_framework import renderers
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.api import ScopedPrimaryKeyField
from engagements.models import Country
from engagements.models import Engagement
from engagements.selectors import countries_editable_by
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from ta_portal.bodylimit import body_limit
from ta_portal.params import text_param
from ta_portal.uploads import MULTIPART_ALLOWANCE

from . import selectors
from . import services
from .access import can_edit_session
from .access import can_plan_session
from .files import IMPORT_MAX_BYTES
from .files import outcome_csv
from .models import Course
from .models import Enrolment
from .models import Phase
from .models import ScoreChange
from .models import TrainingSession
from .quiz import SOURCES
from .quiz_import import quiz_results_import
from .results import MAX_ROWS
from .results import MISSING
from .results import InvalidResultsError
from .results import ResultInput
from .results import results_upsert
from .statistics import SUMMARY_KEYS

PERSON_FIELDS = ("id", "full_name", "email", "sex", "agency", "country")


class CSVRenderer(renderers.BaseRenderer):
    """Answers ``?format=csv``; the view hands it the CSV bytes ready-made."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


# Courses ----------------------------------------------------------------------------------------


class CourseSerializer(PortalModelSerializer):
    dimensions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    # Reference data: the texts in the request's language (Accept-Language, or the user's preference).
    title = serializers.CharField(source="local_title", read_only=True)
    description = serializers.CharField(source="local_description", read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "code", "description", "dimensions", "duration_hours", "is_active"]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """The course catalogue; each course names the assessment dimensions (by code) it strengthens."""

    serializer_class = CourseSerializer
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return Course.objects.visible_to(self.request.user).prefetch_related("dimensions")


# Training sessions ------------------------------------------------------------------------------


class TrainingSessionSerializer(PortalModelSerializer):
    engagement = ScopedPrimaryKeyField(queryset=Engagement.objects.all(), required=False, allow_null=True)
    countries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Country.objects.all(), required=False
    )
    trainers = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=selectors.trainer_choices())
    max_score = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False, required=False)
    pass_mark = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False, required=False)

    class Meta:
        model = TrainingSession
        fields = ["id", *TrainingSession.EDITABLE_FIELDS]

    def validate(self, attrs):
        user = self.context["request"].user
        instance = self.instance
        planning = {name for name in TrainingSession.PLANNING_FIELDS if name in attrs}
        if planning and instance is not None and not can_plan_session(user, instance):
            raise serializers.ValidationError(
                {name: [_("Only managers of the session's countries can change this.")] for name in sorted(planning)}
            )
        engagement = attrs.get("engagement", getattr(instance, "engagement", None))
        if "engagement" in attrs and engagement is not None:
            if not Engagement.objects.editable_by(user).filter(pk=engagement.pk).exists():
                raise serializers.ValidationError({"engagement": [_("You cannot plan sessions for this engagement.")]})
        if "countries" in attrs:
            allowed = set(countries_editable_by(user).values_list("code", flat=True))
            outside = sorted(c.code for c in attrs["countries"] if c.code not in allowed)
            if outside:
                raise serializers.ValidationError(
                    {"countries": [_("You cannot plan sessions in %(codes)s.") % {"codes": ", ".join(outside)}]}
                )
        # The model's rules (clean()); where the session takes place is the service's to judge, as it
        # knows the countries the session already has.
        return super().validate(attrs)

    def save_session(self, session: TrainingSession) -> TrainingSession:
        data = dict(self.validated_data)
        countries = data.pop("countries", None)
        trainers = data.pop("trainers", None)
        for name, value in data.items():
            setattr(session, name, value)
        return services.session_save(
            session=session, by=self.context["request"].user, countries=countries, trainers=trainers
        )


class ResultPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    full_name = serializers.CharField(required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=["female", "male", "other", "undisclosed"], required=False)
    agency = serializers.IntegerField(required=False, allow_null=True)
    country = serializers.CharField(required=False)


class ResultRowSerializer(serializers.Serializer):
    """One participant's results (what ``results/`` lists, and what it takes in a POSTed list)."""

    id = serializers.IntegerField(read_only=True, help_text="The enrolment's id.")
    person = ResultPersonSerializer()
    agency = serializers.IntegerField(read_only=True, allow_null=True)
    pre_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=False)
    post_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=False)
    pre_form = serializers.CharField(allow_null=True, required=False)
    post_form = serializers.CharField(allow_null=True, required=False)
    days_attended = serializers.DecimalField(
        max_digits=4, decimal_places=1, read_only=True, allow_null=True, coerce_to_string=False
    )
    completed = serializers.BooleanField(read_only=True)


def _result_row(enrolment: Enrolment) -> dict:
    person = enrolment.person
    return {
        "id": enrolment.pk,
        "person": {
            "id": person.pk,
            "full_name": person.full_name,
            "sex": person.sex,
            "email": person.email,
            "agency": person.agency_id,
            "country": person.country_id,
        },
        "agency": enrolment.agency_id,
        "pre_score": enrolment.pre_score,
        "post_score": enrolment.post_score,
        "pre_form": enrolment.pre_form.code if enrolment.pre_form else None,
        "post_form": enrolment.post_form.code if enrolment.post_form else None,
        "days_attended": enrolment.days_attended,
        "completed": enrolment.completed,
    }


def _result_input(index: int, item) -> ResultInput | dict:
    """A POSTed row as the upsert's input, or its errors when its shape is wrong."""
    if not isinstance(item, dict):
        return {"non_field_errors": [str(_("Each row must be an object."))]}
    person = item.get("person", {})
    if isinstance(person, int) and not isinstance(person, bool):
        person = {"id": person}
    if not isinstance(person, dict):
        return {"person": [str(_("Give the person as an object (id, full_name, email, sex, agency) or an id."))]}
    unknown = sorted(set(person) - set(PERSON_FIELDS))
    if unknown:
        return {"person": [str(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})]}
    row = ResultInput(
        key=str(index),
        person_id=person.get("id"),
        full_name=person.get("full_name") or "",
        email=person.get("email") or "",
        sex=person.get("sex"),
        agency=person.get("agency"),
        country=person.get("country"),
    )
    for name in ("pre_score", "post_score", "pre_form", "post_form"):
        setattr(row, name, item.get(name, MISSING))
    return row


class QuizImportSerializer(serializers.Serializer):
    """An online quiz's results file for a session's pre or post exam (multipart)."""

    file = serializers.FileField(help_text="Moodle's quiz Grades report, or a sheet of marks per question (CSV/XLSX).")
    exam = serializers.ChoiceField(choices=Phase.values, help_text="Which exam of the session the quiz is.")
    source = serializers.ChoiceField(choices=SOURCES, help_text="moodle: the Grades report; generic: Q1, Q2… columns.")
    dry_run = serializers.BooleanField(help_text="true: check and answer what would be done, saving nothing.")
    enrol_new = serializers.BooleanField(
        required=False, default=False, help_text="Confirms enrolling the participants the dry run listed as new."
    )


QUIZ_IMPORT_ERROR = inline_serializer(
    "QuizImportError",
    {
        "sheet": serializers.CharField(),
        "row": serializers.IntegerField(allow_null=True),
        "column": serializers.CharField(allow_blank=True),
        "message": serializers.CharField(),
    },
)
QUIZ_IMPORT_OUTCOME = inline_serializer(
    "QuizImportOutcome",
    {
        "status": serializers.ChoiceField(choices=["done", "failed"]),
        "dry_run": serializers.BooleanField(),
        "exam": serializers.CharField(),
        "source": serializers.CharField(),
        "attempt_policy": serializers.CharField(),
        "summary": serializers.DictField(
            child=serializers.DictField(child=serializers.IntegerField()),
            help_text='{sheet: {"created", "updated", "unchanged"}} for results, people and exam_forms.',
        ),
        "errors": serializers.ListField(child=QUIZ_IMPORT_ERROR),
        "participants": serializers.ListField(child=serializers.DictField()),
        "new_participants": serializers.ListField(child=serializers.DictField()),
        "ignored_attempts": serializers.ListField(child=serializers.DictField()),
        "ignored_columns": serializers.ListField(child=serializers.CharField()),
        "exam_form": serializers.DictField(allow_null=True),
    },
)


class TrainingSessionViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Training sessions. Managers plan them; assigned trainers run them (results, attendance)."""

    queryset = TrainingSession.objects.select_related("course", "engagement").prefetch_related("countries", "trainers")
    serializer_class = TrainingSessionSerializer
    filterset_fields = ["engagement", "course", "kind", "modality"]

    def get_queryset(self):
        sessions = super().get_queryset()
        country = text_param(self.request.query_params.get("country"))
        if country:
            sessions = sessions.filter(pk__in=TrainingSession.objects.filter(countries=country.upper()).values("pk"))
        return sessions

    def perform_create(self, serializer):
        serializer.instance = serializer.save_session(TrainingSession())

    def perform_update(self, serializer):
        serializer.instance = serializer.save_session(serializer.instance)

    @extend_schema(
        methods=["GET"],
        responses=ResultRowSerializer(many=True),
        description="The session's participants and their scores (those who run the session only).",
    )
    @extend_schema(
        methods=["POST"],
        request=ResultRowSerializer(many=True),
        responses={
            200: inline_serializer(
                "ResultsUpsertSummary",
                {
                    "rows": serializers.IntegerField(),
                    "people_created": serializers.IntegerField(),
                    "enrolled": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "score_changes": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(description='{"rows": {"<index>": {"field": ["message"]}}}; nothing was saved.'),
        },
        description="Upsert results: a participant is matched by person id, else e-mail, else exact full name. "
        "All rows or none are saved.",
    )
    @action(detail=True, methods=["get", "post"], url_path="results")
    def results(self, request, pk=None):
        session = self.get_object()  # 404 out of scope; a POST by someone who may not change it is 403
        if not can_edit_session(request.user, session):
            raise PermissionDenied  # names and scores are for those who run the session
        if request.method == "GET":
            enrolments = selectors.enrolments_of(session)
            page = self.paginate_queryset(enrolments)
            return self.get_paginated_response([_result_row(e) for e in page])
        items = request.data
        if not isinstance(items, list):
            return Response({"non_field_errors": [_("Send a list of rows.")]}, status=status.HTTP_400_BAD_REQUEST)
        if len(items) > MAX_ROWS:
            message = _("At most %(n)s rows at a time.") % {"n": MAX_ROWS}
            return Response({"non_field_errors": [message]}, status=status.HTTP_400_BAD_REQUEST)
        rows, shape_errors = [], {}
        for index, item in enumerate(items):
            parsed = _result_input(index, item)
            if isinstance(parsed, dict):
                shape_errors[str(index)] = parsed
            else:
                rows.append(parsed)
        try:
            summary = results_upsert(
                session=session, rows=rows, by=request.user, source=ScoreChange.Source.API, known_errors=shape_errors
            )
        except InvalidResultsError as exc:
            ordered = dict(sorted(exc.errors.items(), key=lambda item: int(item[0])))
            return Response({"rows": ordered}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "rows": len(rows),
                "people_created": summary.people_created,
                "enrolled": summary.enrolled,
                "updated": summary.updated,
                "score_changes": summary.score_changes,
            }
        )

    @extend_schema(
        request={"multipart/form-data": QuizImportSerializer},
        responses={
            200: QUIZ_IMPORT_OUTCOME,
            400: OpenApiResponse(
                description="The same shape with status failed and every error of the file (nothing saved), "
                'or {"field": ["message"]} for a missing or invalid parameter.'
            ),
        },
        description="Import an online quiz's results (Moodle's Grades report or a generic sheet) as the session's "
        "pre or post exam: a dry run first, then the import, all or nothing.",
    )
    @body_limit(IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE)
    @action(detail=True, methods=["post"], url_path="results/import", parser_classes=[MultiPartParser, FormParser])
    def results_import(self, request, pk=None):
        session = self.get_object()  # 404 out of scope, 403 for those who do not run it
        if not can_edit_session(request.user, session):
            raise PermissionDenied
        serializer = QuizImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = quiz_results_import(
            session=session,
            upload=data["file"],
            exam=data["exam"],
            source=data["source"],
            dry_run=data["dry_run"],
            enrol_new=data["enrol_new"],
            by=request.user,
        )
        return Response(outcome.as_json(), status=status.HTTP_400_BAD_REQUEST if outcome.errors else status.HTTP_200_OK)


# Outcomes ---------------------------------------------------------------------------------------


OUTCOME_FIGURES = {
    key: serializers.IntegerField() if key.startswith("n_") else serializers.FloatField(allow_null=True)
    for key in SUMMARY_KEYS
}


# A DictField whose child is a serializer breaks drf-spectacular's generator: the groups are
# described by a plain schema instead.
@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                key: {"type": "integer"} if key.startswith("n_") else {"type": "number", "nullable": True}
                for key in SUMMARY_KEYS
            },
        },
    }
)
class FiguresByGroupField(serializers.DictField):
    pass


class SessionOutcomeView(APIView):
    """docs/API.md's pre/post outcome figures of one session; ``?format=csv`` for a spreadsheet."""

    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        responses=inline_serializer(
            "SessionOutcome",
            {
                **OUTCOME_FIGURES,
                "by_sex": FiguresByGroupField(help_text="Keyed by sex: female, male, other, undisclosed."),
                "by_agency": FiguresByGroupField(help_text="Keyed by agency id."),
            },
        )
    )
    def get(self, request, pk: int):
        session = selectors.session_get_for_user(user=request.user, pk=pk)
        outcome = selectors.session_outcome(session)
        if request.accepted_renderer.format == "csv":
            names = selectors.agency_names(outcome["by_agency"])
            response = HttpResponse(outcome_csv(outcome, names), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="outcome-training-session-{session.pk}.csv"'
            return response
        outcome["by_agency"] = {str(agency): figures for agency, figures in outcome["by_agency"].items()}
        return Response(outcome)


def register(router) -> None:
    router.register("courses", CourseViewSet, basename="course")
    router.register("training-sessions", TrainingSessionViewSet, basename="trainingsession")


urlpatterns = [
    path("outcomes/training-sessions/<int:pk>/", SessionOutcomeView.as_view(), name="outcome-training-session"),
]
