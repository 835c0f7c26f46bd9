"""In Debian's Chromium: the focal-points picker narrows to the chosen country and to what is typed."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(page: Page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def _visible(page: Page) -> list[str]:
    return page.eval_on_selector_all("#id_focal_points option:not([hidden])", "options => options.map(o => o.text)")


def test_the_picker_narrows_to_the_country_and_to_the_words_typed(page: Page, live_server):
    load_countries(Country)
    PersonFactory(full_name="Rosa Quispe", agency=AgencyFactory(country_id="PE", acronym="DEVIDA"))
    PersonFactory(full_name="José Pérez", agency=AgencyFactory(country_id="PE", acronym="SUNAT"))
    PersonFactory(full_name="Camilo Ruiz", agency=AgencyFactory(country_id="CO", acronym="DIAN"))
    signed_in(page, live_server.url, make_user("manager", "PE", "CO"))
    page.goto(f"{live_server.url}/engagements/new/")

    page.get_by_label("Country").select_option("CO")
    assert _visible(page) == ["Camilo Ruiz — DIAN (CO)"]

    page.get_by_label("Country").select_option("PE")
    page.get_by_label("Filter by name or agency").fill("perez sunat")  # without accents, any order
    assert _visible(page) == ["José Pérez — SUNAT (PE)"]
    page.get_by_label("Filter by name or agency").fill("")
    assert _visible(page) == ["José Pérez — SUNAT (PE)", "Rosa Quispe — DEVIDA (PE)"]
    expect(page.get_by_role("listbox", name="Focal points")).to_be_visible()
