"""Rules that several models share, written once; each model's ``clean()`` calls them.

Forms reach them through ``ModelForm`` validation (which calls ``clean()``), the API through
``PortalModelSerializer.validate`` (``ta_portal.api``), so a rule has one message everywhere.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _


def date_order_errors(start: date | None, end: date | None, *, field: str = "end_date") -> dict:
    """``{field: message}`` when both dates are given and the end is before the start, else ``{}``."""
    if start is not None and end is not None and end < start:
        return {field: _("The end date must not be before the start date.")}
    return {}
