"""Keyboard alone: signing in, switching language and entering scores; focus always visible; the
score-entry grid announces each cell by participant and column, in the reader's language."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.demo import DEMO_PASSWORD
from trainings.models import TrainingSession

pytestmark = pytest.mark.e2e


@pytest.fixture
def page_in(demo_site, browser):
    """A new browser page for a role, in a language (the user's preference), closed afterwards."""
    contexts = []

    def open_page(role: str, language: str = "en") -> Page:
        demo_site.prefer(role, language)
        context = browser.new_context(base_url=demo_site.url, locale=language)
        if cookie := demo_site.session_cookie(role):
            context.add_cookies([cookie])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName, id: el.id, name: el.getAttribute('name'), text: (el.innerText || el.value || '').trim(),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    shadow: style.boxShadow !== 'none'};
        }"""
    )


def test_a_person_signs_in_with_the_keyboard_alone(page_in):
    page = page_in("anonymous")
    page.goto("/accounts/login/")
    # Tab from the top of the page until the username field has the focus, as a keyboard user would.
    for _ in range(30):
        page.keyboard.press("Tab")
        if _focused(page)["name"] == "username":
            break
    assert _focused(page)["name"] == "username"
    page.keyboard.type("viewer")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    # the home page greets them by name (in whichever language the user last chose)
    expect(page.get_by_role("main")).to_contain_text("Victoria")


def test_the_language_switcher_works_with_the_keyboard(page_in):
    page = page_in("viewer")
    page.goto("/")
    page.locator("#language-switcher").focus()
    # A select changes its value with the arrow keys; the button next to it applies the choice.
    page.keyboard.press("ArrowDown")  # English → Spanish (the order of LANGUAGES)
    page.keyboard.press("Tab")
    assert _focused(page)["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    # the form posts, the portal redirects back, and the page comes again in Spanish
    expect(page.locator("html")).to_have_attribute("lang", "es")


@pytest.mark.parametrize("address", ["/", "/engagements/", "/engagements/new/", "/trainings/"])
def test_the_keyboard_focus_is_always_visible(page_in, address):
    page = page_in("manager")
    page.goto(address)
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BODY":
            break
        seen.append(focused)
    assert len(seen) >= 5
    hidden = [f"{f['tag']} {f['id'] or f['name'] or f['text'][:30]}" for f in seen if not (f["outline"] or f["shadow"])]
    assert not hidden, f"focus not visible on {address}: {hidden}"


@pytest.mark.parametrize(
    ("language", "pre", "post", "live"),
    [("en", "Pre score", "Post score", "polite"), ("es", "Puntuación previa", "Puntuación posterior", "polite")],
)
def test_the_score_grid_announces_each_cell_by_participant_and_column(page_in, language, pre, post, live):
    session = TrainingSession.objects.filter(trainers__username="trainer").order_by("pk").first()
    enrolment = session.enrolments.select_related("person").order_by("person__full_name").first()
    name = enrolment.person.full_name
    page = page_in("trainer", language)
    page.goto(f"/trainings/sessions/{session.pk}/scores/")

    # each score input is named by its row's participant and its column, as a screen reader reads it
    cell = page.get_by_role("textbox", name=f"{name} {pre}", exact=True)
    expect(cell).to_have_count(1)
    expect(page.get_by_role("textbox", name=f"{name} {post}", exact=True)).to_have_count(1)
    expect(page.get_by_role("table")).to_have_accessible_description(re.compile(r".+"))
    # the live statistics are announced politely as they change
    assert page.locator("[aria-live]").first.get_attribute("aria-live") == live

    # Enter moves down the same column; a bad value is described by its error message
    cell.focus()
    cell.fill("999")
    page.keyboard.press("Enter")
    assert _focused(page)["id"].startswith("pre_score-") and _focused(page)["id"] != cell.get_attribute("id")
    expect(cell).to_have_attribute("aria-invalid", "true", timeout=10_000)
    expect(cell).to_have_accessible_description(re.compile(r"\S"))
