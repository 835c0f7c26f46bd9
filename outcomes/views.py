"""Outcome pages: the programme and country dashboards, their exports, the annual report request
and the exports of the lists managers use. Thin: selectors compute, presentation lays out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope
from accounts.scoping import scope_for
from engagements.access import can_edit_programme_certificates
from engagements.models import Country
from engagements.models import Engagement
from finance.models import MONEY_ROW_ROLES
from finance.selectors import money_total_scope
from ta_portal import tabular
from ta_portal.exports import export_view

from . import cache
from . import listings
from . import money
from . import presentation
from . import selectors
from . import services
from .facts import outcome_scope
from .forms import CountryFilterForm
from .forms import YearForm
from .indicator_display import indicator_blocks

FORMATS = ("csv", "xlsx")


def _scope_or_403(user):
    scope = outcome_scope(user)
    if scope.empty:
        raise PermissionDenied
    return scope


@login_required
def index(request):
    """Where the dashboards are: the programmes and countries the user reaches."""
    scope = _scope_or_403(request.user)
    programmes = selectors.visible_programmes(request.user).order_by("name")
    countries = Country.objects.filter(
        code__in=Engagement.objects.filter(scope.q("country")).values("country_id")
    ).order_by("name")
    return render(
        request,
        "outcomes/index.html",
        {"programmes": programmes, "countries": countries, "datasets": listings.datasets_for(request.user)},
    )


def _programme_context(request, code: str):
    scope = _scope_or_403(request.user)
    programme = get_object_or_404(selectors.visible_programmes(request.user), code=code)
    today = timezone.localdate()
    years = selectors.programme_years(programme, today)
    form = YearForm(request.GET or None, years=years)
    default = today.year if today.year in years else years[-1]
    year = form.cleaned_data["year"] if form.is_valid() and form.cleaned_data.get("year") else default
    if not form.is_bound:
        form.fields["year"].initial = year
    dashboard = cache.programme_dashboard(scope=scope, programme=programme, year=year, today=today)
    return scope, programme, form, dashboard


@login_required
def programme_dashboard(request, code: str):
    scope, programme, form, dashboard = _programme_context(request, code)
    report = services.annual_report_latest(programme=programme, year=dashboard.year, scope=scope)
    export_query = f"year={dashboard.year}"

    return _dashboard_page(
        request,
        "outcomes/programme_dashboard.html",
        dashboard,
        tables=presentation.programme_tables,
        charts=presentation.programme_charts,
        export_query=export_query,
        fragment_key=cache.key_for("programme-page", (programme.pk, export_query, dashboard.today), scope),
        programme=programme,
        form=form,
        report=report,
        can_configure_certificates=can_edit_programme_certificates(request.user, programme),
        surveys=cache.programme_surveys(scope=scope, programme=programme, dashboard=dashboard),
        indicators=indicator_blocks(selectors.programme_indicators(programme), scope=scope, today=dashboard.today),
        **_money_context(request.user, scope=scope, dashboard=dashboard),
    )


def _money_context(user, *, scope, dashboard) -> dict:
    """The money section: for managers, administrators and viewers, over the countries where they
    hold such a role (the unit costs divide by the outcome figures of those same countries)."""
    money_scope = money_total_scope(user)
    if money_scope.empty:
        return {"money": None}
    if money_scope != scope:
        dashboard = cache.programme_dashboard(
            scope=money_scope, programme=dashboard.programme, year=dashboard.year, today=dashboard.today
        )
    rows_scope = scope_for(user, MONEY_ROW_ROLES)
    return {
        "money": money.programme_money(scope=money_scope, dashboard=dashboard),
        "can_manage_money": not rows_scope.empty,
        "can_publish_iati": rows_scope.everywhere,
    }


def _dashboard_page(request, template: str, dashboard, *, tables, charts, export_query: str, fragment_key, **context):
    """A dashboard page; ``tables`` and ``charts`` lay the dashboard out, only if the page's figures
    are not already rendered in the cache."""
    return render(
        request,
        template,
        {
            "dashboard": dashboard,
            "tables": SimpleLazyObject(lambda: tables(dashboard)),
            "charts": SimpleLazyObject(lambda: charts(dashboard)),
            "export_query": export_query,
            "fragment_key": fragment_key,
            **context,
        },
    )


def _export(tables: dict, fmt: str, request, *, stem: str):
    if fmt not in FORMATS:
        raise Http404
    if fmt == "xlsx":
        return tabular.xlsx_response(list(tables.values()), stem=stem)
    name = request.GET.get("table") or next(iter(tables))
    if name not in tables:
        raise Http404
    return tabular.csv_response(tables[name], stem=f"{stem}-{name}")


@export_view
def programme_export(request, code: str, fmt: str):
    _scope, programme, _form, dashboard = _programme_context(request, code)
    tables = presentation.programme_tables(dashboard)
    return _export(tables, fmt, request, stem=f"{programme.code}-{dashboard.year}")


@login_required
@require_POST
def annual_report_request(request, code: str):
    scope, programme, form, dashboard = _programme_context(request, code)
    year = dashboard.year
    posted = YearForm(request.POST, years=dashboard.years)
    if posted.is_valid() and posted.cleaned_data.get("year"):
        year = posted.cleaned_data["year"]
    report = services.annual_report_request(programme=programme, year=year, scope=scope, by=request.user)
    if report.is_ready:
        messages.success(request, _("The annual progress report is ready to download."))
    else:
        messages.info(request, _("The annual progress report is being prepared; this page shows when it is ready."))
    return redirect(reverse("outcomes:programme", args=[programme.code]) + f"?year={year}#annual-report")


def _country_context(request, code: str):
    scope = _scope_or_403(request.user)
    country = selectors.country_get_for_user(user=request.user, code=code)
    programmes = selectors.visible_programmes(request.user).order_by("name")
    years = selectors.country_years(timezone.localdate())
    form = CountryFilterForm(request.GET or None, programmes=programmes, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    dashboard = cache.country_dashboard(
        scope=scope,
        country=country,
        today=timezone.localdate(),
        year=data.get("year"),
        programme=data.get("programme"),
    )
    return country, form, dashboard


@login_required
def country_dashboard(request, code: str):
    country, form, dashboard = _country_context(request, code)
    query = request.GET.copy()
    query.pop("table", None)
    export_query = query.urlencode()
    return _dashboard_page(
        request,
        "outcomes/country_dashboard.html",
        dashboard,
        tables=presentation.country_tables,
        charts=presentation.country_charts,
        export_query=export_query,
        fragment_key=cache.key_for(
            "country-page",
            (country.pk, export_query, getattr(dashboard.programme, "pk", None), dashboard.today),
            outcome_scope(request.user),
        ),
        country=country,
        form=form,
        indicators=indicator_blocks(
            selectors.country_indicators(country=country, programme=dashboard.programme),
            scope=Scope(everywhere=False, countries=frozenset({country.pk})),
            today=timezone.localdate(),
        ),
    )


@export_view
def country_export(request, code: str, fmt: str):
    country, _form, dashboard = _country_context(request, code)
    stem = f"{country.code}-{dashboard.year}" if dashboard.year else country.code
    return _export(presentation.country_tables(dashboard), fmt, request, stem=f"outcomes-{stem}")


@export_view
def list_export(request, dataset: str, fmt: str):
    """A list a manager works from (engagements, sessions, measures…) with every column, the
    list's own filters and its own visibility rules."""
    if fmt not in FORMATS:
        raise Http404
    try:
        table = listings.build(dataset, user=request.user, params=request.GET)
    except listings.BadFilterError as exc:
        lines = [f"{field}: {' '.join(errors)}" for field, errors in exc.errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    if fmt == "xlsx":
        return tabular.xlsx_response([table], stem=dataset)
    return tabular.csv_response(table, stem=dataset)
