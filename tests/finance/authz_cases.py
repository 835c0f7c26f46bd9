"""Authorization cases of money: the budget and transaction pages and API, and the IATI file.

Rows are for managers and administrators of their countries: the own country's answer 200, the
other country's 404 (their existence does not leak); trainers, counterparts and viewers never see
rows (404 for a page of a programme they do not manage, 403 for API lists). Programme-wide rows are
changed only by those who manage every country (403 for a country's manager).
"""

from django.urls import reverse

from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped

from .factories import with_money
from .factories import with_programme

MANAGERS = {"admin": same(200), "manager": scoped(200)} | {
    role: same(404) for role in ("trainer", "counterpart", "viewer")
}
MANAGERS_POST = {"admin": same(302), "manager": scoped(302)} | {
    role: same(404) for role in ("trainer", "counterpart", "viewer")
}
GLOBAL_ONLY = {"admin": same(200)} | {role: same(404) for role in ("manager", "trainer", "counterpart", "viewer")}
API_LIST = {"admin": same(200), "manager": same(200)} | {
    role: same(403) for role in ("trainer", "counterpart", "viewer")
}
API_ROW = {"admin": same(200), "manager": scoped(200)} | {
    role: same(404) for role in ("trainer", "counterpart", "viewer")
}
API_PROGRAMME_ROW_WRITE = {"admin": same(200), "manager": scoped(403)} | {
    role: same(404) for role in ("trainer", "counterpart", "viewer")
}
API_CREATE = {"admin": same(201), "manager": (201, 400)} | {
    role: same(403) for role in ("trainer", "counterpart", "viewer")
}


def _programme_url(name: str):
    return lambda w, s: reverse(name, args=[obj(w, s, "programme").code])


def _row_url(name: str, row: str):
    return lambda w, s: reverse(name, args=[obj(w, s, row).pk])


def _budget_form(w, s):
    return {
        "engagement": obj(w, s, "engagement").pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "amount": "500.00",
        "currency": "EUR",
        "status": "indicative",
    }


def _transaction_form(w, s):
    return {
        "engagement": obj(w, s, "engagement").pk,
        "kind": "disbursement",
        "date": "2026-02-03",
        "amount": "120.50",
        "currency": "USD",
        "description": "Interpretation",
    }


def _api_budget(w, s):
    return {**_budget_form(w, s), "programme": obj(w, s, "programme").code}


def _api_transaction(w, s):
    return {**_transaction_form(w, s), "programme": obj(w, s, "programme").code}


def _case(name, route, method, url, expected, **kwargs):
    kwargs.setdefault("setup", with_money)
    return Case(name, route, method, url, expected, **kwargs)


CASES = [
    _case("budget list page", "finance:budgets", "GET", _programme_url("finance:budgets"), MANAGERS),
    _case("new budget page", "finance:budget_create", "GET", _programme_url("finance:budget_create"), MANAGERS),
    _case(
        "new budget",
        "finance:budget_create",
        "POST",
        _programme_url("finance:budget_create"),
        MANAGERS_POST,
        data=_budget_form,
    ),
    _case("budget edit page", "finance:budget_edit", "GET", _row_url("finance:budget_edit", "budget"), MANAGERS),
    _case(
        "budget edit",
        "finance:budget_edit",
        "POST",
        _row_url("finance:budget_edit", "budget"),
        MANAGERS_POST,
        data=_budget_form,
    ),
    _case("transaction list page", "finance:transactions", "GET", _programme_url("finance:transactions"), MANAGERS),
    _case(
        "new transaction page",
        "finance:transaction_create",
        "GET",
        _programme_url("finance:transaction_create"),
        MANAGERS,
    ),
    _case(
        "new transaction",
        "finance:transaction_create",
        "POST",
        _programme_url("finance:transaction_create"),
        MANAGERS_POST,
        data=_transaction_form,
    ),
    _case(
        "transaction edit page",
        "finance:transaction_edit",
        "GET",
        _row_url("finance:transaction_edit", "transaction"),
        MANAGERS,
    ),
    _case(
        "transaction edit",
        "finance:transaction_edit",
        "POST",
        _row_url("finance:transaction_edit", "transaction"),
        MANAGERS_POST,
        data=_transaction_form,
    ),
    _case("IATI publication page", "finance:iati", "GET", _programme_url("finance:iati"), GLOBAL_ONLY),
    # API
    _case("budget list (API)", "budget-list", "GET", lambda w, s: reverse("budget-list"), API_LIST, api=True),
    _case("budget (API)", "budget-detail", "GET", _row_url("budget-detail", "budget"), API_ROW, api=True),
    _case(
        "budget change (API)",
        "budget-detail",
        "PATCH",
        _row_url("budget-detail", "budget"),
        API_ROW,
        data=lambda w, s: {"amount": "1500.00"},
        api=True,
    ),
    _case(
        "programme-wide budget change (API)",
        "budget-detail",
        "PATCH",
        _row_url("budget-detail", "programme_budget"),
        API_PROGRAMME_ROW_WRITE,
        data=lambda w, s: {"amount": "1500.00"},
        api=True,
    ),
    _case(
        "new budget (API)",
        "budget-list",
        "POST",
        lambda w, s: reverse("budget-list"),
        API_CREATE,
        data=_api_budget,
        api=True,
    ),
    _case(
        "transaction list (API)",
        "transaction-list",
        "GET",
        lambda w, s: reverse("transaction-list"),
        API_LIST,
        api=True,
    ),
    _case(
        "transaction (API)",
        "transaction-detail",
        "GET",
        _row_url("transaction-detail", "transaction"),
        API_ROW,
        api=True,
    ),
    _case(
        "transaction change (API)",
        "transaction-detail",
        "PATCH",
        _row_url("transaction-detail", "transaction"),
        API_ROW,
        data=lambda w, s: {"description": "Venue and catering"},
        api=True,
    ),
    _case(
        "new transaction (API)",
        "transaction-list",
        "POST",
        lambda w, s: reverse("transaction-list"),
        API_CREATE,
        data=_api_transaction,
        api=True,
    ),
    _case(
        "IATI activity file (API)",
        "iati-activities",
        "GET",
        lambda w, s: reverse("iati-activities") + "?programme=" + obj(w, s, "programme").code,
        API_ROW,
        api=True,
        setup=with_programme,
    ),
]

# The published IATI file is public by the programme's choice (tests/finance/test_iati.py).
NOT_COUNTRY_DATA = {"outcomes:iati_public"}
