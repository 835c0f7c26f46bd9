"""Pages of events: the event, agenda, outcomes, registrations, attendance and invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engagements.models import Person
from ta_portal.ics import calendar_response
from ta_portal.pages import criteria
from ta_portal.pages import fetch_for_editing
from ta_portal.pages import list_page
from ta_portal.pages import run_action
from ta_portal.pages import saving_form_page

from .. import access
from .. import selectors
from .. import services
from ..forms import AgendaItemForm
from ..forms import AttendanceForm
from ..forms import EventFilterForm
from ..forms import EventForm
from ..forms import EventOutcomeForm
from ..forms import NewParticipantForm
from ..forms import RegistrationForm
from ..invitations import event_calendar
from ..models import AgendaItem
from ..models import Document
from ..models import ExternalRecommendation
from ..models import NetworkEvent
from ..models import Registration


@login_required
def event_list(request):
    return list_page(
        request,
        "network/event_list.html",
        filters=EventFilterForm(request.GET or None),
        rows=lambda values: selectors.event_list_for_user(
            user=request.user, **criteria(values, "kind", "year", search="q")
        ).prefetch_related("countries"),
        can_create=access.can_create_event(request.user),
    )


@login_required
def event_create(request):
    if not access.can_create_event(request.user):
        raise PermissionDenied
    return saving_form_page(
        request,
        "network/event_form.html",
        EventForm(request.POST or None, user=request.user),
        save=lambda form: services.event_save(event=form.save(commit=False), by=request.user, m2m_save=form.save_m2m),
        success=_("The event was created; you are one of its organisers."),
        event=None,
    )


@login_required
def event_detail(request, pk: int):
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    can_edit = access.can_edit_event(user, event)
    see_people = access.can_see_event_people(user, event)
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
            "can_register_others": access.can_register_others(user, event),
            "own_person": own_person,
            "own_registration": own_registration,
            "recommendations": ExternalRecommendation.objects.visible_to(user)
            .filter(event=event)
            .select_related("country"),
        },
    )


def _event_for_editing(request, pk: int) -> NetworkEvent:
    return fetch_for_editing(request, selectors.event_get_for_user, NetworkEvent.objects, pk)


@login_required
def event_edit(request, pk: int):
    event = _event_for_editing(request, pk)
    return saving_form_page(
        request,
        "network/event_form.html",
        EventForm(request.POST or None, instance=event, user=request.user),
        save=lambda form: services.event_save(event=form.save(commit=False), by=request.user, m2m_save=form.save_m2m),
        success=_("The event was saved."),
        event=event,
    )


def _event_list_page(request, event, page: str, form, success: str, **context):
    """A page of an event that lists its items with a form to add one; after adding, the same page again."""
    return saving_form_page(
        request,
        f"network/{page}.html",
        form,
        save=lambda form: form.save(),
        success=success,
        then=lambda item: reverse(f"network:{page}", args=[event.pk]),
        event=event,
        **context,
    )


@login_required
def event_agenda(request, pk: int):
    event = _event_for_editing(request, pk)
    form = AgendaItemForm(request.POST or None, event=event, initial={"day": event.start_date})
    return _event_list_page(
        request, event, "event_agenda", form, _("The agenda item was added."), agenda=event.agenda_items.all()
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
    success = _("The conclusion or recommendation was recorded.")
    return _event_list_page(request, event, "event_outcomes", form, success, outcomes=event.outcomes.all())


@login_required
def event_register(request, pk: int):
    """Register participants: organisers anyone of the participating countries, national users their own people."""
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    if not access.can_register_others(user, event):
        raise PermissionDenied
    can_edit = access.can_edit_event(user, event)
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
                person__in=access.registrable_people(user, event)
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
    run_action(
        request, lambda: services.event_register(event=event, person=person, by=request.user), _("You are registered.")
    )
    return redirect(event)


@login_required
@require_POST
def registration_cancel(request, pk: int, registration_id: int):
    user = request.user
    event = selectors.event_get_for_user(user=user, pk=pk)
    registration = get_object_or_404(event.registrations.select_related("person"), pk=registration_id)
    if not access.can_cancel_registration(user, registration):
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
    return calendar_response(event_calendar(event), filename=f"{slugify(event.title) or 'event'}.ics")
