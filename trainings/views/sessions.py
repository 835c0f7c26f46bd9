"""Sessions, participants, attendance, courses and statistics across sessions."""

from decimal import Decimal
from decimal import InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from engagements.models import Person
from engagements.selectors import countries_visible_to
from engagements.selectors import engagement_get_for_user
from ta_portal.ics import calendar_response
from ta_portal.navigation import panels
from ta_portal.pages import create_and_edit_views
from ta_portal.pages import filter_values
from ta_portal.pages import require_creatable
from ta_portal.pages import run_action
from ta_portal.pagination import paginate
from ta_portal.params import int_param
from ta_portal.params import text_param

from .. import charts
from .. import selectors
from .. import services
from ..access import can_edit_course
from ..access import can_edit_session
from ..access import can_plan_session
from ..files import session_ics
from ..forms import CourseForm
from ..forms import ParticipantForm
from ..forms import SessionFilterForm
from ..forms import SessionForm
from ..models import Course
from ..models import Enrolment
from ..models import TrainingSession
from .common import session_for_editing

# Sessions ---------------------------------------------------------------------------------------


@login_required
def session_list(request):
    filters = SessionFilterForm(request.GET or None, countries=countries_visible_to(request.user))
    data = filter_values(filters)
    engagement = None
    if data.get("engagement"):
        engagement = engagement_get_for_user(user=request.user, pk=data["engagement"])
    sessions = selectors.session_list_for_user(
        user=request.user,
        search=data.get("q", ""),
        country=data.get("country", ""),
        course=data["course"].pk if data.get("course") else None,
        kind=data.get("kind", ""),
        engagement=engagement.pk if engagement else None,
    )
    pooled = None
    if engagement is not None:
        pooled = selectors.pooled_outcome_for(request.user, sessions)
    return render(
        request,
        "trainings/session_list.html",
        {
            "filters": filters,
            "page": paginate(request, sessions),
            "can_create": TrainingSession.objects.creatable_by(request.user),
            "engagement": engagement,
            "pooled": pooled,
            "agency_names": selectors.agency_names(pooled["by_agency"]) if pooled else {},
        },
    )


@login_required
def session_detail(request, pk: int):
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    can_edit = can_edit_session(request.user, session)
    context = {
        "session": session,
        "can_edit": can_edit,
        "can_plan": can_plan_session(request.user, session),
        "countries": session.countries.all(),
        "trainers": session.trainers.all(),
        "outcome": selectors.session_outcome(session),
        # What later apps add to the page (the session's evaluation surveys).
        "panels": panels("session", request, session),
    }
    if can_edit:
        enrolments = list(selectors.enrolments_of(session))
        valid = selectors.valid_certificate_codes(session)
        has_exam = services.session_has_exam(session)
        for enrolment in enrolments:
            enrolment.attendance = enrolment.attendance_pct(session.days)
            enrolment.eligible = services.certificate_eligible(enrolment, session, has_exam=has_exam)
            enrolment.certificate_code = valid.get(enrolment.pk)
        context["enrolments"] = enrolments
        context["forms"] = session.exam_forms.all()
    return render(request, "trainings/session_detail.html", context)


def _session_form(request, session: TrainingSession | None, *, can_plan: bool):
    form = SessionForm(request.POST or None, instance=session, user=request.user, can_plan=can_plan)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.session_save(
                session=form.save(commit=False),
                by=request.user,
                countries=form.cleaned_data.get("countries") if can_plan else None,
                trainers=form.cleaned_data.get("trainers") if can_plan else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect(saved)
    return render(request, "trainings/session_form.html", {"form": form, "session": session})


@login_required
def session_create(request):
    require_creatable(request.user, TrainingSession)
    return _session_form(request, None, can_plan=True)


@login_required
def session_edit(request, pk: int):
    session = session_for_editing(request, pk)
    return _session_form(request, session, can_plan=can_plan_session(request.user, session))


@login_required
@require_GET
def session_invitation(request, pk: int):
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    return calendar_response(session_ics(session), filename=f"session-{session.pk}.ics")


# Participants -----------------------------------------------------------------------------------


@login_required
def participants(request, pk: int):
    """Find people of the session's countries in the register and enrol them."""
    session = session_for_editing(request, pk)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("person") if v.isdigit()]
        people = Person.objects.filter(pk__in=ids, country__in=session.countries.all())
        added = services.enrol_people(session=session, people=people)
        enrolled = ngettext("%(n)s participant enrolled.", "%(n)s participants enrolled.", added)
        messages.success(request, enrolled % {"n": added})
        return redirect("trainings:participants", pk=session.pk)
    query = text_param(request.GET.get("q")).strip()
    enrolled = set(session.enrolments.values_list("person_id", flat=True))
    candidates = Person.objects.none()
    if query:
        candidates = (
            Person.objects.filter(country__in=session.countries.all(), full_name__icontains=query)
            .exclude(pk__in=enrolled)
            .select_related("agency", "country")[:50]
        )
    return render(
        request,
        "trainings/participants.html",
        {
            "session": session,
            "query": query,
            "candidates": candidates,
            "enrolments": selectors.enrolments_of(session),
        },
    )


