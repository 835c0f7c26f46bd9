"""Budgets and transactions: the rules every writer keeps, who sees what, and the figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.scoping import EVERYWHERE
from accounts.scoping import scope_for
from finance import services
from finance.models import MONEY_ROW_ROLES
from finance.models import Budget
from finance.models import Transaction
from finance.selectors import budget_lines
from finance.selectors import money_total_scope
from outcomes import money
from outcomes import selectors as outcome_selectors
from ta_portal import datacache
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory

from .factories import budget
from .factories import transaction
from .factories import with_money
from .factories import with_programme

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Bad input: clear errors, nothing saved ------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"amount": Decimal("0.00")}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "dollars"}, "currency"),
        ({"period_end": date(2024, 12, 31)}, "period_end"),
    ],
)
def test_a_budget_that_breaks_a_rule_is_refused_and_nothing_is_saved(world, fields, field):
    with_programme(world)
    values = {
        "programme": world.programme,
        "engagement": world.engagement,
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "amount": Decimal("10.00"),
        "currency": "USD",
        "status": "committed",
        **fields,
    }
    with pytest.raises(ValidationError) as raised:
        services.budget_save(by=world.users["manager"], **values)
    assert field in raised.value.message_dict
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"currency": "ABC"}, "currency"),
        ({"period_start": "2026-12-31", "period_end": "2026-01-01"}, "period_end"),
    ],
)
def test_the_api_answers_bad_budgets_with_field_errors(world, body, field):
    with_programme(world)
    data = {
        "programme": world.programme.code,
        "engagement": world.engagement.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "amount": "100.00",
        "currency": "USD",
        "status": "committed",
        **body,
    }
    response = _api(world.users["manager"]).post(reverse("budget-list"), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Budget.objects.exists()


def test_the_form_shows_the_rule_and_saves_nothing(world, client):
    with_programme(world)
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("finance:transaction_create", args=[world.programme.code]),
        {
            "engagement": world.engagement.pk,
            "kind": "expenditure",
            "date": "2025-05-05",
            "amount": "-3",
            "currency": "usd",
            "description": "x",
        },
    )
    assert response.status_code == 200
    assert "The amount must be greater than zero." in response.content.decode()
    assert not Transaction.objects.exists()


def test_a_transaction_pays_for_one_activity_and_travel_needs_a_session_or_event(world):
    with_programme(world)
    session = SessionFactory(engagement=world.engagement)
    base = {
        "programme": world.programme,
        "engagement": world.engagement,
        "kind": "expenditure",
        "date": date(2025, 5, 5),
        "amount": Decimal("10.00"),
        "currency": "USD",
        "description": "Travel",
    }
    with pytest.raises(ValidationError) as raised:
        services.transaction_save(by=world.users["manager"], participant=world.person, **base)
    assert "participant" in raised.value.message_dict
    saved = services.transaction_save(by=world.users["manager"], participant=world.person, session=session, **base)
    assert saved.participant == world.person


def test_only_managers_of_every_country_record_programme_wide_money(world):
    with_programme(world)
    fields = {
        "programme": world.programme,
        "engagement": None,
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "amount": Decimal("10.00"),
        "currency": "EUR",
        "status": "indicative",
    }
    with pytest.raises(ValidationError) as raised:
        services.budget_save(by=world.users["manager"], **fields)
    assert "engagement" in raised.value.message_dict
    assert services.budget_save(by=world.users["global_manager"], **fields).pk


def test_currency_codes_are_taken_in_any_case(world):
    with_programme(world)
    response = _api(world.users["manager"]).post(
        reverse("transaction-list"),
        {
            "programme": world.programme.code,
            "engagement": world.engagement.pk,
            "kind": "commitment",
            "date": "2025-02-01",
            "amount": "99.99",
            "currency": "eur",
            "description": "Grant",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "EUR"
    assert response.json()["amount"] == "99.99"  # a decimal string, never a float


# --- Who sees money -------------------------------------------------------------------------------


def test_each_role_sees_the_rows_of_its_own_countries_only(world):
    with_money(world)
    manager_rows = set(Budget.objects.visible_to(world.users["manager"]))
    assert manager_rows == {world.budget, world.programme_budget}
    assert set(Budget.objects.visible_to(world.users["admin"])) == set(Budget.objects.all())
    for role in ("trainer", "counterpart", "viewer"):
        assert not Budget.objects.visible_to(world.users[role]).exists()
        assert not Transaction.objects.visible_to(world.users[role]).exists()


def test_viewers_read_totals_of_their_countries_but_trainers_and_counterparts_none(world):
    with_money(world)
    assert money_total_scope(world.users["viewer"]).countries == {world.own}
    assert money_total_scope(world.users["trainer"]).empty
    assert money_total_scope(world.users["counterpart"]).empty


def test_the_dashboard_shows_money_to_managers_and_viewers_only(world, client):
    with_money(world)
    url = reverse("outcomes:programme", args=[world.programme.code]) + "?year=2025"
    for role, shown in (("manager", True), ("viewer", True), ("trainer", False), ("counterpart", False)):
        client.force_login(world.users[role])
        page = client.get(url).content.decode()
        assert ('id="money-heading"' in page) is shown, role
        assert (reverse("finance:budgets", args=[world.programme.code]) in page) is (role == "manager"), role


def test_the_api_lists_only_rows_in_scope(world):
    with_money(world)
    rows = _api(world.users["manager"]).get(reverse("budget-list")).json()["results"]
    assert {row["id"] for row in rows} == {world.budget.pk, world.programme_budget.pk}
    rows = _api(world.users["manager"]).get(reverse("transaction-list") + "?programme=other-programme").json()
    assert rows["results"] == []


# --- Figures -----------------------------------------------------------------------------------------


def test_spent_against_budget_counts_disbursements_and_expenditures_of_its_currency_and_period(world):
    # given
    with_programme(world)
    engagement_budget = budget(world.programme, world.engagement, amount=Decimal("1000.00"))
    programme_budget = budget(world.programme, None, amount=Decimal("5000.00"))
    euro_budget = budget(world.programme, None, currency="EUR", amount=Decimal("800.00"))
    rows = [
        (world.engagement, "expenditure", date(2025, 1, 1), "100.10", "USD"),
        (world.engagement, "disbursement", date(2025, 12, 31), "200.20", "USD"),
        (world.engagement, "commitment", date(2025, 6, 1), "999.00", "USD"),  # not spending
        (world.engagement, "expenditure", date(2026, 1, 1), "50.00", "USD"),  # after the period
        (world.engagement, "expenditure", date(2025, 6, 1), "70.00", "EUR"),  # another currency
        (None, "expenditure", date(2025, 6, 1), "300.00", "USD"),
    ]
    for engagement, kind, day, amount, currency in rows:
        transaction(world.programme, engagement, kind=kind, date=day, amount=Decimal(amount), currency=currency)
    # when
    lines = {line.pk: line for line in budget_lines(scope=EVERYWHERE, programme=world.programme)}
    # then: an independent sum of the rows above
    assert lines[engagement_budget.pk].spent == Decimal("300.30")
    assert lines[programme_budget.pk].spent == Decimal("600.30")
    assert lines[euro_budget.pk].spent == Decimal("70.00")
    assert lines[engagement_budget.pk].remaining == Decimal("699.70")


def test_a_viewer_of_one_country_sees_no_spending_of_another(world):
    with_money(world)
    transaction(world.other_programme, world.other_engagement, amount=Decimal("10.00"))
    scope = money_total_scope(world.users["viewer"])
    assert budget_lines(scope=scope, programme=world.other_programme) == []


def test_unit_costs_divide_the_outcome_figures_of_the_year(world):
    # given: a 3-day session with two people, and training spending of 900 USD in 2025
    with_programme(world)
    session = SessionFactory(engagement=world.engagement, start_date=date(2025, 5, 5), end_date=date(2025, 5, 7))
    for _ in range(2):
        EnrolmentFactory(session=session, pre_score=Decimal(10), post_score=Decimal(40))
    transaction(world.programme, world.engagement, amount=Decimal("900.00"), session=session, date=date(2025, 5, 7))
    transaction(world.programme, None, amount=Decimal("100.00"), date=date(2025, 6, 1))
    # when
    dashboard = outcome_selectors.programme_dashboard(
        scope=EVERYWHERE, programme=world.programme, year=2025, today=date(2026, 1, 15)
    )
    summary = money.programme_money(scope=EVERYWHERE, dashboard=dashboard)
    # then
    (costs,) = summary.costs
    assert (costs.people_trained, costs.training_days, costs.measures_implemented) == (2, 3, 0)
    assert costs.spent == Decimal("1000.00")
    assert costs.per_person_trained == Decimal("450.00")
    assert costs.per_training_day == Decimal("300.00")
    assert costs.per_measure_implemented is None


def test_the_manager_pages_list_and_edit_money(world, client):
    with_money(world)
    client.force_login(world.users["manager"])
    page = client.get(reverse("finance:budgets", args=[world.programme.code])).content.decode()
    assert reverse("finance:budget_edit", args=[world.budget.pk]) in page
    assert reverse("finance:budget_edit", args=[world.programme_budget.pk]) not in page  # programme-wide: global only
    response = client.post(
        reverse("finance:budget_edit", args=[world.budget.pk]),
        {
            "engagement": world.engagement.pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "amount": "1234.56",
            "currency": "USD",
            "status": "committed",
        },
    )
    assert response.status_code == 302
    world.budget.refresh_from_db()
    assert world.budget.amount == Decimal("1234.56")
    assert not scope_for(world.users["manager"], MONEY_ROW_ROLES).everywhere


def test_money_pages_and_lists_make_the_same_queries_whatever_the_rows(world, client, django_assert_num_queries):
    # given: one row of each, counted
    with_money(world)
    client.force_login(world.users["manager"])
    api = _api(world.users["manager"])
    urls = [
        (client, reverse("finance:budgets", args=[world.programme.code])),
        (client, reverse("finance:transactions", args=[world.programme.code])),
        (api, reverse("budget-list")),
        (api, reverse("transaction-list")),
        (api, reverse("iati-activities") + f"?programme={world.programme.code}"),
    ]
    for caller, url in urls:
        caller.get(url)  # warms per-process caches (content types)
    counts = {}
    for caller, url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert caller.get(url).status_code == 200
        counts[url] = len(captured)
    # when: ten times more money
    for month in range(1, 11):
        budget(world.programme, world.engagement, period_start=date(2024, month, 1), period_end=date(2024, month, 28))
        transaction(world.programme, world.engagement, date=date(2024, month, 2))
    # then
    for caller, url in urls:
        with django_assert_num_queries(counts[url]):
            assert caller.get(url).status_code == 200


def test_the_cached_dashboard_never_hands_one_roles_money_to_another(world, client, settings, redis_url):
    # given: the figures of the dashboard cached for the own country, as a viewer saw them
    settings.DATA_CACHE_SECONDS = 60
    datacache.bump()
    with_money(world)
    url = reverse("outcomes:programme", args=[world.programme.code]) + "?year=2025"
    client.force_login(world.users["viewer"])
    assert 'id="money-heading"' in client.get(url).content.decode()
    # when: a trainer of the same country opens the same page
    client.force_login(world.users["trainer"])
    page = client.get(url).content.decode()
    # then
    assert 'id="money-heading"' not in page
