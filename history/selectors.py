"""Reads of the history pages and API: the imports a user sees, and what they may export."""

from __future__ import annotations

from django.db.models import Func
from django.db.models import IntegerField
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Programme
from engagements.selectors import countries_editable_by
from engagements.selectors import programmes_reached
from ta_portal.params import int_param
from ta_portal.params import text_param

from . import progress
from . import spec
from .access import can_see_every_import
from .models import HistoryImport


class JSONArrayLength(Func):
    """The number of items of a JSON array column, counted by the database."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def imports_for_user(*, user) -> QuerySet[HistoryImport]:
    """The user's own imports, newest first (administrators: everyone's), each with ``error_count``."""
    imports = HistoryImport.objects.select_related("created_by").annotate(error_count=JSONArrayLength("errors"))
    return imports if can_see_every_import(user) else imports.filter(created_by=user)


def import_list_for_user(*, user) -> QuerySet[HistoryImport]:
    """The rows of a list of imports: their errors counted, not loaded."""
    return imports_for_user(user=user).defer("errors")


def import_get_for_user(*, user, pk) -> HistoryImport:
    """One import the user may see; anyone else's is not found (404)."""
    return get_object_or_404(imports_for_user(user=user), pk=int_param(pk) or 0)


def confirmation_of(history_import: HistoryImport) -> HistoryImport | None:
    """The real import made from a dry run's workbook, if there is one."""
    return HistoryImport.objects.filter(confirms=history_import).first() if history_import.dry_run else None


def confirmable(history_import: HistoryImport) -> bool:
    """A dry run whose workbook can be imported for real: finished, without errors (and not yet
    confirmed, which ``confirmation_of`` tells)."""
    return history_import.dry_run and history_import.status == HistoryImport.Status.DONE and not history_import.errors


def summary_rows(history_import: HistoryImport) -> list[tuple[str, dict]]:
    """The import's summary, sheet by sheet in the workbook's order."""
    order = {name: index for index, name in enumerate(spec.SHEET_NAMES)}
    return sorted(history_import.summary.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def with_live_progress(history_import: HistoryImport) -> HistoryImport:
    """The import with the rows read so far in ``rows_done`` / ``rows_total`` (not saved), so that
    ``progress_pct`` tells how far a running import has got."""
    if not history_import.is_finished:
        history_import.rows_done, history_import.rows_total = progress.read(history_import)
    return history_import


def export_countries(user) -> QuerySet[Country]:
    """The countries whose records the user may export: those they manage."""
    return countries_editable_by(user)


def export_programmes(user) -> QuerySet[Programme]:
    """The programmes whose records the user may export: those with an engagement in a country they manage."""
    return programmes_reached(scope_for(user, MANAGING_ROLES)).order_by("name")


def export_country_for_user(*, user, code: str) -> Country:
    return get_object_or_404(export_countries(user), code=text_param(code).strip().upper())


def export_programme_for_user(*, user, pk) -> Programme:
    return get_object_or_404(export_programmes(user), pk=int_param(pk) or 0)
