"""Rules that several models share, written once; each model's ``clean()`` calls them.

Forms reach them through ``ModelForm`` validation (which calls ``clean()``), the API through
``PortalModelSerializer.validate`` (``ta_portal.api``), so a rule has one message everywhere.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils import timezone
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


# ---- Days of the past ----------------------------------------------------------------------------
# Records of the past (a round, a report or a phase change entered after the fact) carry the day
# they happened, given by a person: never in the future, and stored as a moment of that day.


def past_day_errors(day: date | None, *, field: str, not_before: date | None = None, not_before_message=None) -> dict:
    """``{field: [message]}`` when ``day`` is in the future, or before ``not_before``; else ``{}``."""
    if day is None:
        return {}
    if day > timezone.localdate():
        return {field: [_("A day of the past cannot be in the future.")]}
    if not_before is not None and day < not_before:
        return {field: [not_before_message % {"day": not_before}]}
    return {}


def moment_on(day: date) -> datetime:
    """The moment stored for something that happened on ``day`` at a time nobody recorded: noon in
    the portal's time zone (so the day reads the same wherever it is shown), or now if that is
    earlier (a day of the past may be today)."""
    noon = timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())
    return min(noon, timezone.now())
