from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.shortcuts import render

from ta_portal.pages import criteria
from ta_portal.pages import filter_values
from ta_portal.pages import list_page
from ta_portal.pagination import paginate

from . import selectors
from .access import can_read_audit
from .access import can_read_failed_logins
from .forms import AuditFilterForm
from .forms import FailedLoginFilterForm
from .models import AuditEntry

PAGE_SIZE = 50


def _require_audit_reader(user) -> None:
    if not can_read_audit(user):
        raise PermissionDenied


@login_required
def entry_list(request):
    """The audit trail of the records in the user's countries (administrators: all)."""
    _require_audit_reader(request.user)
    filters = AuditFilterForm(request.GET or None, model_choices=selectors.model_choices())
    entries = selectors.audit_entries_for_user(
        user=request.user,
        **criteria(
            filter_values(filters), "model", "actor", "country", "action", "date_from", "date_to", object_pk="object"
        ),
    )
    page = paginate(request, entries, per_page=PAGE_SIZE)
    names = dict(selectors.model_choices())
    rows = [(entry, names.get(entry.model, entry.model)) for entry in page]
    return render(
        request,
        "audit/entry_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "can_read_failed_logins": can_read_failed_logins(request.user),
        },
    )


@login_required
def entry_detail(request, pk: int):
    _require_audit_reader(request.user)
    entry = get_object_or_404(AuditEntry.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "audit/entry_detail.html",
        {"entry": entry, "model_name": selectors.model_name(entry.model), "changes": entry.field_changes()},
    )


@login_required
def failed_logins(request):
    """Refused sign-ins (administrators only: they are not tied to a country)."""
    if not can_read_failed_logins(request.user):
        raise PermissionDenied
    return list_page(
        request,
        "audit/failed_logins.html",
        filters=FailedLoginFilterForm(request.GET or None),
        rows=lambda values: selectors.failed_logins_for_user(user=request.user, **criteria(values, "username")),
        per_page=PAGE_SIZE,
    )
