"""Pages of assessments, their evidence, scores, findings and recommendations, and roundtables.

Every fetch goes through a scoped queryset (404 out of scope); changes need the write roles in
the country (403 otherwise). A final assessment is read-only: its edit pages send the user back
to the assessment with an explanation and save nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404
from accounts.access import require_editable
from engagements.selectors import countries_visible_to
from reports.services import report_latest
from reports.services import report_latest_in_other_languages
from ta_portal.ics import calendar_response
from ta_portal.pages import create_and_edit_views
from ta_portal.pages import criteria
from ta_portal.pages import fetch_for_editing
from ta_portal.pages import list_page
from ta_portal.pagination import paginate
from ta_portal.params import int_param
from ta_portal.params import text_param

from . import access
from . import report as assessment_report
from . import selectors
from . import services
from .forms import AssessmentFilterForm
from .forms import AssessmentForm
from .forms import AttendanceForm
from .forms import FindingForm
from .forms import InstrumentForm
from .forms import MeetingForm
from .forms import NewAttendeeForm
from .forms import RecommendationForm
from .forms import ReportRequestForm
from .forms import RoundtableForm
from .forms import ScoresForm
from .forms import StatusForm
from .invitations import roundtable_invitation
from .models import Assessment
from .models import EvidenceMeeting
from .models import Finding
from .models import Framework
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable


def _require_read_somewhere(user) -> None:
    if not access.can_read_assessments(user):
        raise PermissionDenied


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where the form has the field)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _form_page(request, form, *, save, success, template, context, redirect_to=None):
    """A page whose valid POST is written by ``save(form)`` (a service call): a refusal shows on the
    form, success goes to ``redirect_to`` or else to what ``save`` returned."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(redirect_to or saved)
    return render(request, template, {"form": form, **context})


def _editable_assessment(request, pk: int) -> Assessment:
    return fetch_for_editing(request, selectors.assessment_get_for_user, Assessment.objects, pk)


def _refuse_if_final(request, assessment: Assessment):
    """A final assessment is read-only: back to its page with the reason (nothing is saved)."""
    if assessment.is_final:
        messages.error(request, services.AssessmentFinalError().messages[0])
        return redirect(assessment)
    return None


# Assessments


@login_required
def assessment_list(request):
    _require_read_somewhere(request.user)
    return list_page(
        request,
        "assessments/assessment_list.html",
        filters=AssessmentFilterForm(request.GET or None, countries=countries_visible_to(request.user)),
        rows=lambda values: selectors.assessment_list_for_user(
            user=request.user, **criteria(values, "country", "status", "engagement", search="q")
        ),
        can_create=Assessment.objects.creatable_by(request.user),
    )


@login_required
def assessment_detail(request, pk: int):
    assessment = selectors.assessment_get_for_user(user=request.user, pk=pk)
    comparison = selectors.comparison_for(assessment)
    language = get_language()
    latest_report = report_latest(owner=assessment, kind=assessment_report.KIND, language=language)
    current_fingerprint = assessment_report.assessment_report_fingerprint(assessment, language)
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "can_edit": access.can_edit_assessment(request.user, assessment),
            "comparison": comparison,
            "radar": selectors.radar_for(comparison),
            "meetings": selectors.meetings_of(assessment),
            "instruments": selectors.instruments_of(assessment),
            "findings": selectors.findings_with_recommendations(assessment),
            "agencies": assessment.agencies.all(),
            "lead_assessors": assessment.lead_assessors.all(),
            "status_changes": assessment.status_changes.select_related("changed_by"),
            "status_form": StatusForm(initial={"status": assessment.status}),
            "next_statuses": [Assessment.Status(s) for s in services.TRANSITIONS[assessment.status]],
            "roundtables": assessment.roundtables.all(),
            "report": latest_report,
            "report_is_current": latest_report is not None and latest_report.fingerprint == current_fingerprint,
            # A PDF requested in another language is downloaded from here too.
            "other_reports": report_latest_in_other_languages(
                owner=assessment, kind=assessment_report.KIND, language=language
            ),
            "report_form": ReportRequestForm(),
        },
    )


