"""The filters of list pages and list API endpoints: a text search and the criteria a filter form gave."""

from django.db.models import Q
from django.db.models import QuerySet


def text_search(queryset: QuerySet, text: str, *fields: str) -> QuerySet:
    """Rows where any of ``fields`` contains ``text`` (case-insensitive); all rows when ``text`` is empty."""
    if not text:
        return queryset
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": text})
    return queryset.filter(condition)


def filter_given(queryset: QuerySet, **lookups) -> QuerySet:
    """Rows matching each lookup that was given a value; an empty criterion ("", None) selects everything,
    as a filter left blank on a list page does."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})
