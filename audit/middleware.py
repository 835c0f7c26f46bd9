import logging

from accounts.lockout import client_ip

from .context import reset_actor
from .context import set_actor

security_log = logging.getLogger("ta_portal.security")


class AuditMiddleware:
    """Attribute the request's writes to its user, and log refused accesses (403 and 404).

    The actor is read when a write happens, not now: an API request authenticated by token only
    has its user once DRF has authenticated it (DRF then sets it on this very request).
    A signed-in user meeting 403 or 404 is logged: out-of-scope objects answer 404 (see
    ``accounts.access``), so probing for other countries' records leaves a trace.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(_RequestActor(request))
        try:
            response = self.get_response(request)
        finally:
            reset_actor(token)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                security_log.warning(
                    "access refused status=%s user=%s method=%s path=%s ip=%s",
                    response.status_code,
                    user.get_username(),
                    request.method,
                    request.path[:300],
                    client_ip(request),
                )
        return response


class _RequestActor:
    """An actor (see ``context.Actor``) whose user is read from the request when a write happens."""

    def __init__(self, request):
        self._request = request

    @property
    def user_id(self):
        user = getattr(self._request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None

    @property
    def context(self):
        return f"{self._request.method} {self._request.path}"[:300]
