"""Reads of the recommendations countries received from other mechanisms."""

from django.db.models import QuerySet

from accounts.access import get_visible_or_404
from ta_portal.filtering import filter_given

from ..models import ExternalRecommendation
from .common import text_search


def external_recommendation_list_for_user(
    *, user, search: str = "", country: str = "", source: str = "", year: int | None = None
) -> QuerySet[ExternalRecommendation]:
    recommendations = ExternalRecommendation.objects.visible_to(user).select_related("country", "topic", "engagement")
    recommendations = text_search(recommendations, search, "text", "theme", "round", "reference")
    return filter_given(recommendations, country_id=country.upper(), source=source, date__year=year)


def external_recommendation_get_for_user(*, user, pk: int) -> ExternalRecommendation:
    return get_visible_or_404(
        ExternalRecommendation.objects.select_related("country", "topic", "engagement", "event", "created_by"),
        user,
        pk=pk,
    )
