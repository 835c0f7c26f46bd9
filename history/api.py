"""API of the history import: imports/ (upload a workbook as multipart, follow it, read its results)."""

from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ta_portal.bodylimit import body_limit
from ta_portal.schema import DETAIL
from ta_portal.uploads import WORKBOOK

from . import selectors
from . import services
from .access import can_import_history
from .models import HistoryImport


class SheetSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    unchanged = serializers.IntegerField(min_value=0)


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(allow_null=True, help_text="The row of the sheet as the spreadsheet numbers it.")
    column = serializers.CharField(allow_blank=True, allow_null=True)
    message = serializers.CharField()


class ImportProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(min_value=0, help_text="Rows read so far.")
    total = serializers.IntegerField(min_value=0, help_text="Rows to read (0 until the workbook is opened).")
    percent = serializers.IntegerField(min_value=0, max_value=100)


class HistoryImportSerializer(serializers.ModelSerializer):
    """An import: the workbook, its state and, once finished, what it did (or would do) per sheet."""

    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="The username of whoever uploaded the workbook."
    )
    summary = serializers.DictField(
        child=SheetSummarySerializer(), read_only=True, help_text="Records per sheet: created, updated, unchanged."
    )
    errors = ImportErrorSerializer(many=True, read_only=True)
    error_count = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = HistoryImport
        fields = [
            "id",
            "status",
            "dry_run",
            "file_name",
            "size",
            "sha256",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "summary",
            "error_count",
            "errors",
        ]
        read_only_fields = fields

    def get_error_count(self, history_import) -> int:
        counted = getattr(history_import, "error_count", None)
        return counted if counted is not None else len(history_import.errors)

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, history_import) -> dict:
        history_import = selectors.with_live_progress(history_import)
        return {
            "done": history_import.rows_done,
            "total": history_import.rows_total,
            "percent": history_import.progress_pct,
        }


class HistoryImportListSerializer(HistoryImportSerializer):
    """In lists, the errors are counted (``error_count``); the import's own endpoint lists them."""

    class Meta(HistoryImportSerializer.Meta):
        fields = [name for name in HistoryImportSerializer.Meta.fields if name != "errors"]
        read_only_fields = fields


class HistoryImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The history workbook (XLSX).")
    dry_run = serializers.BooleanField(
        default=True, help_text="A dry run (the default) saves nothing and lists every error in the workbook."
    )


UNSUPPORTED = OpenApiResponse(DETAIL, description="The body is not multipart/form-data.")


@extend_schema_view(
    list=extend_schema(summary="The caller's imports (administrators: everyone's), newest first"),
    retrieve=extend_schema(summary="One import: its state, summary and every error"),
)
@body_limit(WORKBOOK.request_max_bytes)
class HistoryImportViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """History workbooks: upload one (a dry run by default), then follow it until it is done."""

    queryset = HistoryImport.objects.none()  # the model, for the schema; requests use the user's imports
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if self.action == "list":
            return selectors.import_list_for_user(user=self.request.user)
        return selectors.imports_for_user(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return HistoryImportUploadSerializer
        return HistoryImportListSerializer if self.action == "list" else HistoryImportSerializer

    @extend_schema(
        summary="Upload a history workbook: a dry run (default) or the real import, run in the background",
        request={"multipart/form-data": HistoryImportUploadSerializer},
        responses={201: HistoryImportSerializer, 415: UNSUPPORTED},
    )
    def create(self, request, *args, **kwargs):
        # Refused before the body is read: someone who may not import learns nothing from field errors.
        if not can_import_history(request.user):
            raise PermissionDenied
        upload = HistoryImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        history_import = services.import_create(
            user=request.user, upload=upload.validated_data["file"], dry_run=upload.validated_data["dry_run"]
        )
        data = HistoryImportSerializer(history_import, context=self.get_serializer_context()).data
        location = request.build_absolute_uri(f"{request.path}{history_import.pk}/")
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


def register(router) -> None:
    router.register("imports", HistoryImportViewSet, basename="history-import")
