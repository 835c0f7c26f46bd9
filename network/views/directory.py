"""Pages of the expert directory and its vCards."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from engagements.models import Person
from ta_portal.pages import criteria
from ta_portal.pages import filter_values
from ta_portal.pages import saving_form_page
from ta_portal.pagination import paginate

from .. import access
from .. import selectors
from .. import services
from ..forms import DirectoryFilterForm
from ..forms import ExpertProfileForm
from ..forms import NewExpertProfileForm
from ..models import ExpertProfile
from ..vcard import entry_vcard
from ..vcard import vcards
from ._helpers import pk_of


def _require_directory(user) -> None:
    if not access.can_read_directory(user):
        raise PermissionDenied


def _filtered_directory(request):
    """The directory filter form of the request and the rows it selects."""
    filters = DirectoryFilterForm(request.GET or None)
    values = filter_values(filters)
    rows = selectors.directory_queryset(
        user=request.user,
        **criteria(values, "country", "agency_kind", search="q"),
        topic=pk_of(values.get("topic")),
    )
    return filters, rows


@login_required
def expert_list(request):
    _require_directory(request.user)
    filters, rows = _filtered_directory(request)
    page = paginate(request, rows)
    own_profile = ExpertProfile.objects.filter(person__user=request.user).first()
    return render(
        request,
        "network/expert_list.html",
        {
            "filters": filters,
            "page": page,
            "entries": selectors.directory_entries(page.object_list),
            "can_create": access.can_list_expert(request.user),
            "has_person": Person.objects.filter(user=request.user).exists(),
            "own_profile": own_profile,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def expert_list_vcard(request):
    """Every expert the current filters show, as one .vcf file."""
    _require_directory(request.user)
    _filters, rows = _filtered_directory(request)
    return _vcard_response(vcards(selectors.directory_entries(rows)), "experts")


def _vcard_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "expert"}.vcf"'
    return response


def _expert_or_404(request, pk: int):
    if not access.can_read_directory(request.user):
        raise Http404
    return selectors.expert_get_for_user(user=request.user, pk=pk)


@login_required
def expert_detail(request, pk: int):
    entry = _expert_or_404(request, pk)
    can_edit = access.can_edit_expert_profile(request.user, pk)
    return render(request, "network/expert_detail.html", {"entry": entry, "can_edit": can_edit})


@login_required
def expert_vcard(request, pk: int):
    entry = _expert_or_404(request, pk)
    return _vcard_response(entry_vcard(entry), entry.full_name)


def _save_profile(request, form) -> ExpertProfile:
    return services.expert_profile_save(profile=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)


def _edit_page(profile: ExpertProfile) -> str:
    return reverse("network:expert_edit", args=[profile.pk])


def _expert_form_page(request, form, profile, *, own: bool = False):
    """The directory entry form: one's own entry comes back to itself, others' to their edit page."""
    return saving_form_page(
        request,
        "network/expert_form.html",
        form,
        save=lambda form: _save_profile(request, form),
        success=_("Your directory entry was saved.") if own else _("The directory entry was saved."),
        then=(lambda saved: reverse("network:expert_me")) if own else _edit_page,
        profile=profile,
        own=own,
    )


@login_required
def expert_me(request):
    """The signed-in person's own entry: they decide whether they are listed and whether contact shows."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    profile = ExpertProfile.objects.filter(person=person).first() or ExpertProfile(person=person)
    form = ExpertProfileForm(request.POST or None, instance=profile)
    return _expert_form_page(request, form, profile, own=True)


@login_required
def expert_create(request):
    if not access.can_list_expert(request.user):
        raise PermissionDenied
    return _expert_form_page(request, NewExpertProfileForm(request.POST or None, user=request.user), None)


@login_required
def expert_edit(request, pk: int):
    # Unlisted entries are not in the directory, but their editors still reach them; readers of
    # the directory who may not change an entry are refused (403), anyone else learns nothing (404).
    profile = ExpertProfile.objects.editable_by(request.user).select_related("person").filter(pk=pk).first()
    if profile is None:
        if ExpertProfile.objects.visible_to(request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return _expert_form_page(request, ExpertProfileForm(request.POST or None, instance=profile), profile)
