"""The outcome API of docs/API.md: ``outcomes/engagements/{id}/`` and ``outcomes/countries/?year=``.

Both answer JSON or, with ``?format=csv``, a CSV whose columns are the JSON keys flattened with
dots (``training.by_sex.female.post_mean_pct``), one row per engagement or country.
(``outcomes/training-sessions/{id}/`` is the trainings app's.)
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import inline_serializer
from rest_framework import renderers
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.models import Programme
from ta_portal.api import Pagination
from ta_portal.tabular import Column
from ta_portal.tabular import Table
from ta_portal.tabular import csv_response
from trainings.statistics import SUMMARY_KEYS

from . import cache
from . import indicator_api
from . import selectors
from .iati_views import IatiActivitiesView


class CSVRenderer(renderers.BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; the views build the CSV themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Reached only for errors (404, 401…): a one-line CSV with the message.
        if isinstance(data, dict):
            return "\n".join(f"{key},{value}" for key, value in data.items()).encode()
        return str(data).encode()


def flatten(data: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}`` (the CSV columns of an outcome row)."""
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def outcome_table(rows: list[dict], *, name: str) -> Table:
    flat_rows = [flatten(row) for row in rows]
    keys: dict[str, None] = {}
    for row in flat_rows:
        keys.update(dict.fromkeys(row))
    return Table(name=name, title=name, columns=[Column(key, key) for key in keys], rows=flat_rows)


def _json_ready(row: dict) -> dict:
    """JSON object keys are strings: agency ids become "12" (as in the trainings outcome)."""
    training = row.get("training")
    if training and "by_agency" in training:
        training["by_agency"] = {str(agency): figures for agency, figures in training["by_agency"].items()}
    return row


FIGURES = {
    key: serializers.IntegerField() if key.startswith("n_") else serializers.FloatField(allow_null=True)
    for key in SUMMARY_KEYS
}
FIGURES_SCHEMA = {
    "type": "object",
    "properties": {
        key: {"type": "integer"} if key.startswith("n_") else {"type": "number", "nullable": True}
        for key in SUMMARY_KEYS
    },
}


# (A DictField whose child is a serializer breaks drf-spectacular's schema generation, so the
# groups are described by a plain schema.)
@extend_schema_field({"type": "object", "additionalProperties": FIGURES_SCHEMA})
class FiguresByGroupField(serializers.DictField):
    pass


_TRAINING = inline_serializer(
    "OutcomeTraining",
    {
        **FIGURES,
        "by_sex": FiguresByGroupField(help_text="Keyed by sex: female, male, other, undisclosed."),
        "by_agency": FiguresByGroupField(help_text="Keyed by agency id."),
    },
)
_MEASURES = inline_serializer(
    "OutcomeMeasures",
    {
        "total": serializers.IntegerField(),
        "by_status": serializers.DictField(child=serializers.IntegerField()),
        "implementation_rate": serializers.FloatField(allow_null=True),
    },
)
_FOLLOWUP = inline_serializer(
    "OutcomeFollowup",
    {
        "rounds_due": serializers.IntegerField(),
        "rounds_submitted_on_time": serializers.IntegerField(),
        "compliance_rate": serializers.FloatField(allow_null=True),
    },
)
_MATURITY = inline_serializer(
    "OutcomeMaturity",
    {
        "baseline": serializers.DictField(child=serializers.IntegerField()),
        "latest": serializers.DictField(child=serializers.IntegerField()),
        "change": serializers.DictField(child=serializers.IntegerField()),
    },
)


def _survey_block(name: str, mean: str, rate: str):
    return inline_serializer(
        name,
        {
            "surveys": serializers.IntegerField(),
            "invited": serializers.IntegerField(),
            "answered": serializers.IntegerField(),
            "response_rate": serializers.FloatField(allow_null=True),
            mean: serializers.FloatField(allow_null=True),
            rate: serializers.FloatField(allow_null=True),
        },
    )


_REACTION = _survey_block("OutcomeReaction", "mean_satisfaction", "satisfied_rate")
_APPLICATION = _survey_block("OutcomeApplication", "mean_applied", "applied_rate")
BLOCKS = {
    "training": _TRAINING,
    "measures": _MEASURES,
    "followup": _FOLLOWUP,
    "maturity": _MATURITY,
    "reaction": _REACTION,
    "application": _APPLICATION,
}


class EngagementOutcomeView(APIView):
    """docs/API.md's outcome blocks of one engagement: training (every session, participants pooled),
    measures, follow-up compliance, maturity baseline against latest, and the reaction and
    application surveys. ``?format=csv`` for a CSV."""

    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        responses=inline_serializer(
            "EngagementOutcome",
            {"engagement": serializers.IntegerField(), "country": serializers.CharField(), **BLOCKS},
        )
    )
    def get(self, request, pk: int):
        engagement = selectors.engagement_get_for_user(user=request.user, pk=pk)
        outcome = _json_ready(
            cache.engagement_outcome(user=request.user, engagement=engagement, today=timezone.localdate())
        )
        if request.accepted_renderer.format == "csv":
            return csv_response(outcome_table([outcome], name="engagement"), stem=f"outcome-engagement-{pk}", keys=True)
        return Response(outcome)


class CountryOutcomeView(APIView):
    """docs/API.md's outcome blocks per country the caller reaches, optionally for one ``year``:
    training in sessions that started that year; measures agreed by its end with the status
    reported by then; follow-up rounds due that year; maturity from the final assessments completed
    by its end. ``?programme=<id>`` keeps one programme's engagements. Paginated; ``?format=csv``
    answers every country at once."""

    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year, e.g. 2025."),
            OpenApiParameter("programme", OpenApiTypes.INT, description="Programme id."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=inline_serializer(
            "CountryOutcomePage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": inline_serializer(
                    "CountryOutcome",
                    {
                        "country": serializers.CharField(),
                        "name": serializers.CharField(),
                        "year": serializers.IntegerField(allow_null=True),
                        **BLOCKS,
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        year = _year_param(request.query_params.get("year"))
        programme = _programme_param(request.query_params.get("programme"))
        rows = [
            _json_ready(row)
            for row in cache.country_outcomes(
                user=request.user, today=timezone.localdate(), year=year, programme=programme
            )
        ]
        if request.accepted_renderer.format == "csv":
            stem = f"outcome-countries-{year}" if year else "outcome-countries"
            return csv_response(outcome_table(rows, name="countries"), stem=stem, keys=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)


def _year_param(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Enter a year such as 2025.")]}) from None
    if not 1900 <= year <= 2200:
        raise ValidationError({"year": [_("Enter a year between 1900 and 2200.")]})
    return year


def _programme_param(value: str | None):
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"programme": [_("Enter a programme id.")]}) from None
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise ValidationError({"programme": [_("There is no programme with this id.")]})
    return programme


urlpatterns = [
    path("outcomes/engagements/<int:pk>/", EngagementOutcomeView.as_view(), name="outcome-engagement"),
    path("outcomes/countries/", CountryOutcomeView.as_view(), name="outcome-countries"),
    path("iati/activities.xml", IatiActivitiesView.as_view(), name="iati-activities"),
]


def register(router) -> None:
    indicator_api.register(router)
