from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from .views import report_file_response


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the file itself bypasses rendering."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class ReportDownloadView(APIView):
    """A rendered PDF (token or session auth); 404 when its owner is out of the caller's scope."""

    renderer_classes = [JSONRenderer, PDFRenderer]

    def handle_exception(self, exc):
        # Refusals answer in JSON even to ``?format=pdf`` (the PDF renderer would send an empty body).
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return report_file_response(user=request.user, pk=pk)


urlpatterns = [path("reports/<int:pk>/download/", ReportDownloadView.as_view(), name="api-report-download")]
