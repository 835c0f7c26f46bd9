"""Every date the API accepts lies in the range the forms accept (ta_portal/params.py): a date in
year 9999 saved through the API would break the calendar invitations and follow-up schedules
computed from it."""

import inspect

from rest_framework import serializers

from ta_portal.api import BoundedDateField
from ta_portal.discovery import portal_modules


def _portal_model_serializers():
    for module in portal_modules("api"):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            # (a base without Meta names no model: its subclasses are checked)
            if (
                issubclass(cls, serializers.ModelSerializer)
                and cls.__module__ == module.__name__
                and hasattr(cls, "Meta")
            ):
                yield cls


def test_every_writable_date_of_every_api_serializer_is_bounded(db):
    checked, unbounded = 0, []
    for serializer_class in _portal_model_serializers():
        for name, field in serializer_class().fields.items():
            if type(field) is serializers.DateField and not field.read_only:
                unbounded.append(f"{serializer_class.__name__}.{name}")
            elif isinstance(field, BoundedDateField):
                checked += 1
    assert checked >= 10, "the API should have many date fields"
    assert not unbounded, f"date fields without the portal's bounds: {unbounded}"
