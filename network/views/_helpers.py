"""What the network pages share: form pages that save."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render


def pk_of(value):
    return value.pk if value is not None else None


def form_page(request, template, form, **context):
    return render(request, template, {"form": form, **context})


_RAISE = object()


def saving_form_page(request, template, form, *, save, success, then=None, errors_on=_RAISE, **context):
    """The page of ``form``; a valid POST is written by ``save(form)``, which returns what it saved,
    confirmed with ``success`` (a string, or a function of what was saved) and redirected to
    ``then(saved)`` (default: the saved object's page).

    A service that refuses (Django's ValidationError) shows its message on the field ``errors_on``
    (``None``: above the form) when given; otherwise the error propagates.
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
    return form_page(request, template, form, **context)
