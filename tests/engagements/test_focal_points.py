"""The focal-points picker: only people of the engagement's country, each with their agency, no name
twice without what tells them apart, and a filter box in the browser."""

import re

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="focal_points".*?</select>', html, re.S).group(0)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


@pytest.fixture
def register(db):
    devida = AgencyFactory(
        country_id="PE", name="Comisión Nacional para el Desarrollo y Vida sin Drogas", acronym="DEVIDA"
    )
    sunat = AgencyFactory(country_id="PE", name="Superintendencia Nacional de Aduanas", acronym="")
    dian = AgencyFactory(country_id="CO", acronym="DIAN")
    return {
        "rosa": PersonFactory(full_name="Rosa Quispe", agency=devida),
        "luis": PersonFactory(full_name="Luis Soto", agency=sunat),
        "camilo": PersonFactory(full_name="Camilo Ruiz", agency=dian),
        # The same name twice in Peru: two people, told apart by their e-mail.
        "ana_1": PersonFactory(full_name="Ana Díaz", agency=devida, email="ana.diaz@devida.gob.pe"),
        "ana_2": PersonFactory(full_name="Ana Díaz", agency=devida, email="adiaz@devida.gob.pe"),
    }


def test_editing_offers_only_the_people_of_the_engagement_s_country_with_their_agency(client, register):
    engagement = EngagementFactory(country_id="PE")
    client.force_login(make_user("admin"))
    options = _options(client.get(reverse("engagements:edit", args=[engagement.pk])))
    assert options == [
        "Ana Díaz — DEVIDA (ana.diaz@devida.gob.pe)",
        "Ana Díaz — DEVIDA (adiaz@devida.gob.pe)",
        "Luis Soto — Superintendencia Nacional de Aduanas",
        "Rosa Quispe — DEVIDA",
    ]
    assert len(set(options)) == len(options)


def test_a_manager_of_one_country_is_offered_its_people_on_a_new_engagement(client, register):
    client.force_login(make_user("manager", "PE"))
    options = _options(client.get(reverse("engagements:create")))
    assert "Rosa Quispe — DEVIDA" in options and not [o for o in options if "Camilo" in o]


def test_a_manager_of_several_countries_is_offered_each_with_its_country(client, register):
    client.force_login(make_user("manager", "PE", "CO"))
    response = client.get(reverse("engagements:create"))
    options = _options(response)
    assert "Camilo Ruiz — DIAN (CO)" in options and "Rosa Quispe — DEVIDA (PE)" in options
    html = response.content.decode()
    assert 'data-country-field="id_country"' in html and 'data-country="CO"' in html
    assert "engagements/person-picker" in html


def test_the_picker_s_queries_do_not_grow_with_the_register(client, register, django_assert_max_num_queries):
    engagement = EngagementFactory(country_id="PE")
    client.force_login(make_user("manager", "PE"))
    client.get(reverse("engagements:edit", args=[engagement.pk]))
    for n in range(30):
        PersonFactory(agency=AgencyFactory(country_id="PE"), full_name=f"Person {n}")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("engagements:edit", args=[engagement.pk])).status_code == 200


def test_a_focal_point_of_another_country_is_still_refused_by_name(client, register):
    client.force_login(make_user("manager", "PE", "CO"))
    response = client.post(
        reverse("engagements:create"),
        {"country": "PE", "title": "T", "phase": "planning", "start_date": "2026-01-05",
         "focal_points": [register["camilo"].pk]},
    )  # fmt: skip
    assert response.context["form"].errors["focal_points"] == [
        "Focal points must be people of the engagement's country: Camilo Ruiz"
    ]
