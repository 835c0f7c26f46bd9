"""search/?q= : the best matches the caller may see, across the portal (docs/API.md, "Search")."""

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .forms import SearchForm
from .sources import SOURCES


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[source.kind for source in SOURCES])
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Plain text.")
    url = serializers.CharField(help_text="The page of the result in the portal (a path).")
    snippet = serializers.CharField(
        help_text="HTML: the matching passage, escaped, each match in a <mark> element (no other markup)."
    )


class SearchView(APIView):
    """The best matches of ``q`` among what the caller may see, best first (at most 30)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="Words to look for (up to 200 characters)."
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[source.kind for source in SOURCES],
                description="Only results of this kind.",
            ),
        ],
        responses=inline_serializer("SearchResults", {"results": SearchHitSerializer(many=True)}),
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        hits = selectors.search_for_user(
            user=request.user, query=form.cleaned_data["q"], kind=form.cleaned_data["kind"]
        )
        return Response({"results": SearchHitSerializer(hits, many=True).data})


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
