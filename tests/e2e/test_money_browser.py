"""In Debian's Chromium: a manager records a programme's budget and what was spent against it, sees
spent against budget move, and a bad amount is refused with its reason and nothing saved. The money
pages pass axe."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.models import Programme
from engagements.reference_data import load_countries
from finance.models import Budget
from finance.models import Transaction
from tests.e2e.axe import assert_accessible
from tests.e2e.test_outcomes_dashboards import sign_in
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    load_countries(Country)
    programme = Programme.objects.create(name="Precursor control", code="precursors")
    EngagementFactory(country_id="PE", programme=programme, title="Peru precursors")
    make_user("manager", "PE", username="maria")
    return programme


def test_a_manager_records_a_budget_and_spending_and_sees_spent_against_budget(page: Page, live_server, programme):
    base = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, "maria")
    # given: the programme's budgets, none yet
    page.goto(f"{base}/money/programmes/{programme.code}/budgets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Budgets of Precursor control")
    expect(page.get_by_role("table", name="Budgets")).to_contain_text("No budgets yet.")
    assert_accessible(page)
    # when: the manager adds Peru's budget for 2025
    page.get_by_role("link", name="New budget").click()
    assert_accessible(page)
    page.get_by_label("Engagement").select_option(label="Peru precursors (PE)")
    page.get_by_label("Period start").fill("2025-01-01")
    page.get_by_label("Period end").fill("2025-12-31")
    page.get_by_label("Amount").fill("1000.50")
    page.get_by_label("Currency").fill("usd")
    page.get_by_role("button", name="Save").click()
    # then: listed, nothing spent yet
    budgets = page.get_by_role("table", name="Budgets")
    row = budgets.get_by_role("row").filter(has_text="Peru precursors")
    expect(row).to_contain_text("1,000.50 USD")
    expect(row).to_contain_text("0.00 USD")

    # when: an expenditure is entered with a negative amount
    page.goto(f"{base}/money/programmes/{programme.code}/transactions/new/")
    assert_accessible(page)
    page.get_by_label("Engagement").select_option(label="Peru precursors (PE)")
    page.get_by_label("Kind").select_option("expenditure")
    page.locator("#id_date").fill("2025-03-14")
    page.get_by_label("Amount").fill("-250.25")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Description").fill("Workshop venue in Lima")
    page.get_by_role("button", name="Save").click()
    # then: refused with the reason, what was typed still there, nothing saved
    expect(page.locator(".invalid-feedback").first).to_contain_text("greater than zero")
    expect(page.get_by_label("Description")).to_have_value("Workshop venue in Lima")
    assert not Transaction.objects.exists()
    assert_accessible(page)
    # when: corrected
    page.get_by_label("Amount").fill("250.25")
    page.get_by_role("button", name="Save").click()
    # then: listed, and a quarter of the budget is spent
    expect(page.get_by_role("table", name="Transactions")).to_contain_text("Workshop venue in Lima")
    assert_accessible(page)
    page.goto(f"{base}/money/programmes/{programme.code}/budgets/")
    row = page.get_by_role("table", name="Budgets").get_by_role("row").filter(has_text="Peru precursors")
    expect(row).to_contain_text("250.25 USD")
    expect(row).to_contain_text("25.0 %")
    budget = Budget.objects.get()
    assert (budget.amount, budget.currency) == (Decimal("1000.50"), "USD")
    assert Transaction.objects.get().amount == Decimal("250.25")
    assert errors == []
