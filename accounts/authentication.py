"""The API's token authentication (kept apart from views: DRF imports it while loading its own)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .apitokens import api_token_lookup


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ``ApiToken``: refused once expired or revoked."""

    def authenticate_credentials(self, key):
        token = api_token_lookup(key)
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("The token has expired; request a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
