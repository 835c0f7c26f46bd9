"""In Debian's Chromium: a trainer fills a session's score grid with the keyboard only, watches the
statistics follow what they type, is stopped by a score above the maximum, and saves with Ctrl+S."""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.models import Enrolment
from trainings.models import ScoreChange

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session():
    # Transactional tests start from an empty database: put the reference countries back.
    load_countries(Country)
    trainer = make_user("trainer", "PE", username="tomas", first_name="Tomás", last_name="Formador")
    agency = AgencyFactory(country_id="PE", acronym="SUNAT")
    session = SessionFactory(
        engagement=EngagementFactory(country_id="PE"), trainers=[trainer], title="Risk profiling, Lima"
    )
    for name, sex in (("Ana Quispe", "female"), ("Bruno Salas", "male"), ("Carla Rojas", "female")):
        EnrolmentFactory(session=session, person=PersonFactory(full_name=name, sex=sex, agency=agency))
    return session


def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{element_id} never got the focus")


def figure(page: Page, key: str):
    return page.locator(f'#grid-figures [data-figure="{key}"]')


def test_a_trainer_enters_scores_with_the_keyboard_and_sees_the_statistics_update(page: Page, live_server, session):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Every request of the page succeeds (the browser's own favicon probe aside).
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    ana, bruno, carla = Enrolment.objects.filter(session=session).order_by("person__full_name")

    # given the trainer signed in, on the empty grid of their session
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("tomas")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.goto(f"{live_server.url}/trainings/sessions/{session.pk}/scores/")
    expect(figure(page, "n_paired")).to_have_text("0")

    # when they tab into the first pre score and type down the pre column (Enter moves down)
    tab_to(page, f"pre_score-{ana.pk}")
    expect(page.get_by_role("textbox", name="Ana Quispe Pre score")).to_be_focused()
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    page.keyboard.type("30")
    # then up the post column: Tab to it, ArrowUp climbs
    page.keyboard.press("Tab")
    expect(page.locator(f"#post_score-{carla.pk}")).to_be_focused()
    page.keyboard.type("45")
    page.keyboard.press("ArrowUp")
    page.keyboard.type("40")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("60")  # above the maximum of 50

    # then the statistics follow the draft, and the bad cell is flagged
    expect(page.locator("#draft-badge")).to_be_visible()
    expect(figure(page, "n_paired")).to_have_text("2")
    expect(figure(page, "pre_mean_pct")).to_have_text("55.0 %")  # Bruno 25 and Carla 30 of 50
    expect(figure(page, "post_mean_pct")).to_have_text("85.0 %")
    ana_post = page.locator(f"#post_score-{ana.pk}")
    expect(ana_post).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#err-post_score-{ana.pk}")).to_have_text("The score is above the maximum of 50.")

    # when they correct it
    page.keyboard.press("Control+a")
    page.keyboard.type("38,5")
    expect(figure(page, "n_paired")).to_have_text("3")
    expect(figure(page, "mean_gain_pct")).to_have_text("+32.3")  # (37 + 30 + 30) / 3
    expect(ana_post).not_to_have_attribute("aria-invalid", "true")

    # and save everything with Ctrl+S
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status")).to_contain_text("Scores saved: 6 changes recorded.")
    expect(figure(page, "n_paired")).to_have_text("3")
    expect(page.locator("#draft-badge")).to_be_hidden()

    # then the scores are stored with their author, and the grid is accessible
    assert sorted(Enrolment.objects.values_list("pre_score", "post_score")) == [(20, 38.5), (25, 40), (30, 45)]
    assert set(ScoreChange.objects.values_list("changed_by__username", "source").distinct()) == {("tomas", "grid")}
    assert_accessible(page)
    assert errors == []
