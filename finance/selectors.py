"""Reads of money: scoped lists, fetch helpers raising 404, and the sums every money figure starts
from, each one SQL query (the figures themselves are outcomes/money.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.scoping import Scope
from accounts.scoping import scope_for
from engagements.selectors import programmes_reached

from .models import MONEY_ROW_ROLES
from .models import MONEY_TOTAL_ROLES
from .models import Budget
from .models import Transaction
from .models import money_q

ZERO = Decimal("0.00")


def money_total_scope(user) -> Scope:
    """The countries whose money totals the user reads (managers, administrators, viewers)."""
    return scope_for(user, MONEY_TOTAL_ROLES)


def programme_get_for_money(*, user, code: str):
    """The programme if the user manages a country it works in (or every country); 404 otherwise."""
    programme = programmes_reached(scope_for(user, MONEY_ROW_ROLES)).filter(code=code).first()
    if programme is None:
        raise Http404
    return programme


def budget_list_for_user(*, user, programme=None):
    rows = Budget.objects.visible_to(user).select_related("programme", "engagement__country")
    return rows.filter(programme=programme) if programme is not None else rows


def transaction_list_for_user(*, user, programme=None):
    rows = Transaction.objects.visible_to(user).select_related("programme", "engagement__country")
    return rows.filter(programme=programme) if programme is not None else rows


def budget_get_for_user(*, user, pk: int, editing: bool = False) -> Budget:
    """The budget if the user sees it (and may change it, with ``editing``); 404 otherwise."""
    rows = Budget.objects.editable_by(user) if editing else Budget.objects.visible_to(user)
    budget = rows.filter(pk=pk).select_related("programme", "engagement").first()
    if budget is None:
        raise Http404
    return budget


def transaction_get_for_user(*, user, pk: int, editing: bool = False) -> Transaction:
    rows = Transaction.objects.editable_by(user) if editing else Transaction.objects.visible_to(user)
    record = rows.filter(pk=pk).select_related("programme", "engagement").first()
    if record is None:
        raise Http404
    return record


def _spent(scope: Scope, **match) -> Subquery:
    """The spending (disbursements and expenditures) of the budget row's currency and period."""
    rows = (
        Transaction.objects.filter(
            money_q(scope),
            programme=OuterRef("programme"),
            currency=OuterRef("currency"),
            kind__in=Transaction.SPENDING,
            date__gte=OuterRef("period_start"),
            date__lte=OuterRef("period_end"),
            **match,
        )
        .order_by()
        .values("programme")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows), ZERO, output_field=DecimalField())


@dataclass(frozen=True)
class BudgetLine:
    """A budget and what was spent against it: the spending of its currency within its period, of its
    engagement (or of the whole programme, for a programme-wide budget), within the reader's scope."""

    pk: int
    engagement: str  # the engagement's title, empty for the whole programme
    country: str
    period_start: date
    period_end: date
    status: str
    currency: str
    amount: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent

    @property
    def spent_share(self) -> float:
        """Spent as a share (0–1) of the budget (``ta_portal.figures`` shows it as %)."""
        return float(self.spent / self.amount)


def budget_lines(*, scope: Scope, programme, start: date | None = None, end: date | None = None) -> list[BudgetLine]:
    """Spent against budget per period: the scope's budgets of the programme (overlapping
    ``start``–``end`` when given), each with its spending, in one query."""
    rows = Budget.objects.in_scope(scope).filter(programme=programme)
    if start is not None:
        rows = rows.filter(period_end__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    rows = rows.annotate(
        spent_engagement=_spent(scope, engagement=OuterRef("engagement")), spent_programme=_spent(scope)
    ).order_by("period_start", "engagement__country__name", "engagement__title", "currency", "pk")
    fields = ("pk", "engagement_id", "engagement__title", "engagement__country_id", "period_start", "period_end")
    values = rows.values_list(*fields, "status", "currency", "amount", "spent_engagement", "spent_programme")
    return [
        BudgetLine(
            pk=row[0],
            engagement=row[2] or "",
            country=row[3] or "",
            period_start=row[4],
            period_end=row[5],
            status=row[6],
            currency=row[7],
            amount=row[8],
            spent=row[10] if row[1] is None else row[9],
        )
        for row in values
    ]


@dataclass(frozen=True)
class Spending:
    """Disbursements and expenditures of one currency."""

    currency: str
    total: Decimal  # from ``start`` to ``end``
    training: Decimal  # of which paid for training sessions
    to_date: Decimal  # from the first transaction up to ``end``


def spending(*, scope: Scope, programme, start: date, end: date) -> list[Spending]:
    """The programme's spending in the scope, per currency: in ``start``–``end``, and up to ``end``
    (one query)."""
    in_period = Q(date__gte=start)
    sums = (
        Transaction.objects.in_scope(scope)
        .filter(programme=programme, kind__in=Transaction.SPENDING, date__lte=end)
        .order_by("currency")
        .values("currency")
        .annotate(
            total=Coalesce(Sum("amount", filter=in_period), ZERO),
            training=Coalesce(Sum("amount", filter=in_period & Q(session__isnull=False)), ZERO),
            to_date=Sum("amount"),
        )
    )
    return [Spending(row["currency"], row["total"], row["training"], row["to_date"]) for row in sums]
