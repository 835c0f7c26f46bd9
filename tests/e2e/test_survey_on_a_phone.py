"""In Debian's Chromium on a phone-sized screen: a participant opens the personal link e-mailed to them
(taken from the real SMTP server), answers the survey in their language, and the link then refuses a
second answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements.models import Country
from engagements.reference_data import load_countries
from surveys import services
from surveys.models import Answer
from surveys.models import Purpose
from surveys.models import SurveyResponse
from tests.mailserver import body_of
from tests.surveys.factories import question
from tests.surveys.factories import session_with_people

pytestmark = [pytest.mark.e2e, pytest.mark.clock_sensitive, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def e_mailed_link(live_server, smtp, settings):
    """The survey of a Spanish session that ended yesterday, and the link its participant was e-mailed."""
    load_countries(Country)
    settings.SITE_URL = live_server.url
    today = timezone.localdate()
    session = session_with_people(1, start_date=today - timedelta(days=2), end_date=today - timedelta(days=1))
    session.title = "Perfilado de riesgo de envíos químicos"
    session.language = "es"
    session.save()
    services.survey_create(session=session, purpose=Purpose.REACTION, opens_on=today, anonymous=True, by=None)
    (message,) = smtp.messages
    return next(line.strip() for line in body_of(message).splitlines() if "/surveys/answer/" in line)


def test_a_participant_answers_on_a_phone_through_the_e_mailed_link_once(browser, e_mailed_link):
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        # given: the link opens the survey in Spanish (the participant's language), fitting the screen
        page.goto(e_mailed_link)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", level=1)).to_have_text("Perfilado de riesgo de envíos químicos")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        satisfaction = page.get_by_role("group", name="En general, estoy satisfecho/a con esta capacitación.")
        expect(satisfaction).to_be_visible()
        # when: they send without the required answer, what they typed stays
        page.get_by_label("Comentarios y sugerencias").fill("Más ejercicios prácticos.")
        page.get_by_role("group", name="El contenido es pertinente para mi trabajo.").get_by_label(
            "4 · De acuerdo"
        ).check()
        page.get_by_role("button", name="Enviar mis respuestas").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        expect(page.get_by_label("Comentarios y sugerencias")).to_have_value("Más ejercicios prácticos.")
        expect(
            page.get_by_role("group", name="El contenido es pertinente para mi trabajo.").get_by_label("4 · De acuerdo")
        ).to_be_checked()
        assert not SurveyResponse.objects.exists()
        # and then answer it with the keyboard, and send
        option = satisfaction.get_by_label("5 · Totalmente de acuerdo")
        option.focus()
        page.keyboard.press("Space")
        expect(option).to_be_checked()
        page.get_by_role("group", name="¿Recomendaría esta capacitación a un colega?").get_by_label("Sí").tap()
        page.get_by_role("button", name="Enviar mis respuestas").click()
        # then: thanked, and the answers are recorded, once
        expect(page.get_by_role("heading", level=1)).to_have_text("Gracias")
        assert SurveyResponse.objects.count() == 1
        assert sorted(Answer.objects.exclude(likert=None).values_list("question__code", "likert")) == [
            ("relevance", 4),
            ("satisfaction", 5),
        ]
        assert Answer.objects.get(question=question("comments")).text == "Más ejercicios prácticos."
        # when: the link is opened again
        page.goto(e_mailed_link)
        # then: it is refused, clearly
        expect(page.get_by_role("heading", level=1)).to_have_text("Ya respondió")
        expect(page.get_by_role("button", name="Enviar mis respuestas")).to_have_count(0)
        assert SurveyResponse.objects.count() == 1
    finally:
        context.close()