@login_required
def participant_create(request, pk: int):
    session = session_for_editing(request, pk)
    form = ParticipantForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_create_and_enrol(session=session, person=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The participant was added and enrolled."))
            return redirect("trainings:participants", pk=session.pk)
    return render(request, "trainings/participant_form.html", {"form": form, "session": session})


@login_required
@require_POST
def participant_remove(request, pk: int, enrolment_pk: int):
    session = session_for_editing(request, pk)
    enrolment = get_object_or_404(Enrolment, session=session, pk=enrolment_pk)
    removed = _("The participant was removed from the session.")
    run_action(request, lambda: services.enrolment_remove(enrolment=enrolment), removed)
    return redirect("trainings:participants", pk=session.pk)


# Attendance -------------------------------------------------------------------------------------


@login_required
def attendance(request, pk: int):
    session = session_for_editing(request, pk)
    enrolments = list(selectors.enrolments_of(session).prefetch_related("attendance_days"))
    dates = session.dates()
    mode = request.POST.get("mode") or request.GET.get("mode") or ("day" if len(dates) <= 10 else "total")
    errors = {}
    if request.method == "POST":
        entries = {}
        for enrolment in enrolments:
            entry = {"completed": request.POST.get(f"completed-{enrolment.pk}") == "on"}
            if mode == "day":
                entry["days"] = [d for d in dates if request.POST.get(f"day-{enrolment.pk}-{d.isoformat()}") == "on"]
            else:
                raw = request.POST.get(f"total-{enrolment.pk}", "").strip().replace(",", ".")
                try:
                    entry["days_attended"] = Decimal(raw) if raw else None
                except InvalidOperation:
                    errors[enrolment.pk] = _("Enter a number of days.")
                    continue
                error = session.days_attended_error(entry["days_attended"])
                if error:
                    errors[enrolment.pk] = error
            entries[enrolment.pk] = entry
        if not errors:
            services.attendance_save(session=session, entries=entries)
            messages.success(request, _("Attendance was saved."))
            return redirect("trainings:attendance", pk=session.pk)
    for enrolment in enrolments:
        present = {a.day for a in enrolment.attendance_days.all()}
        enrolment.day_cells = [(d, d in present) for d in dates]
        enrolment.error = errors.get(enrolment.pk)
        enrolment.attendance = enrolment.attendance_pct(session.days)
    return render(
        request,
        "trainings/attendance.html",
        {"session": session, "enrolments": enrolments, "dates": dates, "mode": mode, "errors": errors},
    )


# Courses ----------------------------------------------------------------------------------------


@login_required
def course_list(request):
    courses = Course.objects.visible_to(request.user).prefetch_related("dimensions")
    dimension = text_param(request.GET.get("dimension")).strip()
    if dimension:
        courses = courses.filter(dimensions__code=dimension).distinct()
    return render(
        request,
        "trainings/course_list.html",
        {
            "courses": courses,
            "dimension": dimension,
            "can_create": Course.objects.creatable_by(request.user),
        },
    )


@login_required
def course_detail(request, pk: int):
    course = selectors.course_get_for_user(user=request.user, pk=pk)
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .filter(course=course)
        .prefetch_related("countries")
        .order_by("start_date", "pk")
    )
    compared = selectors.sessions_compared(sessions)
    pooled = selectors.pooled_outcome_for(request.user, sessions)
    return render(
        request,
        "trainings/course_detail.html",
        {
            "course": course,
            "compared": compared,
            "pooled": pooled,
            "agency_names": selectors.agency_names(pooled["by_agency"]),
            "chart": charts.sessions_chart(compared) if compared else None,
            "can_edit": can_edit_course(request.user, course),
            "panels": panels("course", request, course),
        },
    )


def _course_form(request, course):
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The course was saved."))
        return redirect(saved)
    return render(request, "trainings/course_form.html", {"form": form, "course": course})


course_create, course_edit = create_and_edit_views(Course, _course_form, fetch=selectors.course_get_for_user)


# Statistics across sessions ---------------------------------------------------------------------


@login_required
def statistics_overview(request):
    """Pooled figures per country of the participants and per engagement, over the visible sessions."""
    sessions = TrainingSession.objects.visible_to(request.user)
    year = int_param(request.GET.get("year"))
    if year is not None and 1 <= year <= 9999:  # a year a date can have (0 would be a 500)
        sessions = sessions.filter(start_date__year=year)
    by_country = selectors.outcome_by_country_for(request.user, sessions)
    years = TrainingSession.objects.visible_to(request.user).dates("start_date", "year", order="DESC")
    agencies = {agency for _code, _name, figures in by_country for agency in figures["by_agency"]}
    return render(
        request,
        "trainings/statistics.html",
        {
            "by_country": by_country,
            "agency_names": selectors.agency_names(agencies),
            "by_engagement": selectors.outcome_by_engagement(sessions),
            "overall": selectors.pooled_outcome_for(request.user, sessions),
            "years": [d.year for d in years],
            "year": year,
        },
    )
