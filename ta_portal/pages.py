"""What the pages share: list pages (the values of their filter form and the page of rows those
values select), form pages that save through a service, and the permission checks of the pages
that create or change a row."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render

from accounts.access import get_visible_or_404
from accounts.access import require_editable
from ta_portal.pagination import PAGE_SIZE
from ta_portal.pagination import paginate


def run_action(request, action, success: str) -> bool:
    """Run a button's write (a service call): its refusal becomes the page's error message, in the
    service's own words; otherwise ``success`` is shown. True when the write happened."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


_RAISE = object()


def saving_form_page(request, template, form, *, save, success, then=None, errors_on=_RAISE, **context):
    """The page of ``form``; a valid POST is written by ``save(form)``, which returns what it saved,
    confirmed with ``success`` (a string, or a function of what was saved) and redirected to
    ``then(saved)`` (default: the saved object's page).

    A service that refuses (Django's ValidationError) shows its message on the field ``errors_on``
    (``None``: above the form, or on the fields a dict of errors names) when given; otherwise the
    error propagates.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            if errors_on is _RAISE:
                raise
            form.add_error(errors_on, error)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(then(saved) if then is not None else saved)
    return render(request, template, {"form": form, **context})


def filter_values(filters) -> dict:
    """A filter form's values; an invalid filter filters nothing rather than failing the page."""
    return filters.cleaned_data if filters.is_valid() else {}


def criteria(values: dict, *fields: str, **renamed: str) -> dict:
    """A list selector's keyword arguments from a filter form's ``values``: each of ``fields`` under
    its own name, each of ``renamed`` (argument="field", e.g. search="q") under the argument's name;
    "" for what the form did not give (a selector ignores an empty criterion)."""
    names = {**{field: field for field in fields}, **renamed}
    return {argument: values.get(field, "") for argument, field in names.items()}


def list_page(request, template, *, filters, rows, per_page: int = PAGE_SIZE, **context):
    """A list page: ``rows(values)`` selects the rows from the filter form's values; one page of them
    is shown, with the form and ``context``."""
    page = paginate(request, rows(filter_values(filters)), per_page=per_page)
    return render(request, template, {"filters": filters, "page": page, **context})


def require_creatable(user, model) -> None:
    """403 unless the user may create ``model`` rows somewhere."""
    if not model.objects.creatable_by(user):
        raise PermissionDenied


def fetch_for_editing(request, fetch, queryset, pk: int):
    """``fetch(user=…, pk=…)`` (404 outside the user's scope), then 403 unless the user may change it."""
    obj = fetch(user=request.user, pk=pk)
    require_editable(queryset, request.user, obj)
    return obj


def create_and_edit_views(model, form_page, *, fetch=None):
    """The two views of ``form_page(request, row)``: a new row (``row`` None) for a user who may create
    ``model`` rows somewhere, and the row ``pk`` that ``fetch`` finds (by default any visible row) for
    a user who may change it; 404 outside the user's scope, 403 otherwise."""
    if fetch is None:

        def fetch(*, user, pk):
            return get_visible_or_404(model.objects, user, pk=pk)

    @login_required
    def create(request):
        require_creatable(request.user, model)
        return form_page(request, None)

    @login_required
    def edit(request, pk: int):
        return form_page(request, fetch_for_editing(request, fetch, model.objects, pk))

    return create, edit
