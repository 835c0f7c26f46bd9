from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_visible_or_404, require_editable
from accounts.scoping import scope_for
from ta_portal.navigation import engagement_links
from ta_portal.pagination import paginate

from . import selectors, services
from .forms import AgencyFilterForm, AgencyForm, EngagementFilterForm, EngagementForm, ListFilterForm, PersonForm
from .models import Agency, Engagement, Person


def _require_write_somewhere(user, queryset) -> None:
    if scope_for(user, queryset.write_roles).empty:
        raise PermissionDenied


@login_required
def engagement_list(request):
    # The filter offers the countries that have engagements to show, not every country of the world
    # (rendering ~250 options cost a global user more than the table itself).
    countries = selectors.countries_visible_to(request.user).filter(
        code__in=Engagement.objects.visible_to(request.user).values("country_id")
    )
    filters = EngagementFilterForm(request.GET or None, countries=countries)
    data = filters.cleaned_data if filters.is_valid() else {}
    engagements = selectors.engagement_list_for_user(
        user=request.user, search=data.get("q", ""), country=data.get("country", ""), phase=data.get("phase", "")
    )
    can_create = not scope_for(request.user, Engagement.objects.write_roles).empty
    return render(
        request,
        "engagements/engagement_list.html",
        {"filters": filters, "page": paginate(request, engagements), "can_create": can_create},
    )


@login_required
def engagement_detail(request, pk: int):
    engagement = selectors.engagement_get_for_user(user=request.user, pk=pk)
    can_edit = Engagement.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "engagements/engagement_detail.html",
        {
            "engagement": engagement,
            "can_edit": can_edit,
            "managers": engagement.managers.all(),
            "focal_points": engagement.focal_points.select_related("agency"),
            "phase_changes": engagement.phase_changes.select_related("changed_by"),
            "activity_links": engagement_links(request, engagement),
        },
    )


def _engagement_form(request, engagement: Engagement | None):
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = services.engagement_save(engagement=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The engagement was saved."))
        return redirect(saved)
    return render(request, "engagements/engagement_form.html", {"form": form, "engagement": engagement})


@login_required
def engagement_create(request):
    _require_write_somewhere(request.user, Engagement.objects)
    return _engagement_form(request, None)


@login_required
def engagement_edit(request, pk: int):
    engagement = selectors.engagement_get_for_user(user=request.user, pk=pk)
    require_editable(Engagement.objects, request.user, engagement)
    return _engagement_form(request, engagement)


@login_required
def agency_list(request):
    filters = AgencyFilterForm(request.GET or None, countries=selectors.countries_visible_to(request.user))
    data = filters.cleaned_data if filters.is_valid() else {}
    agencies = selectors.agency_list_for_user(
        user=request.user, search=data.get("q", ""), country=data.get("country", ""), kind=data.get("kind", "")
    )
    can_create = not scope_for(request.user, Agency.objects.write_roles).empty
    return render(
        request,
        "engagements/agency_list.html",
        {"filters": filters, "page": paginate(request, agencies), "can_create": can_create},
    )


def _simple_form(request, *, form_class, instance, template, success_message, success_url):
    form = form_class(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, success_message)
        return redirect(success_url)
    return render(request, template, {"form": form, "object": instance})


@login_required
def agency_create(request):
    _require_write_somewhere(request.user, Agency.objects)
    return _simple_form(
        request,
        form_class=AgencyForm,
        instance=None,
        template="engagements/agency_form.html",
        success_message=_("The agency was saved."),
        success_url="engagements:agency_list",
    )


@login_required
def agency_edit(request, pk: int):
    agency = get_visible_or_404(Agency.objects, request.user, pk=pk)
    require_editable(Agency.objects, request.user, agency)
    return _simple_form(
        request,
        form_class=AgencyForm,
        instance=agency,
        template="engagements/agency_form.html",
        success_message=_("The agency was saved."),
        success_url="engagements:agency_list",
    )


@login_required
def person_list(request):
    if scope_for(request.user, Person.objects.read_roles).empty:
        raise PermissionDenied
    filters = ListFilterForm(request.GET or None, countries=selectors.countries_visible_to(request.user))
    data = filters.cleaned_data if filters.is_valid() else {}
    people = selectors.person_list_for_user(
        user=request.user, search=data.get("q", ""), country=data.get("country", "")
    )
    can_create = not scope_for(request.user, Person.objects.write_roles).empty
    return render(
        request,
        "engagements/person_list.html",
        {"filters": filters, "page": paginate(request, people), "can_create": can_create},
    )


@login_required
def person_create(request):
    _require_write_somewhere(request.user, Person.objects)
    return _simple_form(
        request,
        form_class=PersonForm,
        instance=None,
        template="engagements/person_form.html",
        success_message=_("The person was saved."),
        success_url="engagements:person_list",
    )


@login_required
def person_edit(request, pk: int):
    person = get_visible_or_404(Person.objects, request.user, pk=pk)
    require_editable(Person.objects, request.user, person)
    return _simple_form(
        request,
        form_class=PersonForm,
        instance=person,
        template="engagements/person_form.html",
        success_message=_("The person was saved."),
        success_url="engagements:person_list",
    )
