"""Rules that several models share, written once; each model's ``clean()`` calls them.

Forms reach them through ``ModelForm`` validation (which calls ``clean()``), the API through
``PortalModelSerializer.validate`` (``ta_portal.api``), so a rule has one message everywhere.
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def date_order_errors(start: date | None, end: date | None, *, field: str = "end_date") -> dict:
    """``{field: message}`` when both dates are given and the end is before the start, else ``{}``."""
    if start is not None and end is not None and end < start:
        return {field: _("The end date must not be before the start date.")}
    return {}


def date_order_constraint(
    name: str, *, start: str = "start_date", end: str = "end_date", optional: tuple[str, ...] = (), strict: bool = False
) -> models.CheckConstraint:
    """The database's guard that ``end`` is not before ``start`` (after it, when ``strict``).

    The rule also holds when a field named in ``optional`` is empty; they are tested in the order
    given, which is part of the constraint as the migrations recorded it. The same rule, with the
    message people see, is ``date_order_errors`` above (some models word it for their fields in
    their own ``clean()``).
    """
    end_in_order = Q(**{f"{end}__{'gt' if strict else 'gte'}": F(start)})
    condition = reduce(or_, [*(Q(**{f"{field}__isnull": True}) for field in optional), end_in_order])
    return models.CheckConstraint(condition=condition, name=name)
