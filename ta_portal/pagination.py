"""Pagination of every list page: one page size rule, rendered by ``templates/_pagination.html``.

The API paginates through DRF (``ta_portal.api``); this is its counterpart for HTML pages.
"""

from django.core.paginator import Page
from django.core.paginator import Paginator

from ta_portal.params import int_param

PAGE_SIZE = 25
# Longer pages on request (?page_size=100); the pagination links keep the parameter.
PAGE_SIZES = (25, 50, 100)


def paginate(request, items, *, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` that ``?page=`` asks for (the last one when past the end, the first
    when not a number), ``per_page`` long unless ``?page_size=`` is one of ``PAGE_SIZES``."""
    size = int_param(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else per_page
    return Paginator(items, size).get_page(request.GET.get("page"))
