"""axe-core, in Chromium, in English and Spanish, on pages the crawl does not reach in these states: the
controlled substances, the engagement form with its focal-points filter, the "More" menu opened,
and the opening of a round with nobody to tell."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from engagements.models import ControlledSubstance
from engagements.models import Country
from engagements.reference_data import load_countries
from engagements.reference_data import load_substances
from engagements.reference_data import load_translations
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_new_and_changed_pages_pass_axe(browser: Browser, live_server, language):
    load_countries(Country)
    load_substances(ControlledSubstance)
    load_translations(Country, ControlledSubstance)
    PersonFactory(full_name="Rosa Quispe", agency=AgencyFactory(country_id="PE", acronym="DEVIDA"))
    engagement = EngagementFactory(country_id="PE", phase="follow_up")
    client = Client()
    client.force_login(make_user("admin", username="ada", language=language))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    axe = Axe()
    problems = []
    try:
        for path in ("/substances/", "/engagements/new/", f"/followups/engagements/{engagement.pk}/rounds/new/"):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            if path == "/substances/":
                page.locator("#nav-more").click()
            violations = axe.run(page).response["violations"]
            problems += [
                f"{path} {v['id']} ({v['impact']}): {v['help']}"
                for v in violations
                if v["impact"] in {"serious", "critical"}
            ]
    finally:
        context.close()
    assert problems == []
