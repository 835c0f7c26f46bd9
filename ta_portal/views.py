import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import NotFound

from accounts.roles import MANAGING_ROLES
from accounts.roles import Role
from accounts.scoping import role_countries

from .navigation import nav_sections
from .work import ROLE_ORDER
from .work import by_role
from .work import remember_counts
from .work import request_work

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """The user's work, a section per role they hold, each item linking to where it is done."""
    items = request_work(request)
    remember_counts(request, nav_sections(request))
    held = {role for role, _scope in role_countries(request.user).items()}
    if held & set(MANAGING_ROLES):
        held.add(Role.MANAGER)  # administrators do the managers' work everywhere
    sections = [
        (role, Role(role).label, found, sum(item.count for item in found))
        for role, found in by_role(items)
        if role in held
    ]
    return render(request, "home.html", {"sections": sections, "roles": ROLE_ORDER})


@never_cache
def healthz(request):
    """Readiness for load balancers and compose health checks: the database and the cache (Redis when
    configured) answer. 200 when both do, 503 naming what failed otherwise. Reveals nothing else."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("health check: database")
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error"
    except Exception:
        logger.exception("health check: cache")
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def page_not_found(request, exception):
    """404s of the API answer in JSON like the API's own (an id that cannot even match a route never
    reaches DRF, e.g. ``/api/v1/agencies/1.5/``); pages get the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
