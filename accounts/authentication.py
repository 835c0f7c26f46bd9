"""The API's token authentication (kept apart from views: DRF imports it while loading its own)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .apitokens import api_token_lookup


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: refused once expired or revoked.

    A view may name the tables its cached answer is computed from (``cached_tables``): their
    versions are read in the token cache's round trip and left on the request as
    ``request.data_versions``, for ``datacache.cached(..., known=...)``.
    """

    def authenticate(self, request):
        self.request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        request = getattr(self, "request", None)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        token, versions = api_token_lookup(key, tables=tuple(getattr(view, "cached_tables", ())))
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("The token has expired; request a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if versions is not None and request is not None:
            request.data_versions = versions
        return (token.user, token)
