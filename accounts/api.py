from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .scoping import role_countries
from .token_api import ApiTokenViewSet
from .token_api import TokenView


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "language": serializers.CharField(),
            "roles": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        },
    )
)
@api_view(["GET"])
def me(request):
    """Who the caller is and where each of their roles reaches (``["*"]`` means every country)."""
    roles = {
        role: ["*"] if scope.everywhere else sorted(scope.countries)
        for role, scope in role_countries(request.user).items()
    }
    return Response({"username": request.user.username, "language": request.user.language, "roles": roles})


def register(router):
    router.register("auth/tokens", ApiTokenViewSet, basename="api-token-manage")


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", me, name="api-me"),
]
