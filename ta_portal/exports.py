"""Every CSV/XLSX download of the portal: a signed-in session, or an API token.

REST clients call the exports with ``Authorization: Token <key>``, as they call the API; without
this they would be sent to the sign-in page (302). ``export_view`` replaces ``login_required`` on
each export view: a request that carries a token is authenticated by the API's own token rule
(expired or revoked tokens are refused with 401, as in the API); any other request needs a
session, as every page does. tests/test_export_tokens.py finds every export route and checks it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import ExpiringTokenAuthentication

TOKEN_KEYWORD = b"token"


def export_view(view):
    signed_in = login_required(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if get_authorization_header(request).split(b" ", 1)[0].lower() != TOKEN_KEYWORD:
            return signed_in(request, *args, **kwargs)
        try:
            found = ExpiringTokenAuthentication().authenticate(request)
        except AuthenticationFailed as exc:
            found, detail = None, str(exc.detail)
        else:
            detail = ""
        if found is None:
            response = JsonResponse({"detail": detail or _("Invalid token header.")}, status=401)
            response["WWW-Authenticate"] = "Token"
            return response
        request.user = found[0]
        return view(request, *args, **kwargs)

    wrapped.accepts_api_token = True
    return wrapped
