"""Pages of networks and their members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from ta_portal.pages import fetch_for_editing
from ta_portal.pages import run_action
from ta_portal.pages import saving_form_page

from .. import access
from .. import selectors
from .. import services
from ..forms import NetworkForm
from ..forms import NetworkMemberForm
from ..models import Network
from ..models import NetworkEvent


@login_required
def network_list(request):
    networks = Network.objects.visible_to(request.user).prefetch_related("countries")
    mine = set(Network.objects.with_member(request.user).values_list("pk", flat=True))
    return render(
        request,
        "network/network_list.html",
        {"networks": networks, "mine": mine, "can_create": access.can_create_network(request.user)},
    )


@login_required
def network_create(request):
    if not access.can_create_network(request.user):
        raise PermissionDenied
    return saving_form_page(
        request,
        "network/network_form.html",
        NetworkForm(request.POST or None),
        save=lambda form: services.network_create(
            network=form.save(commit=False), by=request.user, m2m_save=form.save_m2m
        ),
        success=_("The network was created; you coordinate it."),
        network=None,
    )


@login_required
def network_detail(request, pk: int):
    network = selectors.network_get_for_user(user=request.user, pk=pk)
    can_edit = access.can_edit_network(request.user, network)
    see_members = access.can_see_network_members(request.user, network)
    return render(
        request,
        "network/network_detail.html",
        {
            "network": network,
            "can_edit": can_edit,
            "members": selectors.network_members(network) if see_members else None,
            "n_members": network.memberships.count(),
            "member_form": NetworkMemberForm() if can_edit else None,
            "events": NetworkEvent.objects.visible_to(request.user)
            .filter(network=network)
            .order_by("-start_date")[:10],
        },
    )


def _network_for_editing(request, pk: int) -> Network:
    return fetch_for_editing(request, selectors.network_get_for_user, Network.objects, pk)


@login_required
def network_edit(request, pk: int):
    network = _network_for_editing(request, pk)
    return saving_form_page(
        request,
        "network/network_form.html",
        NetworkForm(request.POST or None, instance=network),
        save=lambda form: form.save(),
        success=_("The network was saved."),
        network=network,
    )


@login_required
@require_POST
def network_member_add(request, pk: int):
    network = _network_for_editing(request, pk)
    form = NetworkMemberForm(request.POST)
    if form.is_valid():
        services.network_set_member(
            network=network, user=form.cleaned_data["user"], is_coordinator=form.cleaned_data["is_coordinator"]
        )
        messages.success(request, _("The member was saved."))
    else:
        messages.error(request, _("Choose a user to add."))
    return redirect(network)


@login_required
@require_POST
def network_member_remove(request, pk: int, user_id: int):
    network = _network_for_editing(request, pk)
    member = get_object_or_404(User, pk=user_id, network_memberships__network=network)
    run_action(
        request, lambda: services.network_remove_member(network=network, user=member), _("The member was removed.")
    )
    return redirect(network)
