"""The one write of the outcomes app: asking for an annual progress report."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import get_language

from accounts.scoping import Scope
from reports.models import Report
from reports.services import report_request

from .models import AnnualProgressReport
from .models import scope_key
from .report import KIND
from .report import annual_report_data
from .report import annual_report_fingerprint


def annual_report_owner(*, programme, year: int, scope: Scope) -> AnnualProgressReport:
    owner, _created = AnnualProgressReport.objects.get_or_create(
        programme=programme, year=year, scope_key=scope_key(scope)
    )
    return owner


@transaction.atomic
def annual_report_request(*, programme, year: int, scope: Scope, by, language: str | None = None):
    """The annual progress report for the programme, year and countries: reused while its figures
    are unchanged, otherwise queued for rendering (returns at once)."""
    language = language or get_language() or "en"
    owner = annual_report_owner(programme=programme, year=year, scope=scope)
    data = annual_report_data(owner)
    return report_request(
        owner=owner,
        kind=KIND,
        language=language,
        fingerprint=annual_report_fingerprint(owner, language, data),
        by=by,
    )


def annual_report_latest(*, programme, year: int, scope: Scope, language: str | None = None):
    """The latest annual report of this programme, year and countries in the language (one query)."""
    owners = AnnualProgressReport.objects.filter(programme=programme, year=year, scope_key=scope_key(scope))
    return (
        Report.objects.filter(
            kind=KIND,
            language=language or get_language(),
            owner_type=ContentType.objects.get_for_model(AnnualProgressReport),
            owner_id__in=owners.values("pk"),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
