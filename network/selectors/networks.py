"""Reads of networks: their members."""

from django.db.models import QuerySet

from accounts.access import get_visible_or_404

from ..models import Network
from ..models import NetworkMembership


def network_members(network: Network) -> QuerySet[NetworkMembership]:
    return (
        network.memberships.select_related("user", "user__person", "user__person__country")
        .prefetch_related("user__memberships__country")
        .order_by("-is_coordinator", "user__last_name", "user__first_name", "user__username")
    )


def network_get_for_user(*, user, pk: int) -> Network:
    return get_visible_or_404(Network.objects, user, pk=pk)
