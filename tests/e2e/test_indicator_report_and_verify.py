"""In Debian's Chromium: a counterpart reports an indicator value with its breakdown by sex and a
link to the evidence; the manager verifies it and sees it count. The pages of the results framework
pass axe."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.models import Programme
from engagements.reference_data import load_countries
from followups.models import UpdateState
from outcomes.models import Indicator
from outcomes.models import IndicatorPeriod
from outcomes.models import IndicatorValue
from outcomes.models import ProgrammeObjective
from tests.e2e.axe import assert_accessible
from tests.e2e.test_outcomes_dashboards import sign_in
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def indicator():
    load_countries(Country)
    programme = Programme.objects.create(name="Precursor control", code="precursors")
    EngagementFactory(country_id="PE", programme=programme, title="Peru")
    objective = ProgrammeObjective.objects.create(programme=programme, code="O2", title="Control is stronger")
    indicator = Indicator.objects.create(
        objective=objective, code="2.1", name="Inspectors certified", source="reported", disaggregations=["sex"]
    )
    IndicatorPeriod.objects.create(
        indicator=indicator,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        target=Decimal(20),
        targets_by={"sex": {"female": "10", "male": "10"}},
    )
    make_user("counterpart", "PE", username="rosa")
    make_user("manager", "PE", username="maria")
    return indicator


def test_a_counterpart_reports_a_value_and_the_manager_verifies_it(page: Page, live_server, indicator):
    base = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # given: the counterpart opens the indicator
    sign_in(page, base, "rosa")
    page.goto(f"{base}/outcomes/indicators/{indicator.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("2.1 Inspectors certified")
    assert_accessible(page)
    # when: they report 9 inspectors (4 women, 5 men) with a link to the certificates
    form = page.locator("form", has=page.get_by_role("button", name="Report the value"))
    form.get_by_label("Period").select_option(label="2025-01-01 – 2025-12-31")
    form.get_by_label("Country").select_option("PE")
    form.locator("#id_value").fill("9")
    form.get_by_label("Value – Sex: Female").fill("4")
    form.get_by_label("Value – Sex: Male").fill("5")
    form.get_by_label("Evidence link").fill("https://example.org/certificates")
    form.get_by_role("button", name="Report the value").click()
    # then: it waits for verification and does not count yet
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text("a manager will verify it")
    values = page.get_by_role("table", name="Reported values")
    expect(values).to_contain_text("Awaiting verification")
    periods = page.get_by_role("table", name="2.1 Inspectors certified: target and actual per period")
    expect(periods.get_by_role("row", name="2025")).to_contain_text("No data yet")

    # when: the manager verifies it
    page.context.clear_cookies()
    sign_in(page, base, "maria")
    page.goto(f"{base}/outcomes/indicators/{indicator.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Verify").click()
    # then: it is verified and counts, by sex too
    expect(page.get_by_role("table", name="Reported values")).to_contain_text("Verified")
    periods = page.get_by_role("table", name="2.1 Inspectors certified: target and actual per period")
    expect(periods.get_by_role("row", name="2025")).to_contain_text("9")
    by_sex = page.get_by_role("table", name="2.1 by sex")
    expect(by_sex.get_by_role("row", name="Female")).to_contain_text("4")
    assert IndicatorValue.objects.get().state == UpdateState.ACCEPTED
    # and the manager's pages of the framework pass axe too
    for address in (
        f"/outcomes/programmes/{indicator.objective.programme.code}/framework/",
        f"/outcomes/indicators/{indicator.pk}/edit/",
        f"/outcomes/indicators/{indicator.pk}/periods/new/",
        f"/outcomes/indicator-periods/{indicator.periods.get().pk}/edit/",
        f"/outcomes/objectives/{indicator.objective_id}/edit/",
        f"/outcomes/objectives/{indicator.objective_id}/indicators/new/",
        f"/outcomes/objectives/{indicator.objective_id}/narrative/2025/",
        f"/outcomes/programmes/{indicator.objective.programme.code}/objectives/new/",
    ):
        page.goto(base + address)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    assert errors == []
