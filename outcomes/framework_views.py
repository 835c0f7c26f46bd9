"""Pages of the results framework: managers edit objectives, indicators, periods with their
targets and the annual narratives; counterparts and managers report indicator values; managers
verify them. Thin: rules live in the models and services, figures in ``indicators``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Engagement
from followups.models import EVIDENCE_ROLES
from followups.models import UpdateState
from ta_portal.pages import run_action
from ta_portal.uploads import stored_file_response

from . import selectors
from . import services
from .access import can_download_value_evidence
from .access import can_edit_framework
from .access import can_report_value
from .access import can_verify_value
from .facts import outcome_scope
from .forms import IndicatorForm
from .forms import IndicatorPeriodForm
from .forms import IndicatorValueForm
from .forms import NarrativeForm
from .forms import ObjectiveForm
from .forms import ReviewForm
from .indicator_display import indicator_blocks
from .models import Indicator
from .models import IndicatorPeriod
from .models import ObjectiveNarrative
from .models import ProgrammeObjective


def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the fields it names that the form has, above it otherwise."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error)


def _form_page(request, template: str, form, *, save, success: str, then, **context):
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(then(saved))
    return render(request, template, {"form": form, **context})


def _require_editor(user, programme) -> None:
    if not can_edit_framework(user, programme):
        raise PermissionDenied


def _programme_countries(programme, user) -> list[Country]:
    scope = outcome_scope(user)
    codes = Engagement.objects.filter(scope.q("country"), programme=programme).values("country_id")
    return list(Country.objects.filter(pk__in=codes).order_by("name"))


# ---- The framework page ------------------------------------------------------------------------------


@login_required
def framework(request, code: str):
    """A programme's objectives and indicators, with targets against actuals per period."""
    programme = selectors.programme_get_for_user(user=request.user, code=code)
    scope = outcome_scope(request.user)
    objectives = list(ProgrammeObjective.objects.filter(programme=programme))
    blocks = indicator_blocks(
        selectors.programme_indicators(programme), scope=scope, today=timezone.localdate(), charts=False
    )
    by_objective = {objective.pk: [] for objective in objectives}
    for block in blocks:
        by_objective[block.indicator.objective_id].append(block)
    return render(
        request,
        "outcomes/framework.html",
        {
            "programme": programme,
            "objectives": [(objective, by_objective[objective.pk]) for objective in objectives],
            "can_edit": can_edit_framework(request.user, programme),
            "year": timezone.localdate().year,
        },
    )


# ---- Objectives, narratives -----------------------------------------------------------------------------


def _objective_form(request, programme, objective: ProgrammeObjective):
    _require_editor(request.user, programme)
    form = ObjectiveForm(*_posted(request), instance=objective)
    return _form_page(
        request,
        "outcomes/framework_form.html",
        form,
        save=lambda f: services.objective_save(objective=f.save(commit=False), by=request.user),
        success=_("The objective was saved."),
        then=lambda saved: reverse("outcomes:framework", args=[programme.code]),
        heading=_("Objective of %(programme)s") % {"programme": programme},
        cancel_url=reverse("outcomes:framework", args=[programme.code]),
    )


@login_required
def objective_create(request, code: str):
    programme = selectors.programme_get_for_user(user=request.user, code=code)
    return _objective_form(request, programme, ProgrammeObjective(programme=programme))


@login_required
def objective_edit(request, pk: int):
    objective = selectors.objective_get_for_user(user=request.user, pk=pk)
    return _objective_form(request, objective.programme, objective)


@login_required
def narrative_edit(request, pk: int, year: int):
    objective = selectors.objective_get_for_user(user=request.user, pk=pk)
    _require_editor(request.user, objective.programme)
    if not 1990 <= year <= 2100:
        raise Http404
    narrative = ObjectiveNarrative.objects.filter(objective=objective, year=year).first() or ObjectiveNarrative(
        objective=objective, year=year
    )
    form = NarrativeForm(*_posted(request), instance=narrative)
    return _form_page(
        request,
        "outcomes/framework_form.html",
        form,
        save=lambda f: services.narrative_save(narrative=f.save(commit=False), by=request.user),
        success=_("The narrative was saved."),
        then=lambda saved: reverse("outcomes:framework", args=[objective.programme.code]),
        heading=_("%(objective)s: narrative of %(year)s") % {"objective": objective, "year": year},
        intro=_(
            "Write in any of the portal's languages: the annual report shows the reader's language "
            "when it is given, otherwise the language it was written in."
        ),
        cancel_url=reverse("outcomes:framework", args=[objective.programme.code]),
    )


# ---- Indicators and periods -----------------------------------------------------------------------------


