"""The surveys pages (thin: reads in ``selectors``, writes in ``services``), and the public answer page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404
from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Programme
from ta_portal.pages import run_action
from ta_portal.pagination import paginate
from ta_portal.params import text_param
from trainings.models import Course
from trainings.models import TrainingSession
from trainings.selectors import SMALLEST_SHOWN_GROUP
from trainings.selectors import session_get_for_user

from . import access
from . import charts
from . import selectors
from . import services
from .forms import AnswerForm
from .forms import PooledFilterForm
from .forms import QuestionForm
from .forms import SurveyCreateForm
from .forms import TemplateForm
from .models import Purpose
from .models import SurveyQuestion
from .models import SurveyTemplate
from .tokens import LinkError
from .tokens import invitation_for


def _require_surveys(user) -> None:
    if not access.can_see_surveys(user):
        raise PermissionDenied


def _require_catalogue_editor(user) -> None:
    if not access.can_edit_survey_catalogue(user):
        raise PermissionDenied


# ---- Surveys of the sessions -------------------------------------------------------------------------


@login_required
def survey_list(request):
    _require_surveys(request.user)
    purpose = text_param(request.GET.get("purpose"))
    if purpose not in Purpose.values:
        purpose = ""
    page = paginate(request, selectors.survey_list_for_user(user=request.user, purpose=purpose))
    return render(
        request,
        "surveys/survey_list.html",
        {
            "page": page,
            "purpose": purpose,
            "purposes": Purpose.choices,
            "can_edit_catalogue": access.can_edit_survey_catalogue(request.user),
        },
    )


@login_required
def survey_detail(request, pk: int):
    survey = selectors.survey_get_for_user(user=request.user, pk=pk)
    results = selectors.survey_results(survey, request.user)
    runs = access.can_run_surveys(request.user, survey.session)
    context = {
        "survey": survey,
        "session": survey.session,
        "results": charts.add_charts(results),
        "can_run": runs,
        "smallest_group": SMALLEST_SHOWN_GROUP,
    }
    if runs and not survey.anonymous:
        context["invitations"] = survey.invitations.select_related("enrolment__person").order_by(
            "enrolment__person__full_name", "pk"
        )
    return render(request, "surveys/survey_detail.html", context)


@login_required
def survey_create(request, session_pk: int):
    session = session_get_for_user(user=request.user, pk=session_pk)
    if not access.can_run_surveys(request.user, session):
        raise PermissionDenied
    today = timezone.localdate()
    taken = set(session.surveys.values_list("purpose", flat=True))
    initial = {
        "purpose": Purpose.APPLICATION if Purpose.REACTION in taken else Purpose.REACTION,
        "opens_on": max(session.end_date, today) if Purpose.REACTION not in taken else today,
    }
    form = SurveyCreateForm(request.POST or None, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                session=session,
                purpose=form.cleaned_data["purpose"],
                template=form.cleaned_data["template"],
                anonymous=form.cleaned_data["anonymous"],
                opens_on=form.cleaned_data["opens_on"],
                by=request.user,
                today=today,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The survey was created; the participants are invited once it opens."))
            return redirect(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "session": session})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def pooled_results(request):
    _require_surveys(request.user)
    user = request.user
    visible = TrainingSession.objects.visible_to(user)
    readable = scope_for(user, EVERY_ROLE)
    filters = PooledFilterForm(
        request.GET or None,
        courses=Course.objects.visible_to(user),
        countries=Country.objects.filter(readable.q("code"), training_sessions__isnull=False)
        .distinct()
        .order_by("name"),
        programmes=Programme.objects.filter(pk__in=Engagement.objects.visible_to(user).values("programme_id")).order_by(
            "name"
        ),
    )
    values = filters.cleaned_data if filters.is_valid() else {}
    purpose = values.get("purpose") or Purpose.REACTION
    sessions = visible
    if values.get("course"):
        sessions = sessions.filter(course=values["course"])
    if values.get("country"):
        sessions = sessions.filter(pk__in=TrainingSession.objects.filter(countries=values["country"]).values("pk"))
    if values.get("programme"):
        sessions = sessions.filter(engagement__programme=values["programme"])
    results = selectors.pooled_results(user, sessions, purpose)
    return render(
        request,
        "surveys/pooled_results.html",
        {
            "filters": filters,
            "purpose": purpose,
            "purpose_label": Purpose(purpose).label,
            "results": charts.add_charts(results),
            "smallest_group": SMALLEST_SHOWN_GROUP,
        },
    )


# ---- Question bank and templates ------------------------------------------------------------------------


@login_required
def question_list(request):
    _require_surveys(request.user)
    return render(
        request,
        "surveys/question_list.html",
        {
            "questions": selectors.questions_for_user(request.user),
            "can_edit": access.can_edit_survey_catalogue(request.user),
        },
    )


def _question_page(request, question: SurveyQuestion | None):
    _require_catalogue_editor(request.user)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                question=form.save(commit=False),
                by=request.user,
                original_kind=form.original_kind,
                original_options=form.original_options,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("surveys:question_list")
    return render(request, "surveys/question_form.html", {"form": form, "question": question})


@login_required
def question_create(request):
    return _question_page(request, None)


@login_required
def question_edit(request, pk: int):
    _require_catalogue_editor(request.user)
    return _question_page(request, get_visible_or_404(SurveyQuestion.objects, request.user, pk=pk))


@login_required
def template_list(request):
    _require_surveys(request.user)
    return render(
        request,
        "surveys/template_list.html",
        {
            "templates": selectors.templates_for_user(request.user),
            "can_edit": access.can_edit_survey_catalogue(request.user),
        },
    )


def _template_page(request, template: SurveyTemplate | None):
    _require_catalogue_editor(request.user)
    locked = bool(template and services.template_in_use(template))
    questions = list(SurveyQuestion.objects.filter(is_active=True).order_by("code"))
    if template is not None:  # a question no longer offered stays listed where it is used
        used = SurveyQuestion.objects.filter(pk__in=template.items.values("question_id")).exclude(is_active=True)
        questions += list(used)
    form = TemplateForm(request.POST or None, instance=template, questions=questions, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.template_save(
                template=form.save(commit=False), by=request.user, questions=form.chosen_questions()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The template was saved."))
            return redirect(saved)
    return render(request, "surveys/template_form.html", {"form": form, "template": template, "locked": locked})


@login_required
def template_create(request):
    return _template_page(request, None)


@login_required
def template_edit(request, pk: int):
    _require_catalogue_editor(request.user)
    return _template_page(request, get_visible_or_404(SurveyTemplate.objects, request.user, pk=pk))


@login_required
@require_POST
def template_copy(request, pk: int):
    _require_catalogue_editor(request.user)
    template = get_visible_or_404(SurveyTemplate.objects, request.user, pk=pk)
    copies = []
    if run_action(
        request,
        lambda: copies.append(services.template_copy(template=template, by=request.user)),
        _("The template was copied: change the copy's questions and name."),
    ):
        return redirect(copies[0])
    return redirect(template)


# ---- The public answer page --------------------------------------------------------------------------------

# Why a link cannot be used, as the page says it, with its HTTP status.
REFUSALS = {
    "invalid": (400, "invalid"),
    "gone": (410, "gone"),
    "closed": (410, "closed"),
    "not_open": (409, "not_open"),
    "answered": (409, "answered"),
}


def _page_language(request) -> str:
    """The participant's language, which the e-mailed link names (``?lang=``); without it (a link
    copied without it, or after choosing with the switcher), the language the request asks for."""
    given = text_param(request.GET.get("lang"))
    return given if given in dict(settings.LANGUAGES) else translation.get_language()


def _unusable(invitation, today) -> str | None:
    """Why the invitation's link cannot be used today, if it cannot."""
    survey = invitation.survey
    if invitation.answered:
        return "answered"
    if today > survey.closes_on:
        return "closed"
    if today < survey.opens_on:
        return "not_open"
    return None


