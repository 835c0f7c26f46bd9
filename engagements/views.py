from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ta_portal.bodylimit import body_limit
from ta_portal.navigation import engagement_links
from ta_portal.pages import create_and_edit_views
from ta_portal.pages import criteria
from ta_portal.pages import list_page
from ta_portal.uploads import LOGO

from . import access
from . import certificates
from . import selectors
from . import services
from .forms import AgencyFilterForm
from .forms import AgencyForm
from .forms import EngagementFilterForm
from .forms import EngagementForm
from .forms import ListFilterForm
from .forms import PersonForm
from .forms import PhaseAdvanceForm
from .forms import ProgrammeCertificateForm
from .forms import advance_auto_id
from .models import Agency
from .models import Engagement
from .models import Person


def _list_page(request, *, model, filter_form, countries, rows, template):
    """A list page: the filter form's fields (``q`` is the search) select the rows through ``rows``."""
    fields = [name for name in filter_form.base_fields if name != "q"]
    return list_page(
        request,
        template,
        filters=filter_form(request.GET or None, countries=countries),
        rows=lambda values: rows(user=request.user, **criteria(values, *fields, search="q")),
        can_create=model.objects.creatable_by(request.user),
    )


@login_required
def engagement_list(request):
    # The filter offers the countries that have engagements to show, not every country of the world
    # (rendering ~250 options cost a global user more than the table itself).
    countries = selectors.countries_visible_to(request.user).filter(
        code__in=Engagement.objects.visible_to(request.user).values("country_id")
    )
    return _list_page(
        request,
        model=Engagement,
        filter_form=EngagementFilterForm,
        countries=countries,
        rows=selectors.engagement_list_for_user,
        template="engagements/engagement_list.html",
    )


@login_required
def engagement_detail(request, pk: int):
    engagement = selectors.engagement_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "engagements/engagement_detail.html",
        {
            "engagement": engagement,
            "can_edit": access.can_edit_engagement(request.user, engagement),
            "managers": engagement.managers.all(),
            "focal_points": engagement.focal_points.select_related("agency"),
            "phase_changes": engagement.phase_changes.select_related("changed_by"),
            "activity_links": engagement_links(request, engagement),
        },
    )


def _engagement_form(request, engagement: Engagement | None):
    form = EngagementForm(request.POST or None, instance=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.engagement_save(
                engagement=form.save(commit=False),
                by=request.user,
                m2m_save=form.save_m2m,
                phase_changed_on=form.cleaned_data["phase_changed_on"],
            )
        except ValidationError as exc:  # the phase changed meanwhile: the form said otherwise a moment ago
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The engagement was saved."))
            return redirect(saved)
    return render(request, "engagements/engagement_form.html", {"form": form, "engagement": engagement})


@login_required
@require_POST
def engagement_advance(request, pk: int):
    """Move an engagement on to the phase its activities suggest (the home page's one-click form),
    for the reason given; a refused post shows the form again with what is wrong, saving nothing."""
    engagement = selectors.engagement_get_for_user(user=request.user, pk=pk)
    if not access.can_edit_engagement(request.user, engagement):
        raise PermissionDenied
    form = PhaseAdvanceForm(request.POST, auto_id=advance_auto_id(engagement))
    if form.is_valid():
        try:
            services.engagement_advance(
                engagement=engagement,
                to_phase=form.cleaned_data["to_phase"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields and field != "to_phase" else None, errors)
        else:
            messages.success(
                request,
                _("%(engagement)s moved on to the phase “%(phase)s”.")
                % {"engagement": engagement.title, "phase": Engagement.Phase(form.cleaned_data["to_phase"]).label},
            )
            return redirect(engagement)
    phase = form.data.get("to_phase", "")
    return render(
        request,
        "engagements/phase_advance.html",
        {
            "form": form,
            "engagement": engagement,
            "phase_label": Engagement.Phase(phase).label if phase in Engagement.Phase.values else "",
        },
    )


engagement_create, engagement_edit = create_and_edit_views(
    Engagement, _engagement_form, fetch=selectors.engagement_get_for_user
)


# Agencies and people: a register row is one form saved as it is (no history, no side effects).
_REGISTERS = {
    Agency: {
        "form_class": AgencyForm,
        "template": "engagements/agency_form.html",
        "success_message": gettext_lazy("The agency was saved."),
        "success_url": "engagements:agency_list",
        "filter_form": AgencyFilterForm,
        "rows": selectors.agency_list_for_user,
        "list_template": "engagements/agency_list.html",
    },
    Person: {
        "form_class": PersonForm,
        "template": "engagements/person_form.html",
        "success_message": gettext_lazy("The person was saved."),
        "success_url": "engagements:person_list",
        "filter_form": ListFilterForm,
        "rows": selectors.person_list_for_user,
        "list_template": "engagements/person_list.html",
    },
}


def _register_list(request, model):
    register = _REGISTERS[model]
    return _list_page(
        request,
        model=model,
        filter_form=register["filter_form"],
        countries=selectors.countries_visible_to(request.user),
        rows=register["rows"],
        template=register["list_template"],
    )


def _register_form(request, instance, *, model):
    register = _REGISTERS[model]
    form = register["form_class"](request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, register["success_message"])
        return redirect(register["success_url"])
    return render(request, register["template"], {"form": form, "object": instance})


@login_required
def agency_list(request):
    return _register_list(request, Agency)


agency_create, agency_edit = create_and_edit_views(Agency, partial(_register_form, model=Agency))


@login_required
def person_list(request):
    if not access.can_read_people(request.user):
        raise PermissionDenied
    return _register_list(request, Person)


person_create, person_edit = create_and_edit_views(Person, partial(_register_form, model=Person))


@login_required
def substance_list(request):
    """The precursor chemicals under control: the 1988 Convention's tables for everyone signed in, and
    the national or regional listings of the user's countries."""
    return render(
        request, "engagements/substance_list.html", {"listings": selectors.substances_by_listing(user=request.user)}
    )


@login_required
@body_limit(LOGO.request_max_bytes)
def programme_certificates(request, code: str):
    """What a programme's certificates print (managers and admins of its countries)."""
    if not access.can_configure_certificates(request.user):
        raise PermissionDenied
    programme = get_object_or_404(access.programmes_editable_by(request.user), code=code)
    form = ProgrammeCertificateForm(request.POST or None, request.FILES or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.programme_certificate_save(
                programme=programme,
                issuer=form.cleaned_data["certificate_issuer"],
                signatories=form.signatories(),
                logo=form.cleaned_data.get("certificate_logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The certificate settings of %(name)s were saved.") % {"name": programme.name})
            return redirect("engagements:programme_certificates", code=programme.code)
    if form.errors:
        programme.refresh_from_db()
    return render(
        request,
        "engagements/programme_certificates.html",
        {"form": form, "programme": programme, "issuer": certificates.issuer_for(programme)},
    )
