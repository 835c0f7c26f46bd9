"""Money pages: a programme's budgets and transactions, for the managers who reach it (404 for
anyone else, so a programme's money does not leak), and whether its IATI file is public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.scoping import scope_for
from ta_portal.pagination import paginate

from . import selectors
from . import services
from .forms import BudgetForm
from .forms import IatiPublicationForm
from .forms import TransactionForm
from .models import MONEY_ROW_ROLES
from .models import Budget
from .models import IatiPublication
from .models import Transaction


@login_required
def budget_list(request, code: str):
    programme = selectors.programme_get_for_money(user=request.user, code=code)
    lines = {
        line.pk: line
        for line in selectors.budget_lines(scope=scope_for(request.user, MONEY_ROW_ROLES), programme=programme)
    }
    budgets = selectors.budget_list_for_user(user=request.user, programme=programme).order_by("-period_start", "pk")
    editable = set(
        selectors.budget_list_for_user(user=request.user, programme=programme)
        .editable_by(request.user)
        .values_list("pk", flat=True)
    )
    page = paginate(request, budgets)
    rows = [(budget, lines.get(budget.pk), budget.pk in editable) for budget in page]
    return render(request, "finance/budget_list.html", {"programme": programme, "page": page, "rows": rows})


@login_required
def transaction_list(request, code: str):
    programme = selectors.programme_get_for_money(user=request.user, code=code)
    records = selectors.transaction_list_for_user(user=request.user, programme=programme)
    editable = set(records.editable_by(request.user).values_list("pk", flat=True))
    page = paginate(request, records)
    rows = [(record, record.pk in editable) for record in page]
    return render(request, "finance/transaction_list.html", {"programme": programme, "page": page, "rows": rows})


def _edit(request, *, programme, form_class, instance, save, template: str, back: str):
    form = form_class(request.POST or None, instance=instance, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            save(fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(back, code=programme.code)
    return render(
        request, template, {"programme": programme, "form": form, "object": instance if instance.pk else None}
    )


@login_required
def budget_create(request, code: str):
    programme = selectors.programme_get_for_money(user=request.user, code=code)
    return _edit(
        request,
        programme=programme,
        form_class=BudgetForm,
        instance=Budget(programme=programme),
        save=lambda fields: services.budget_save(by=request.user, programme=programme, **fields),
        template="finance/budget_form.html",
        back="finance:budgets",
    )


@login_required
def budget_edit(request, pk: int):
    budget = selectors.budget_get_for_user(user=request.user, pk=pk, editing=True)
    return _edit(
        request,
        programme=budget.programme,
        form_class=BudgetForm,
        instance=budget,
        save=lambda fields: services.budget_save(by=request.user, budget=budget, **fields),
        template="finance/budget_form.html",
        back="finance:budgets",
    )


@login_required
def transaction_create(request, code: str):
    programme = selectors.programme_get_for_money(user=request.user, code=code)
    return _edit(
        request,
        programme=programme,
        form_class=TransactionForm,
        instance=Transaction(programme=programme),
        save=lambda fields: services.transaction_save(by=request.user, programme=programme, **fields),
        template="finance/transaction_form.html",
        back="finance:transactions",
    )


@login_required
def transaction_edit(request, pk: int):
    record = selectors.transaction_get_for_user(user=request.user, pk=pk, editing=True)
    return _edit(
        request,
        programme=record.programme,
        form_class=TransactionForm,
        instance=record,
        save=lambda fields: services.transaction_save(by=request.user, record=record, **fields),
        template="finance/transaction_form.html",
        back="finance:transactions",
    )


@login_required
def iati_publication(request, code: str):
    """Whether the programme's IATI file is public: decided by those who manage every country."""
    programme = selectors.programme_get_for_money(user=request.user, code=code)
    if not scope_for(request.user, MONEY_ROW_ROLES).everywhere:
        raise Http404
    instance = IatiPublication.objects.filter(programme=programme).first() or IatiPublication(programme=programme)
    form = IatiPublicationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.iati_publication_set(programme=programme, public=form.cleaned_data["public"])
        messages.success(request, _("Saved."))
        return redirect("finance:iati", code=programme.code)
    return render(
        request, "finance/iati_publication.html", {"programme": programme, "form": form, "public": instance.public}
    )
