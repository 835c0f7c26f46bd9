"""The IATI activity file over the API (token or session, managers and administrators of the
programme's countries) and, for a programme that chose to publish it, at a public address."""

from __future__ import annotations

from django.http import Http404
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from accounts.scoping import EVERYWHERE
from accounts.scoping import scope_for
from engagements.models import Programme
from finance.models import MONEY_ROW_ROLES
from finance.models import IatiPublication
from finance.selectors import programme_get_for_money

from .iati import activities_file

XML_CONTENT_TYPE = "application/xml; charset=utf-8"


class XMLRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``application/xml``; the file is returned as built, and errors are
    answered by the JSON renderer (``IatiActivitiesView.handle_exception``)."""

    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


def _file_response(programme: Programme, scope) -> HttpResponse:
    response = HttpResponse(activities_file(programme=programme, scope=scope), content_type=XML_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="iati-activities-{programme.code}.xml"'
    return response


class IatiActivitiesView(APIView):
    """The programme's IATI 2.03 activity file (README, "IATI"), over the caller's countries."""

    renderer_classes = [XMLRenderer, renderers.JSONRenderer]

    def handle_exception(self, exc):
        # Errors (400, 401, 403, 404) are JSON with a JSON content type, as the schema documents and
        # as the rest of the API answers them, whichever renderer the request negotiated.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, required=True, description="The programme's code.")
        ],
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="IATI activity file"),
            404: OpenApiResponse(description="No programme of that code within the caller's reach."),
        },
    )
    def get(self, request):
        code = (request.query_params.get("programme") or "").strip()
        if not code:
            raise ValidationError({"programme": [_("Name the programme by its code: ?programme=<code>.")]})
        programme = programme_get_for_money(user=request.user, code=code)
        return _file_response(programme, scope_for(request.user, MONEY_ROW_ROLES))


def iati_public(request, code: str):
    """The whole programme's file, for anyone, once the programme chose to publish it (404 before)."""
    publication = IatiPublication.objects.filter(programme__code=code, public=True).select_related("programme").first()
    if publication is None:
        raise Http404
    return _file_response(publication.programme, EVERYWHERE)
