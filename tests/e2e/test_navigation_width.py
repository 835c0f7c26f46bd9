"""In Debian's Chromium at 1366 × 768 (the commonest laptop screen): for the role that sees the most of
it, in every language, the navigation overflows neither the page nor its bar, its links keep to one
line, and that line leaves room for more sections; the tools (search, language, notifications,
account) keep to one row of their own, on the right, below it."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from engagements.models import Country
from engagements.reference_data import load_countries
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Room kept free in the bar for a search box and a notification count.
ROOM_FOR_MORE = 280

MEASURE = """() => {
    const bar = document.querySelector("nav.navbar .container-fluid");
    const primary = document.querySelector("#main-nav > ul.me-auto");
    const links = [...primary.querySelectorAll(":scope > li > .nav-link")];
    const brand = document.querySelector("nav.navbar .navbar-brand");
    return {
        pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        barOverflow: bar.scrollWidth - bar.clientWidth,
        rows: new Set(links.map((el) => Math.round(el.getBoundingClientRect().top))).size,
        // what the sections' row leaves free: the primary list spans the row, its items do not
        free: bar.clientWidth - (Math.max(...[...primary.querySelectorAll(":scope > li")].map(
            (el) => el.getBoundingClientRect().right)) - brand.getBoundingClientRect().left),
        labels: [...primary.querySelectorAll(":scope > li > .nav-link")].map((el) => el.textContent.trim()),
        tools: [...document.querySelectorAll("#main-nav > :not(ul.me-auto)")].map((el) => {
            const box = el.getBoundingClientRect();
            return {top: Math.round(box.top), bottom: Math.round(box.bottom), right: Math.round(box.right)};
        }),
        linksBottom: Math.max(...links.map((el) => el.getBoundingClientRect().bottom)),
        barRight: bar.getBoundingClientRect().right,
    };
}"""


@pytest.mark.parametrize("language", ["en", "es", "pt", "fr"])
def test_the_navigation_fits_a_1366_pixel_screen(browser: Browser, live_server, language):
    load_countries(Country)
    # An administrator with a long name sees every entry of the navigation.
    user = make_user("admin", username="administradora.regional", language=language)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/engagements/")
        assert page.locator("html").get_attribute("lang") == language
        found = page.evaluate(MEASURE)
    finally:
        context.close()
    assert found["pageOverflow"] <= 0 and found["barOverflow"] <= 0, found
    assert found["rows"] == 1, found
    assert found["free"] >= ROOM_FOR_MORE, found
    tools = found["tools"]
    assert len(tools) == 3, found  # the search box, the language switcher, notifications and account
    tops = [tool["top"] for tool in tools]
    assert max(tops) - min(tops) < 12, found  # one row
    assert min(tool["top"] for tool in tools) >= found["linksBottom"] - 4, found
    assert found["barRight"] - max(tool["right"] for tool in tools) < 24, found
