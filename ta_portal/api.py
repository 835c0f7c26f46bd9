"""The REST API root (/api/v1/): shared pagination, the token endpoint and each app's routes.

Each portal app may have an ``api.py`` with ``register(router)`` for viewsets and an optional
``urlpatterns`` list for other endpoints; both are gathered here in app order.
"""

import copy
import json

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.http import HttpResponse
from django.urls import include
from django.urls import path
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .discovery import portal_modules
from .params import EARLIEST_DATE
from .params import LATEST_DATE


class BoundedDateField(serializers.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, as the forms accept (ta_portal/params.py)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [*self.validators, MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class PortalModelSerializer(serializers.ModelSerializer):
    """The base of the portal's model serializers: model date fields become BoundedDateField, and
    the model's own rules (``clean()``) judge the object as it would be saved.

    Business rules live once, in the model's ``clean()`` or in the service that writes; a
    serializer only checks the shape of its input and never restates a rule. A serializer whose
    model's ``clean()`` needs more than its fields (related rows not yet saved) sets
    ``validate_with_model_clean = False`` and leaves the rule to its service.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
    }
    validate_with_model_clean = True

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.validate_with_model_clean:
            try:
                self.instance_as_saved(attrs).clean()
            except DjangoValidationError as exc:
                raise serializers.ValidationError(api_errors(exc)) from exc
        return attrs

    def instance_as_saved(self, attrs):
        """The instance with the validated input applied (a copy: nothing is changed before saving)."""
        model = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        many_to_many = {field.name for field in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        return candidate


def exception_handler(exc, context):
    """DRF's handler, also for Django's ``ValidationError``.

    Business rules live once, in a model's ``clean()`` or a service, and raise Django's
    ``ValidationError``; the API answers it as a 400 with field errors (``__all__`` becomes
    ``non_field_errors``), exactly as a serializer's own validation would.
    """
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(api_errors(exc))
    return drf_exception_handler(exc, context)


def api_errors(exc: DjangoValidationError) -> dict:
    """Django's ValidationError as DRF field errors, ``__all__`` named as DRF names it."""
    errors = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def render_json(data) -> bytes:
    """``data`` as the API sends it to a JSON client, to be kept (in the cache) and sent by ``json_response``."""
    return JSONRenderer().render(data)


def json_response(request, body: bytes):
    """A body made by ``render_json``: sent as it is to a JSON client (nothing to unpickle and
    render again), decoded and rendered anew for any other (the browsable API, an indent asked for)."""
    renderer = request.accepted_renderer
    if type(renderer) is JSONRenderer and renderer.get_indent(request.accepted_media_type, {}) is None:
        return HttpResponse(body, content_type=renderer.media_type)
    return Response(json.loads(body))


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def build_urlpatterns():
    router = DefaultRouter()
    extra = []
    for module in portal_modules("api"):
        if hasattr(module, "register"):
            module.register(router)
        extra.extend(getattr(module, "urlpatterns", []))
    return [*extra, path("", include(router.urls))]


class ScopedViewSetMixin:
    """A viewset over a model with a scoping queryset (``visible_to`` / ``editable_by``).

    Reads see only what the user may see (anything else is 404); changing an object the user may
    see but not change is 403; creating needs one of the queryset's write roles somewhere.
    """

    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return self.queryset

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def _may_write_somewhere(self) -> bool:
        return self.base_queryset().model.objects.creatable_by(self.request.user)

    def create(self, request, *args, **kwargs):
        # Refuse before validating, so someone who may not write learns nothing from field errors.
        if not self._may_write_somewhere():
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()  # 404 outside the user's scope
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            if not self.base_queryset().editable_by(self.request.user).filter(pk=obj.pk).exists():
                raise PermissionDenied
        return obj


def check_country_writable(user, model, country, field="country"):
    """Serializer-side check: refuse (400) a country where the user may not create ``model``'s rows.

    The permission is the model's own (``creatable_by``); ``country`` is a Country or its code.
    """
    if country is not None and not model.objects.creatable_by(user, country):
        raise serializers.ValidationError({field: [_("You cannot add or move records to this country.")]})
