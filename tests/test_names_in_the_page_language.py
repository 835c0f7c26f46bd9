"""Reference names follow the page's language: the countries of every country filter, and the
dimensions of an assessment framework on the dashboards."""

import re

import pytest
from django.urls import reverse

from tests.assessments.factories import make_assessment
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)


@pytest.mark.parametrize("page", ["engagements:list", "engagements:agency_list", "assessments:list"])
def test_country_filters_name_the_countries_in_the_page_s_language(client, page):
    EngagementFactory(country_id="PE")
    client.force_login(make_user("manager", "PE", "BR", "DE", language="fr"))
    options = _options(client.get(reverse(page)).content.decode(), "country")
    assert "Pérou" in options and "Peru" not in options


def test_country_filters_are_in_the_alphabetical_order_of_the_language(client):
    client.force_login(make_user("manager", "PE", "BR", "DE", language="es"))
    options = _options(client.get(reverse("engagements:agency_list")).content.decode(), "country")
    assert options == ["Todos los países", "Alemania", "Brasil", "Perú"]


def test_the_country_dashboard_names_the_dimensions_in_the_page_s_language(client):
    make_assessment(country="PE", status="final")
    client.force_login(make_user("viewer", "PE", language="es"))
    html = client.get(reverse("outcomes:country", args=["PE"])).content.decode()
    assert "Marco legal y normativo" in html
    assert "Legal and regulatory framework" not in html
