"""The API's token authentication (kept apart from views: DRF imports it while loading its own)."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .apitokens import api_token_lookup


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: refused once expired or revoked.

    The token comes from the token cache when it holds it (``tokencache``). In the same round trip
    come the versions of the tables the view's cached answer is computed from (``cached_tables``),
    left on the request as ``request.data_versions`` for ``datacache.cached(..., known=...)``, and
    the token's copy of the page the view names (``cached_page(request)``), left as
    ``request.token_page`` for ``tokencache.kept_page`` / ``keep_page``.
    """

    def authenticate(self, request):
        self.request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        request = getattr(self, "request", None)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        tables = tuple(getattr(view, "cached_tables", ()))
        page = view.cached_page(request) if request is not None and hasattr(view, "cached_page") else None
        token, found = api_token_lookup(key, tables=tables, page=page or ())
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("The token has expired; request a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if request is not None and found.versions is not None:
            request.data_versions = found.versions
            request.token_page = found.page
        if token.user.language:
            # As UserLanguageMiddleware does for a session: a token is known only once DRF authenticates,
            # after the middleware ran, so the answer (and its error messages) follows the preference here.
            translation.activate(token.user.language)
            if request is not None:
                request._request.LANGUAGE_CODE = translation.get_language()
        return (token.user, token)
