"""Reads of networks: their members."""

from django.db.models import QuerySet

from ..models import (
    Network,
    NetworkMembership,
)


def network_members(network: Network) -> QuerySet[NetworkMembership]:
    return (
        network.memberships.select_related("user", "user__person", "user__person__country")
        .prefetch_related("user__memberships__country")
        .order_by("-is_coordinator", "user__last_name", "user__first_name", "user__username")
    )
