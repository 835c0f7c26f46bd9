"""Pages of the history import: the imports and the upload, one import's progress and results, the
template and the exports. Thin: the service imports, the exporter writes workbooks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from ta_portal.bodylimit import body_limit
from ta_portal.exports import export_view
from ta_portal.pages import run_action
from ta_portal.pages import saving_form_page
from ta_portal.pagination import paginate
from ta_portal.tabular import XLSX_CONTENT_TYPE
from ta_portal.tabular import file_download
from ta_portal.tabular import filename
from ta_portal.uploads import WORKBOOK

from . import exporter
from . import selectors
from . import services
from .access import can_confirm_import
from .access import can_import_history
from .access import can_see_every_import
from .forms import ImportForm


def _require_importer(user) -> None:
    if not can_import_history(user):
        raise PermissionDenied


@login_required
@body_limit(WORKBOOK.request_max_bytes)
def import_list(request):
    """The user's imports, the upload form, the template and the exports."""
    _require_importer(request.user)
    return saving_form_page(
        request,
        "history/import_list.html",
        ImportForm(request.POST or None, request.FILES or None),
        save=lambda form: services.import_create(
            user=request.user, upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        ),
        success=lambda history_import: _("The workbook “%(name)s” was received.") % {"name": history_import.file_name},
        errors_on=None,
        page=paginate(request, selectors.import_list_for_user(user=request.user)),
        show_owner=can_see_every_import(request.user),
        countries=selectors.export_countries(request.user),
        programmes=selectors.export_programmes(request.user),
    )


@login_required
@require_GET
def import_detail(request, pk: int):
    history_import = selectors.with_live_progress(selectors.import_get_for_user(user=request.user, pk=pk))
    confirmation = selectors.confirmation_of(history_import)
    return render(
        request,
        "history/import_detail.html",
        {
            "history_import": history_import,
            "summary": selectors.summary_rows(history_import),
            "confirmation": confirmation,
            "can_confirm": confirmation is None
            and selectors.confirmable(history_import)
            and can_confirm_import(request.user, history_import),
        },
    )


@login_required
@require_GET
def import_progress(request, pk: int):
    """How far the import has got, polled by its page while it is pending or running."""
    history_import = selectors.with_live_progress(selectors.import_get_for_user(user=request.user, pk=pk))
    return JsonResponse(
        {
            "status": history_import.status,
            "status_label": str(history_import.get_status_display()),
            "finished": history_import.is_finished,
            "done": history_import.rows_done,
            "total": history_import.rows_total,
            "percent": history_import.progress_pct,
        },
        headers={"Cache-Control": "private, no-store"},
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    """The real import of a dry run's workbook: to the new import's page, or back with the reason."""
    dry_run = selectors.import_get_for_user(user=request.user, pk=pk)
    confirmed = []
    if run_action(
        request,
        lambda: confirmed.append(services.import_confirm(user=request.user, dry_run=dry_run)),
        _("The workbook is being imported for real."),
    ):
        return redirect(confirmed[0])
    return redirect(dry_run)


@export_view
@require_GET
def template_download(request):
    """The blank workbook, its instructions in the user's language."""
    _require_importer(request.user)
    return file_download(
        exporter.template_workbook(language=get_language()), filename("history-template", "xlsx"), XLSX_CONTENT_TYPE
    )


@export_view
@require_GET
def export(request):
    """A country's or a programme's records (``?country=PE`` or ``?programme=<id>``) as a history
    workbook; one outside the user's scope is not found."""
    _require_importer(request.user)
    code, programme_id = request.GET.get("country", "").strip(), request.GET.get("programme", "").strip()
    if bool(code) == bool(programme_id):
        messages.error(request, _("Choose either a country or a programme to export."))
        return redirect("history:import_list")
    if code:
        country = selectors.export_country_for_user(user=request.user, code=code)
        content, stem = exporter.history_workbook(user=request.user, country=country), f"history-{country.code}"
    else:
        programme = selectors.export_programme_for_user(user=request.user, pk=programme_id)
        content, stem = exporter.history_workbook(user=request.user, programme=programme), f"history-{programme.code}"
    return file_download(content, filename(stem, "xlsx"), XLSX_CONTENT_TYPE)
