"""The API token endpoints and the authentication class that checks expiry and revocation.

``POST auth/token/`` issues a new token (``{"token", "expires"}``); users who must or did enrol in
two-factor authentication add an ``otp`` field. ``DELETE auth/token/`` revokes the token that made
the request. ``GET auth/tokens/`` lists live tokens (one's own; administrators see everyone's, and
may filter ``?user=<id>``); ``DELETE auth/tokens/{id}/`` revokes one.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions
from rest_framework import mixins
from rest_framework import serializers
from rest_framework import status
from rest_framework import viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ta_portal.bodylimit import body_limit
from ta_portal.params import int_param

from . import lockout
from .access import can_see_others_tokens
from .apitokens import ApiToken
from .apitokens import api_token_create
from .apitokens import api_token_revoke
from .otp import confirmed_device
from .otp import role_requires_otp
from .otp import verify_code

# The largest valid request, every field at its longest and every character escaped (\uXXXX),
# is about 26 KiB.
TOKEN_BODY_LIMIT = 32 * 1024


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text=_("The current code of the authenticator app, for users with two-factor authentication."),
    )
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("A label for the token, e.g. the client.")
    )


class Locked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"


TOKEN_RESPONSE = inline_serializer(
    "TokenIssued", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)


@body_limit(TOKEN_BODY_LIMIT)
class TokenView(APIView):
    """Exchange a username and password (and a one-time code where required) for an API token."""

    permission_classes = [AllowAny]
    # Credentials come as JSON only: a form or multipart body is refused (415) unparsed.
    parser_classes = [JSONParser]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TOKEN_RESPONSE,
            400: OpenApiResponse(description=_("Bad credentials or a missing / wrong one-time code.")),
            429: OpenApiResponse(description=_("Too many failed attempts for this username from this address.")),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        username, ip = data["username"], lockout.client_ip(request)
        user = authenticate(request=request, username=username, password=data["password"])
        if user is None:
            if lockout.is_locked(username, ip):
                raise Locked(lockout.locked_message())
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the provided credentials.")]}
            )
        if confirmed_device(user) is not None:
            if not data.get("otp"):
                raise serializers.ValidationError({"otp": [_("Enter the code of your authenticator app.")]})
            if verify_code(user, data["otp"]) is None:
                user_login_failed.send(
                    sender=__name__, credentials={"username": username, "otp": "********"}, request=request
                )
                if lockout.is_locked(username, ip):
                    raise Locked(lockout.locked_message())
                raise serializers.ValidationError({"otp": [_("The code is wrong or has expired.")]})
        elif role_requires_otp(user):
            raise serializers.ValidationError(
                {"otp": [_("Your role requires two-factor authentication: set it up in the portal first.")]}
            )
        lockout.reset(username, ip)
        token, key = api_token_create(user=user, name=data.get("name") or request.headers.get("User-Agent", "")[:100])
        return Response({"token": key, "expires": token.expires_at})

    @extend_schema(request=None, responses={204: None, 400: OpenApiResponse(description=_("No token was used."))})
    def delete(self, request):
        """Revoke the token this request was made with (sign out of the API)."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError({"non_field_errors": [_("This request was not made with a token.")]})
        api_token_revoke(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self):
        # Asking for a token takes credentials in the body only: a stale or broken Authorization
        # header must not turn the request into a 401.
        # (The schema generator builds views without a request: it documents both methods.)
        method = getattr(getattr(self, "request", None), "method", "DELETE")
        return super().get_authenticators() if method == "DELETE" else []


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("user", int, description=_("Administrators: the tokens of this user id."))]
    )
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Live API tokens: one's own (administrators: everyone's, ``?user=<id>``); DELETE revokes."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.all()

    def get_queryset(self):
        tokens = ApiToken.objects.active().visible_to(self.request.user).select_related("user")
        user_id = self.request.query_params.get("user")
        if user_id and can_see_others_tokens(self.request.user):
            if int_param(user_id) is None:
                raise serializers.ValidationError({"user": [_("A user id is a number.")]})
            tokens = tokens.filter(user_id=int_param(user_id))
        elif not can_see_others_tokens(self.request.user):
            tokens = tokens.filter(user=self.request.user)
        return tokens

    def perform_destroy(self, instance):
        api_token_revoke(token=instance, by=self.request.user)