@never_cache
def answer(request, token: str):
    """A participant's survey, reached through their personal link: no account, no sign-in."""
    language = _page_language(request)
    try:
        invitation = invitation_for(token)
    except LinkError as exc:
        return _refusal(request, exc.reason, language=language)
    survey = invitation.survey
    context = {"survey": survey, "session": survey.session}
    today = timezone.localdate()
    reason = _unusable(invitation, today)
    if reason == "answered" and request.method == "GET" and request.GET.get("done"):
        return _page(request, "surveys/answer_done.html", context, language=language)
    if reason is not None:
        return _refusal(request, reason, language=language, survey=survey)
    with translation.override(language):
        form = AnswerForm(request.POST or None, questions=survey.template.ordered_questions())
        if request.method == "POST" and form.is_valid():
            try:
                services.response_submit(invitation=invitation, answers=form.answers(), today=today)
            except (services.AlreadyAnsweredError, services.ClosedError) as exc:
                reason = "answered" if isinstance(exc, services.AlreadyAnsweredError) else "closed"
                return _refusal(request, reason, language=language, survey=survey)
            # To a page that thanks, so that reloading it sends nothing again.
            return redirect(f"{request.path}?{urlencode({'lang': language, 'done': '1'})}")
    status = 400 if request.method == "POST" else 200
    return _page(request, "surveys/answer.html", {**context, "form": form, "items": form.items()}, language, status)


def _page(request, template: str, context: dict, language: str, status: int = 200):
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def _refusal(request, reason: str, *, language: str, survey=None):
    status, name = REFUSALS[reason]
    context = {"reason": name, "survey": survey, "session": survey.session if survey else None}
    return _page(request, "surveys/answer_refused.html", context, language, status)
