"""Fields, filters and the write step the network API shares."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class UserScopedField(serializers.PrimaryKeyRelatedField):
    """A reference limited to what ``queryset_for(user)`` offers that user."""

    def __init__(self, *, queryset_for, **kwargs):
        self.queryset_for = queryset_for
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"].user)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    """A calendar year a date can have (1 to 9999); 0, 1.5 or 10000 are a 400, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


def assign(instance, validated: dict):
    """Set the validated fields on ``instance``; answer the function that sets its many-to-many
    fields, for the service to call once the row is saved (a row needs its id first)."""
    many = {field.name for field in instance._meta.many_to_many}
    later = {name: value for name, value in validated.items() if name in many}
    for name, value in validated.items():
        if name not in many:
            setattr(instance, name, value)

    def save_m2m():
        for name, values in later.items():
            getattr(instance, name).set(values)

    return save_m2m
