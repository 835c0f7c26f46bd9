"""What list pages share: the values of their filter form and the page of rows those values select."""

from django.shortcuts import render

from ta_portal.pagination import PAGE_SIZE, paginate


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
