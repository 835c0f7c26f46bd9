"""Pages of the recommendations countries received from other mechanisms."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from ta_portal.pages import criteria
from ta_portal.pages import fetch_for_editing
from ta_portal.pages import list_page
from ta_portal.pages import saving_form_page

from .. import access
from .. import selectors
from .. import services
from ..forms import ExternalRecommendationFilterForm
from ..forms import ExternalRecommendationForm
from ..models import ExternalRecommendation
from ..models import NetworkEvent


@login_required
def external_recommendation_list(request):
    return list_page(
        request,
        "network/external_recommendation_list.html",
        filters=ExternalRecommendationFilterForm(request.GET or None, user=request.user),
        rows=lambda values: selectors.external_recommendation_list_for_user(
            user=request.user, **criteria(values, "country", "source", "year", search="q")
        ),
        can_create=access.can_create_external_recommendation(request.user),
    )


def _save(request, form) -> ExternalRecommendation:
    return services.external_recommendation_save(recommendation=form.save(commit=False), by=request.user)


@login_required
def external_recommendation_create(request):
    if not access.can_create_external_recommendation(request.user):
        raise PermissionDenied
    initial = {}
    if request.GET.get("event", "").isdigit():
        event = NetworkEvent.objects.visible_to(request.user).filter(pk=request.GET["event"]).first()
        if event:
            initial = {"event": event, "source": ExternalRecommendation.Source.NETWORK_MEETING, "date": event.end_date}
    return saving_form_page(
        request,
        "network/external_recommendation_form.html",
        ExternalRecommendationForm(request.POST or None, user=request.user, initial=initial),
        save=lambda form: _save(request, form),
        success=_("The recommendation was saved."),
        recommendation=None,
    )


@login_required
def external_recommendation_detail(request, pk: int):
    recommendation = selectors.external_recommendation_get_for_user(user=request.user, pk=pk)
    can_edit = access.can_edit_external_recommendation(request.user, recommendation)
    return render(
        request,
        "network/external_recommendation_detail.html",
        {
            "recommendation": recommendation,
            "can_edit": can_edit,
            "event_visible": recommendation.event_id
            and NetworkEvent.objects.visible_to(request.user).filter(pk=recommendation.event_id).exists(),
            "next_review": recommendation.next_review(),
        },
    )


@login_required
def external_recommendation_edit(request, pk: int):
    recommendation = fetch_for_editing(
        request, selectors.external_recommendation_get_for_user, ExternalRecommendation.objects, pk
    )
    return saving_form_page(
        request,
        "network/external_recommendation_form.html",
        ExternalRecommendationForm(request.POST or None, instance=recommendation, user=request.user),
        save=lambda form: _save(request, form),
        success=_("The recommendation was saved."),
        recommendation=recommendation,
    )
