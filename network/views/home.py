"""The network layer's front page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .. import access
from .. import selectors
from ..models import ExternalRecommendation
from ..models import Network


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "network/home.html",
        {
            "my_networks": Network.objects.with_member(user),
            "upcoming_events": selectors.event_list_for_user(user=user)
            .filter(end_date__gte=timezone.localdate())
            .order_by("start_date")[:5],
            "past_events": selectors.event_list_for_user(user=user).filter(end_date__lt=timezone.localdate())[:3],
            "recent_documents": selectors.document_search(user=user)[:5],
            "directory": access.can_read_directory(user),
            "n_recommendations": ExternalRecommendation.objects.visible_to(user).count(),
        },
    )
