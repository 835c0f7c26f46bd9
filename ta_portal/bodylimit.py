"""Request bodies are refused from their declared size, before a byte of them is read.

Django caps form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams files of any size to disk
before a view can say no, and DRF parses whatever a view's parsers accept. So the middleware
answers 413 when ``Content-Length`` exceeds the limit of the view the URL resolves to, without
touching ``wsgi.input``. A view that takes files declares its limit with ``@body_limit(…)``,
derived from its upload policy (``ta_portal.uploads``); every other view gets
``DATA_UPLOAD_MAX_MEMORY_SIZE``.

Django reads at most ``Content-Length`` bytes: a body sent without one (chunked) is never read and
the view sees an empty request. Refusing an oversized chunked body is the reverse proxy's job
(``client_max_body_size`` in ``deploy/nginx.conf``; nginx buffers the body and forwards it with a
length). Under ASGI the server reads the body before any middleware runs; the portal runs under
gunicorn (WSGI).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404
from django.urls import resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _

Limit = int | Callable[[], int]


def body_limit(limit: Limit):
    """Declare the largest request body a view function, view class or DRF action accepts: bytes,
    or a callable returning them (called per request, so settings such as the upload sizes apply)."""

    def declare(view):
        view.body_limit = limit
        return view

    return declare


def view_body_limit(view, method: str) -> int | None:
    """The limit for ``method`` requests to ``view`` (a resolved URL's callback); ``None``: none."""
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    declared_on = [view]
    if cls is not None:
        # A DRF viewset maps methods to actions; other class-based views handle them by name.
        actions = getattr(view, "actions", None)
        handler = actions.get(method.lower()) if actions is not None else method.lower()
        declared_on = [getattr(cls, handler, None) if handler else None, cls, view]
    for target in declared_on:
        limit = getattr(target, "body_limit", None)
        if limit is not None:
            return limit() if callable(limit) else limit
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodyLimitMiddleware:
    """Placed before anything that reads ``request.POST`` or the body (CSRF, sessions, DRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not (declared.isascii() and declared.isdigit()):
            # Django would read such a body as empty; say so rather than guess.
            return answer(request, 400, _("The request's Content-Length header is not valid."))
        try:
            limit = view_body_limit(resolve(request.path_info).func, request.method)
        except Resolver404:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or int(declared) <= limit:
            return None
        return answer(request, 413, _("The request is too large: at most %(limit)s can be sent here."), limit=limit)


def answer(request, status: int, message, **sizes) -> HttpResponse:
    """A short refusal: JSON under /api/, plain text elsewhere."""
    # LocaleMiddleware has not run yet: use the language the browser or client asks for.
    with translation.override(translation.get_language_from_request(request)):
        text = str(message) % {name: filesizeformat(size) for name, size in sizes.items()} if sizes else str(message)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": text}, status=status)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