def _assessment_form(request, assessment: Assessment | None):
    if assessment is not None and (refused := _refuse_if_final(request, assessment)):
        return refused
    initial = {}
    if assessment is None and int_param(request.GET.get("engagement")) is not None:
        initial["engagement"] = int_param(request.GET.get("engagement"))
    form = AssessmentForm(request.POST or None, instance=assessment, user=request.user, initial=initial)
    return _form_page(
        request,
        form,
        save=lambda form: services.assessment_save(
            assessment=form.save(commit=False),
            by=request.user,
            agencies=form.cleaned_data["agencies"],
            lead_assessors=form.cleaned_data["lead_assessors"],
        ),
        success=_("The assessment was saved."),
        template="assessments/assessment_form.html",
        context={"assessment": assessment},
    )


assessment_create, assessment_edit = create_and_edit_views(
    Assessment, _assessment_form, fetch=selectors.assessment_get_for_user
)


@login_required
@require_POST
def assessment_status(request, pk: int):
    assessment = _editable_assessment(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(assessment)
    try:
        services.assessment_set_status(
            assessment=assessment,
            to_status=form.cleaned_data["status"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The assessment is now “%(status)s”.") % {"status": assessment.get_status_display()}
        )
        if assessment.status == Assessment.Status.IN_REVIEW and (missing := services.dimensions_unscored(assessment)):
            messages.warning(
                request,
                ngettext(
                    "%(n)s dimension is not scored yet: %(names)s. The assessment cannot be final until it is.",
                    "%(n)s dimensions are not scored yet: %(names)s. The assessment cannot be final until they are.",
                    len(missing),
                )
                % {"n": len(missing), "names": ", ".join(str(d) for d in missing)},
            )
    return redirect(assessment)


@login_required
def assessment_scores(request, pk: int):
    assessment = _editable_assessment(request, pk)
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    dimensions = list(assessment.framework.dimensions.all())
    scores = {score.dimension_id: score for score in assessment.scores.all()}
    form = ScoresForm(request.POST or None, dimensions=dimensions, scores=scores)
    return _form_page(
        request,
        form,
        save=lambda form: services.scores_replace(assessment=assessment, entries=form.entries(), by=request.user),
        success=_("The scores were saved."),
        template="assessments/scores_form.html",
        context={"assessment": assessment},
        redirect_to=reverse("assessments:detail", args=[assessment.pk]) + "#maturity",
    )


# Evidence, findings and recommendations: one pattern for each kind of part.


def _part_page(request, *, assessment, form, save, title, cancel_url, success):
    return _form_page(
        request,
        form,
        save=save,
        success=success,
        template="assessments/part_form.html",
        context={"assessment": assessment, "title": title, "cancel_url": cancel_url},
        redirect_to=cancel_url,
    )


def _part_for_edit(request, model, pk: int):
    part = get_visible_or_404(model.objects.all(), request.user, pk=pk)
    require_editable(model.objects, request.user, part)
    return part


@login_required
def meeting_form(request, pk: int | None = None, assessment_pk: int | None = None):
    meeting = _part_for_edit(request, EvidenceMeeting, pk) if pk else None
    assessment = meeting.assessment if meeting else _editable_assessment(request, assessment_pk)
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    form = MeetingForm(
        request.POST or None, instance=meeting or EvidenceMeeting(assessment=assessment), assessment=assessment
    )

    def save(form):
        services.meeting_save(meeting=form.save(commit=False), people=form.cleaned_data["people"], by=request.user)

    return _part_page(
        request,
        assessment=assessment,
        form=form,
        save=save,
        title=_("Edit meeting or interview") if meeting else _("New meeting or interview"),
        cancel_url=reverse("assessments:detail", args=[assessment.pk]) + "#evidence",
        success=_("The meeting was saved."),
    )


@login_required
def instrument_form(request, pk: int | None = None, assessment_pk: int | None = None):
    instrument = _part_for_edit(request, LegalInstrument, pk) if pk else None
    assessment = instrument.assessment if instrument else _editable_assessment(request, assessment_pk)
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    form = InstrumentForm(
        request.POST or None, instance=instrument or LegalInstrument(assessment=assessment), assessment=assessment
    )
    return _part_page(
        request,
        assessment=assessment,
        form=form,
        save=lambda form: services.instrument_save(instrument=form.save(commit=False), by=request.user),
        title=_("Edit legal instrument") if instrument else _("New legal instrument"),
        cancel_url=reverse("assessments:detail", args=[assessment.pk]) + "#evidence",
        success=_("The legal instrument was saved."),
    )


@login_required
def finding_form(request, pk: int | None = None, assessment_pk: int | None = None):
    finding = _part_for_edit(request, Finding, pk) if pk else None
    assessment = finding.assessment if finding else _editable_assessment(request, assessment_pk)
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    initial = {}
    if finding is None and request.GET.get("dimension"):
        code = text_param(request.GET["dimension"])
        initial["dimension"] = assessment.framework.dimensions.filter(code=code).first()
    form = FindingForm(
        request.POST or None,
        instance=finding or Finding(assessment=assessment),
        assessment=assessment,
        initial=initial,
    )

    def save(form):
        services.finding_save(
            finding=form.save(commit=False),
            agencies=form.cleaned_data["agencies"],
            substances=form.cleaned_data["substances"],
            by=request.user,
        )

    return _part_page(
        request,
        assessment=assessment,
        form=form,
        save=save,
        title=_("Edit finding") if finding else _("New finding"),
        cancel_url=reverse("assessments:detail", args=[assessment.pk]) + "#findings",
        success=_("The finding was saved."),
    )


@login_required
def recommendation_form(request, pk: int | None = None, finding_pk: int | None = None):
    recommendation = _part_for_edit(request, Recommendation, pk) if pk else None
    finding = recommendation.finding if recommendation else _part_for_edit(request, Finding, finding_pk)
    assessment = finding.assessment
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    form = RecommendationForm(
        request.POST or None, instance=recommendation or Recommendation(finding=finding), finding=finding
    )
    return _part_page(
        request,
        assessment=assessment,
        form=form,
        save=lambda form: services.recommendation_save(recommendation=form.save(commit=False), by=request.user),
        title=_("Edit recommendation") if recommendation else _("New recommendation"),
        cancel_url=reverse("assessments:detail", args=[assessment.pk]) + "#findings",
        success=_("The recommendation was saved."),
    )


PART_MODELS = {
    "meeting": (EvidenceMeeting, "#evidence"),
    "instrument": (LegalInstrument, "#evidence"),
    "finding": (Finding, "#findings"),
    "recommendation": (Recommendation, "#findings"),
}


@login_required
def part_delete(request, kind: str, pk: int):
    model, anchor = PART_MODELS[kind]
    part = _part_for_edit(request, model, pk)
    assessment = part.finding.assessment if isinstance(part, Recommendation) else part.assessment
    back = reverse("assessments:detail", args=[assessment.pk]) + anchor
    refused = _refuse_if_final(request, assessment)
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.assessment_part_delete(part=part, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Deleted."))
        return redirect(back)
    return render(
        request,
        "assessments/part_confirm_delete.html",
        {"assessment": assessment, "part": part, "kind": model._meta.verbose_name, "cancel_url": back},
    )


@login_required
@require_POST
def assessment_report_request(request, pk: int):
    """Queue the PDF report (anyone who may read the assessment may have it rendered)."""
    assessment = selectors.assessment_get_for_user(user=request.user, pk=pk)
    form = ReportRequestForm(request.POST)
    language = (form.cleaned_data.get("language") if form.is_valid() else "") or get_language()
    report = services.assessment_report_request(assessment=assessment, language=language, by=request.user)
    if report.is_ready:
        messages.success(request, _("The report is ready: the data has not changed since it was made."))
    else:
        messages.info(request, _("The report is being prepared; this page shows when it is ready."))
    return redirect(reverse("assessments:detail", args=[assessment.pk]) + "#report")


# Frameworks


@login_required
def framework_list(request):
    frameworks = Framework.objects.prefetch_related("dimensions").order_by("name", "-version")
    return render(request, "assessments/framework_list.html", {"frameworks": frameworks})


@login_required
def framework_detail(request, pk: int):
    framework = get_object_or_404(Framework.objects.prefetch_related("dimensions"), pk=pk)
    return render(request, "assessments/framework_detail.html", {"framework": framework})


# Roundtables


@login_required
def roundtable_list(request):
    _require_read_somewhere(request.user)
    roundtables = selectors.roundtable_list_for_user(
        user=request.user, engagement=int_param(request.GET.get("engagement"))
    )
    return render(
        request,
        "assessments/roundtable_list.html",
        {
            "page": paginate(request, roundtables),
            "can_create": Roundtable.objects.creatable_by(request.user),
        },
    )


def _measures_entry_url(roundtable: Roundtable) -> str | None:
    """The follow-up app's form for the measures agreed at a roundtable, once that app has it."""
    try:
        return reverse("followups:roundtable_measures", args=[roundtable.pk])
    except NoReverseMatch:
        return None


@login_required
def roundtable_detail(request, pk: int):
    roundtable = selectors.roundtable_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "assessments/roundtable_detail.html",
        {
            "roundtable": roundtable,
            "can_edit": access.can_edit_roundtable(request.user, roundtable),
            "attendance": selectors.attendance_of(roundtable),
            "agencies": roundtable.agencies.all(),
            "measures": selectors.agreed_measures(roundtable),
            "measures_installed": hasattr(Roundtable, "measures"),
            "measures_entry_url": _measures_entry_url(roundtable),
            "assessment_visible": access.can_read_assessment(request.user, roundtable.assessment_id),
        },
    )


def _roundtable_form(request, roundtable: Roundtable | None):
    initial = {}
    if roundtable is None:
        for key in ("engagement", "assessment"):
            if int_param(request.GET.get(key)) is not None:
                initial[key] = int_param(request.GET.get(key))
        if "assessment" in initial and "engagement" not in initial:
            found = Assessment.objects.editable_by(request.user).filter(pk=initial["assessment"]).first()
            if found:
                initial["engagement"] = found.engagement_id
    form = RoundtableForm(request.POST or None, instance=roundtable, user=request.user, initial=initial)
    return _form_page(
        request,
        form,
        save=lambda form: services.roundtable_save(
            roundtable=form.save(commit=False), agencies=form.cleaned_data["agencies"], by=request.user
        ),
        success=_("The roundtable was saved."),
        template="assessments/roundtable_form.html",
        context={"roundtable": roundtable},
    )


roundtable_create, roundtable_edit = create_and_edit_views(
    Roundtable, _roundtable_form, fetch=selectors.roundtable_get_for_user
)


@login_required
def roundtable_attendance(request, pk: int):
    """Record attendance, invite people from the register, and add new people on the spot."""
    roundtable = selectors.roundtable_get_for_user(user=request.user, pk=pk)
    require_editable(Roundtable.objects, request.user, roundtable)
    rows = selectors.attendance_of(roundtable)
    adding_new = request.method == "POST" and "add_new" in request.POST
    form = AttendanceForm(
        request.POST if request.method == "POST" and not adding_new else None, roundtable=roundtable, rows=rows
    )
    new_form = NewAttendeeForm(request.POST if adding_new else None, roundtable=roundtable)
    if adding_new and new_form.is_valid():
        person = services.roundtable_add_new_person(
            roundtable=roundtable,
            person=new_form.save(commit=False),
            attended=new_form.cleaned_data["attended"],
            by=request.user,
        )
        messages.success(request, _("%(name)s was added to the register and to the attendees.") % {"name": person})
        return redirect("assessments:roundtable_attendance", pk=roundtable.pk)
    if request.method == "POST" and not adding_new and form.is_valid():
        try:
            services.roundtable_set_attendance(
                roundtable=roundtable,
                attended=form.attended(),
                add=form.cleaned_data["invite"],
                remove=form.removed(),
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The attendance was saved."))
            return redirect("assessments:roundtable_attendance", pk=roundtable.pk)
    return render(
        request,
        "assessments/roundtable_attendance.html",
        {"roundtable": roundtable, "form": form, "new_form": new_form},
    )


@login_required
def roundtable_invitation_ics(request, pk: int):
    roundtable = selectors.roundtable_get_for_user(user=request.user, pk=pk)
    content = roundtable_invitation(roundtable, organizer=request.user)
    return calendar_response(content, filename=f"roundtable-{roundtable.pk}.ics")