def _indicator_form(request, objective: ProgrammeObjective, indicator: Indicator):
    _require_editor(request.user, objective.programme)
    form = IndicatorForm(*_posted(request), instance=indicator)
    return _form_page(
        request,
        "outcomes/framework_form.html",
        form,
        save=lambda f: services.indicator_save(indicator=f.save(commit=False), by=request.user),
        success=_("The indicator was saved."),
        then=lambda saved: reverse("outcomes:indicator", args=[saved.pk]),
        heading=_("Indicator of %(objective)s") % {"objective": objective},
        cancel_url=reverse("outcomes:framework", args=[objective.programme.code]),
    )


@login_required
def indicator_create(request, pk: int):
    objective = selectors.objective_get_for_user(user=request.user, pk=pk)
    return _indicator_form(request, objective, Indicator(objective=objective))


@login_required
def indicator_edit(request, pk: int):
    indicator = selectors.indicator_get_for_user(user=request.user, pk=pk)
    return _indicator_form(request, indicator.objective, indicator)


def _period_form(request, indicator: Indicator, period: IndicatorPeriod):
    programme = indicator.objective.programme
    _require_editor(request.user, programme)
    form = IndicatorPeriodForm(
        *_posted(request),
        instance=period,
        indicator=indicator,
        countries=_programme_countries(programme, request.user),
    )
    return _form_page(
        request,
        "outcomes/framework_form.html",
        form,
        save=lambda f: services.indicator_period_save(period=f.save(commit=False), by=request.user),
        success=_("The period and its targets were saved."),
        then=lambda saved: reverse("outcomes:indicator", args=[indicator.pk]),
        heading=_("Period and targets of %(indicator)s") % {"indicator": indicator},
        cancel_url=reverse("outcomes:indicator", args=[indicator.pk]),
    )


@login_required
def period_create(request, pk: int):
    indicator = selectors.indicator_get_for_user(user=request.user, pk=pk)
    return _period_form(request, indicator, IndicatorPeriod(indicator=indicator))


@login_required
def period_edit(request, pk: int):
    period = selectors.indicator_period_get_for_user(user=request.user, pk=pk)
    return _period_form(request, period.indicator, period)


# ---- An indicator: its periods, its values, reporting and verification --------------------------------------


def _reporting_countries(indicator: Indicator, user):
    """The programme's countries the user may report for."""
    countries = _programme_countries(indicator.objective.programme, user)
    return Country.objects.filter(pk__in=[c.pk for c in countries if can_report_value(user, c.pk)]).order_by("name")


@login_required
def indicator_detail(request, pk: int):
    indicator = selectors.indicator_get_for_user(user=request.user, pk=pk)
    programme = indicator.objective.programme
    countries = _reporting_countries(indicator, request.user)
    may_report = not indicator.is_computed and countries.exists()
    form = IndicatorValueForm(*_posted(request), indicator=indicator, countries=countries) if may_report else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                value = services.indicator_value_report(
                    indicator=indicator,
                    period=data["period"],
                    country=data["country"],
                    value=data["value"],
                    by_values=form.breakdown(),
                    comment=data["comment"],
                    evidence_link=data["evidence_link"],
                    upload=data["evidence_file"],
                    by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The value was recorded and verified.")
                    if value.state == UpdateState.ACCEPTED
                    else _("The value was reported; a manager will verify it."),
                )
                return redirect("outcomes:indicator", indicator.pk)
    (block,) = indicator_blocks([indicator], scope=outcome_scope(request.user), today=timezone.localdate())
    values = selectors.indicator_values_for_user(user=request.user).filter(indicator=indicator)
    evidence_scope = scope_for(request.user, EVIDENCE_ROLES)
    return render(
        request,
        "outcomes/indicator_detail.html",
        {
            "indicator": indicator,
            "programme": programme,
            "indicator_block": block,
            "periods": indicator.periods.all(),
            "values": values,
            "form": form,
            "review_form": ReviewForm(),
            "can_edit": can_edit_framework(request.user, programme),
            "verifiable": {v.pk for v in values if v.is_pending and can_verify_value(request.user, v.country_id)},
            "evidence_visible": {v.pk for v in values if evidence_scope.allows(v.country_id)},
        },
    )


@login_required
@require_POST
def value_review(request, pk: int):
    value = selectors.indicator_value_get_for_user(user=request.user, pk=pk)
    if not can_verify_value(request.user, value.country_id):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    run_action(
        request,
        lambda: services.indicator_value_review(
            value=value, by=request.user, accept=accept, comment=form.cleaned_data.get("comment", "")
        ),
        _("The value was verified.") if accept else _("The value was returned with your comment."),
    )
    return redirect("outcomes:indicator", value.indicator_id)


@login_required
def value_evidence(request, pk: int):
    """A value's evidence file, for those who see the country's evidence (404 for anyone else)."""
    value = selectors.indicator_value_get_for_user(user=request.user, pk=pk)
    if not can_download_value_evidence(request.user, value):
        raise Http404
    return stored_file_response(
        value.evidence_file, filename=value.evidence_name or "evidence", content_type=value.evidence_content_type
    )
