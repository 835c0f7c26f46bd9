from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, require_editable
from accounts.models import User
from accounts.scoping import scope_for
from engagements.models import Person
from ta_portal.params import int_param

from . import selectors, services
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    DirectoryFilterForm,
    DocumentFilterForm,
    DocumentForm,
    DocumentReplaceForm,
    EventFilterForm,
    EventForm,
    EventOutcomeForm,
    ExpertProfileForm,
    ExternalRecommendationFilterForm,
    ExternalRecommendationForm,
    NetworkForm,
    NetworkMemberForm,
    NewExpertProfileForm,
    NewParticipantForm,
    RegistrationForm,
)
from .invitations import event_calendar
from .models import (
    AgendaItem,
    Document,
    ExpertProfile,
    ExternalRecommendation,
    Network,
    NetworkEvent,
    Registration,
    directory_readers_allowed,
)
from .vcard import entry_vcard, vcards

PAGE_SIZE = 25


def _paginate(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


def _cleaned(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


def _pk(value):
    return value.pk if value is not None else None


def _form_page(request, template, form, **context):
    return render(request, template, {"form": form, **context})


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
            "directory": directory_readers_allowed(user),
            "n_recommendations": ExternalRecommendation.objects.visible_to(user).count(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Networks


@login_required
def network_list(request):
    networks = Network.objects.visible_to(request.user).prefetch_related("countries")
    mine = set(Network.objects.with_member(request.user).values_list("pk", flat=True))
    return render(
        request,
        "network/network_list.html",
        {"networks": networks, "mine": mine, "can_create": selectors.may_create_event(request.user)},
    )


@login_required
def network_create(request):
    if not selectors.may_create_event(request.user):
        raise PermissionDenied
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        network = services.network_create(network=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The network was created; you coordinate it."))
        return redirect(network)
    return _form_page(request, "network/network_form.html", form, network=None)


@login_required
def network_detail(request, pk: int):
    network = get_object_or_404(Network.objects.visible_to(request.user), pk=pk)
    can_edit = Network.objects.editable_by(request.user).filter(pk=pk).exists()
    see_members = selectors.network_may_see_members(user=request.user, network=network)
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
    network = get_object_or_404(Network.objects.visible_to(request.user), pk=pk)
    require_editable(Network.objects, request.user, network)
    return network


@login_required
def network_edit(request, pk: int):
    network = _network_for_editing(request, pk)
    form = NetworkForm(request.POST or None, instance=network)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The network was saved."))
        return redirect(network)
    return _form_page(request, "network/network_form.html", form, network=network)


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
    try:
        services.network_remove_member(network=network, user=member)
        messages.success(request, _("The member was removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(network)


# ---------------------------------------------------------------------------------------------
# Library


@login_required
def document_list(request):
    filters = DocumentFilterForm(request.GET or None, user=request.user)
    data = _cleaned(filters)
    documents = selectors.document_search(
        user=request.user,
        search=data.get("q", ""),
        kind=data.get("kind", ""),
        language=data.get("language", ""),
        country=_pk(data.get("country")) or "",
        topic=_pk(data.get("topic")),
        substance=_pk(data.get("substance")),
        event=_pk(data.get("event")),
    )
    return render(
        request,
        "network/document_list.html",
        {"filters": filters, "page": _paginate(request, documents), "can_upload": selectors.may_upload(request.user)},
    )


@login_required
def document_create(request):
    if not selectors.may_upload(request.user):
        raise PermissionDenied
    initial = {}
    event_id = int_param(request.GET.get("event"))
    if event_id is not None:
        initial["events"] = NetworkEvent.objects.visible_to(request.user).filter(pk=event_id)
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(
                document=form.save(commit=False),
                uploaded=form.cleaned_data["file"],
                by=request.user,
                m2m_save=form.save_m2m,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The document was added to the library."))
            return redirect(document)
    return _form_page(request, "network/document_form.html", form, document=None)


@login_required
def document_detail(request, pk: int):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "network/document_detail.html",
        {
            "document": document,
            "versions": document.versions.select_related("uploaded_by"),
            "can_edit": selectors.document_may_edit(user=request.user, document=document),
            "countries": document.countries.all(),
            "topics": document.topics.all(),
            "substances": document.substances.all(),
            "events": document.events.filter(pk__in=NetworkEvent.objects.visible_to(request.user).values("pk")),
        },
    )


def _document_for_editing(request, pk: int) -> Document:
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    require_editable(Document.objects, request.user, document)
    return document


@login_required
def document_edit(request, pk: int):
    document = _document_for_editing(request, pk)
    form = DocumentForm(request.POST or None, instance=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.document_update(document=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The document was saved."))
        return redirect(document)
    return _form_page(request, "network/document_form.html", form, document=document)


@login_required
def document_replace(request, pk: int):
    document = _document_for_editing(request, pk)
    form = DocumentReplaceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_replace(
                document=document, uploaded=form.cleaned_data["file"], by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Version %(n)d is now the current file.") % {"n": version.number})
            return redirect(document)
    return _form_page(request, "network/document_replace.html", form, document=document)


def file_response(version) -> FileResponse:
    """The stored file of a version, as an attachment under its checked type and a safe name."""
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_download(request, pk: int, number: int | None = None):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if number is None:
        version = document.current_version
        if version is None:
            raise Http404
    else:
        version = get_object_or_404(document.versions, number=number)
    return file_response(version)


# ---------------------------------------------------------------------------------------------
# Events


@login_required
def event_list(request):
    filters = EventFilterForm(request.GET or None)
    data = _cleaned(filters)
    events = selectors.event_list_for_user(
        user=request.user, search=data.get("q", ""), kind=data.get("kind", ""), year=data.get("year")
    )
    return render(
        request,
        "network/event_list.html",
        {
            "filters": filters,
            "page": _paginate(request, events.prefetch_related("countries")),
            "can_create": selectors.may_create_event(request.user),
        },
    )


@login_required
def event_create(request):
    if not selectors.may_create_event(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = services.event_save(event=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The event was created; you are one of its organisers."))
        return redirect(event)
    return _form_page(request, "network/event_form.html", form, event=None)


@login_required
def event_detail(request, pk: int):
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    can_edit = selectors.event_may_edit(user=user, event=event)
    see_people = selectors.event_may_see_people(user=user, event=event)
    own_person = Person.objects.filter(user=user).first()
    own_registration = event.registrations.filter(person=own_person).first() if own_person else None
    return render(
        request,
        "network/event_detail.html",
        {
            "event": event,
            "can_edit": can_edit,
            "see_people": see_people,
            "agenda": event.agenda_items.all(),
            "outcomes": event.outcomes.all(),
            "countries": event.countries.all(),
            "organisers": event.organisers.all() if see_people else [],
            "registrations": selectors.with_agency_group_labels(selectors.event_registrations(event))
            if see_people
            else [],
            "participation": selectors.event_participation(event),
            "documents": Document.objects.visible_to(user)
            .filter(pk__in=Document.events.through.objects.filter(networkevent=event).values("document"))
            .select_related("current_version"),
            "may_register_others": selectors.may_register_others(user=user, event=event),
            "own_person": own_person,
            "own_registration": own_registration,
            "recommendations": ExternalRecommendation.objects.visible_to(user)
            .filter(event=event)
            .select_related("country"),
        },
    )


def _event_for_editing(request, pk: int) -> NetworkEvent:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    require_editable(NetworkEvent.objects, request.user, event)
    return event


@login_required
def event_edit(request, pk: int):
    event = _event_for_editing(request, pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.event_save(event=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The event was saved."))
        return redirect(event)
    return _form_page(request, "network/event_form.html", form, event=event)


@login_required
def event_agenda(request, pk: int):
    event = _event_for_editing(request, pk)
    form = AgendaItemForm(request.POST or None, event=event, initial={"day": event.start_date})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The agenda item was added."))
        return redirect("network:event_agenda", pk=event.pk)
    return render(
        request, "network/event_agenda.html", {"event": event, "form": form, "agenda": event.agenda_items.all()}
    )


@login_required
@require_POST
def event_agenda_delete(request, pk: int, item_id: int):
    event = _event_for_editing(request, pk)
    get_object_or_404(AgendaItem, pk=item_id, event=event).delete()
    messages.success(request, _("The agenda item was removed."))
    return redirect("network:event_agenda", pk=event.pk)


@login_required
def event_outcomes(request, pk: int):
    event = _event_for_editing(request, pk)
    next_number = (event.outcomes.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = EventOutcomeForm(request.POST or None, event=event, initial={"number": next_number})
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The conclusion or recommendation was recorded."))
        return redirect("network:event_outcomes", pk=event.pk)
    return render(
        request, "network/event_outcomes.html", {"event": event, "form": form, "outcomes": event.outcomes.all()}
    )


@login_required
def event_register(request, pk: int):
    """Register participants: organisers anyone of the participating countries, national users their own people."""
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    if not selectors.may_register_others(user=user, event=event):
        raise PermissionDenied
    can_edit = selectors.event_may_edit(user=user, event=event)
    existing_form = RegistrationForm(
        request.POST if request.POST.get("form") == "existing" else None, user=user, event=event
    )
    new_form = None
    if can_edit:
        new_form = NewParticipantForm(
            request.POST if request.POST.get("form") == "new" else None, user=user, event=event, prefix="new"
        )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "existing" and existing_form.is_valid():
                registration = services.event_register(
                    event=event,
                    person=existing_form.cleaned_data["person"],
                    by=user,
                    role=existing_form.cleaned_data["role"],
                )
            elif request.POST.get("form") == "new" and new_form is not None and new_form.is_valid():
                registration = services.event_register_new_person(
                    event=event, person=new_form.save(commit=False), by=user, role=new_form.cleaned_data["role"]
                )
            else:
                registration = None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if registration is not None:
                messages.success(request, _("%(name)s is registered.") % {"name": registration.person.full_name})
                return redirect("network:event_register", pk=event.pk)
    return render(
        request,
        "network/event_register.html",
        {
            "event": event,
            "existing_form": existing_form,
            "new_form": new_form,
            "registrations": selectors.event_registrations(event).filter(
                person__in=selectors.registrable_people(user=user, event=event)
            ),
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def event_register_me(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise PermissionDenied
    try:
        services.event_register(event=event, person=person, by=request.user)
        messages.success(request, _("You are registered."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(event)


@login_required
@require_POST
def registration_cancel(request, pk: int, registration_id: int):
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    registration = get_object_or_404(event.registrations.select_related("person"), pk=registration_id)
    own = registration.person.user_id == user.pk
    editor = selectors.event_may_edit(user=user, event=event)
    nominator = selectors.registrable_people(user=user, event=event).filter(pk=registration.person_id).exists()
    if not (own or editor or (nominator and event.registration_open)):
        raise PermissionDenied
    services.registration_cancel(registration=registration)
    messages.success(
        request, _("The registration of %(name)s was cancelled.") % {"name": registration.person.full_name}
    )
    if request.POST.get("next") == "register":
        return redirect("network:event_register", pk=event.pk)
    return redirect(event)


@login_required
def event_attendance(request, pk: int):
    event = _event_for_editing(request, pk)
    registrations = list(selectors.event_registrations(event).exclude(status=Registration.Status.CANCELLED))
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        count = services.event_record_attendance(
            event=event, attended_ids=[int(pk) for pk in form.cleaned_data["attended"]]
        )
        messages.success(request, _("Attendance saved: %(n)d attended.") % {"n": count})
        return redirect(event)
    return render(
        request, "network/event_attendance.html", {"event": event, "form": form, "registrations": registrations}
    )


@login_required
@require_POST
def event_send_invitations(request, pk: int):
    event = _event_for_editing(request, pk)
    count = services.event_queue_invitations(event=event)
    messages.success(request, _("%(n)d invitation(s) will be sent.") % {"n": count})
    return redirect(event)


@login_required
def event_ics(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(event.title) or "event"}.ics"'
    return response


# ---------------------------------------------------------------------------------------------
# Expert directory


def _require_directory(user) -> None:
    if not directory_readers_allowed(user):
        raise PermissionDenied


@login_required
def expert_list(request):
    _require_directory(request.user)
    filters = DirectoryFilterForm(request.GET or None)
    data = _cleaned(filters)
    rows = selectors.directory_queryset(
        user=request.user,
        search=data.get("q", ""),
        country=data.get("country", ""),
        agency_kind=data.get("agency_kind", ""),
        topic=_pk(data.get("topic")),
    )
    page = _paginate(request, rows)
    own_profile = ExpertProfile.objects.filter(person__user=request.user).first()
    return render(
        request,
        "network/expert_list.html",
        {
            "filters": filters,
            "page": page,
            "entries": selectors.directory_entries(page.object_list),
            "can_create": not scope_for(request.user, Person.objects.write_roles).empty,
            "has_person": Person.objects.filter(user=request.user).exists(),
            "own_profile": own_profile,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def expert_list_vcard(request):
    """Every expert the current filters show, as one .vcf file."""
    _require_directory(request.user)
    filters = DirectoryFilterForm(request.GET or None)
    data = _cleaned(filters)
    rows = selectors.directory_queryset(
        user=request.user,
        search=data.get("q", ""),
        country=data.get("country", ""),
        agency_kind=data.get("agency_kind", ""),
        topic=_pk(data.get("topic")),
    )
    return _vcard_response(vcards(selectors.directory_entries(rows)), "experts")


def _vcard_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "expert"}.vcf"'
    return response


def _expert_or_404(request, pk: int):
    if not directory_readers_allowed(request.user):
        raise Http404
    return selectors.expert_get_for_user(user=request.user, pk=pk)


@login_required
def expert_detail(request, pk: int):
    entry = _expert_or_404(request, pk)
    can_edit = ExpertProfile.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(request, "network/expert_detail.html", {"entry": entry, "can_edit": can_edit})


@login_required
def expert_vcard(request, pk: int):
    entry = _expert_or_404(request, pk)
    return _vcard_response(entry_vcard(entry), entry.full_name)


@login_required
def expert_me(request):
    """The signed-in person's own entry: they decide whether they are listed and whether contact shows."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    profile = ExpertProfile.objects.filter(person=person).first() or ExpertProfile(person=person)
    form = ExpertProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.expert_profile_save(profile=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("Your directory entry was saved."))
        return redirect("network:expert_me")
    return render(request, "network/expert_form.html", {"form": form, "profile": profile, "own": True})


@login_required
def expert_create(request):
    if scope_for(request.user, Person.objects.write_roles).empty:
        raise PermissionDenied
    form = NewExpertProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        profile = services.expert_profile_save(profile=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The directory entry was saved."))
        return redirect("network:expert_edit", pk=profile.pk)
    return render(request, "network/expert_form.html", {"form": form, "profile": None, "own": False})


@login_required
def expert_edit(request, pk: int):
    # Unlisted entries are not in the directory, but their editors still reach them; readers of
    # the directory who may not change an entry are refused (403), anyone else learns nothing (404).
    profile = ExpertProfile.objects.editable_by(request.user).select_related("person").filter(pk=pk).first()
    if profile is None:
        if ExpertProfile.objects.visible_to(request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    form = ExpertProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.expert_profile_save(profile=form.save(commit=False), by=request.user, m2m_save=form.save_m2m)
        messages.success(request, _("The directory entry was saved."))
        return redirect("network:expert_edit", pk=profile.pk)
    return render(request, "network/expert_form.html", {"form": form, "profile": profile, "own": False})


# ---------------------------------------------------------------------------------------------
# External recommendations


@login_required
def external_recommendation_list(request):
    filters = ExternalRecommendationFilterForm(request.GET or None, user=request.user)
    data = _cleaned(filters)
    recommendations = selectors.external_recommendation_list_for_user(
        user=request.user,
        search=data.get("q", ""),
        country=data.get("country", ""),
        source=data.get("source", ""),
        year=data.get("year"),
    )
    return render(
        request,
        "network/external_recommendation_list.html",
        {
            "filters": filters,
            "page": _paginate(request, recommendations),
            "can_create": not scope_for(request.user, ExternalRecommendation.objects.write_roles).empty,
        },
    )


@login_required
def external_recommendation_create(request):
    if scope_for(request.user, ExternalRecommendation.objects.write_roles).empty:
        raise PermissionDenied
    initial = {}
    if request.GET.get("event", "").isdigit():
        event = NetworkEvent.objects.visible_to(request.user).filter(pk=request.GET["event"]).first()
        if event:
            initial = {"event": event, "source": ExternalRecommendation.Source.NETWORK_MEETING, "date": event.end_date}
    form = ExternalRecommendationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        recommendation = services.external_recommendation_save(recommendation=form.save(commit=False), by=request.user)
        messages.success(request, _("The recommendation was saved."))
        return redirect(recommendation)
    return _form_page(request, "network/external_recommendation_form.html", form, recommendation=None)


@login_required
def external_recommendation_detail(request, pk: int):
    recommendation = selectors.external_recommendation_get_for_user(user=request.user, pk=pk)
    can_edit = ExternalRecommendation.objects.editable_by(request.user).filter(pk=pk).exists()
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
    recommendation = get_visible_or_404(ExternalRecommendation.objects, request.user, pk=pk)
    require_editable(ExternalRecommendation.objects, request.user, recommendation)
    form = ExternalRecommendationForm(request.POST or None, instance=recommendation, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.external_recommendation_save(recommendation=form.save(commit=False), by=request.user)
        messages.success(request, _("The recommendation was saved."))
        return redirect(recommendation)
    return _form_page(request, "network/external_recommendation_form.html", form, recommendation=recommendation)
