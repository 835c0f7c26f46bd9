"""The IATI activity file: valid against the official 2.03 schema, with what donors look for."""

import os
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from accounts.scoping import EVERYWHERE
from engagements.models import Engagement
from engagements.models import Programme
from finance.models import Budget
from finance.models import IatiPublication
from finance.models import Transaction
from outcomes.iati import activities_file
from outcomes.models import Indicator
from outcomes.models import IndicatorPeriod
from outcomes.models import ObjectiveNarrative
from outcomes.models import ProgrammeObjective
from tests.conftest import need
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory

from .factories import with_money

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(os.environ.get("IATI_SCHEMA_DIR") or Path(settings.BASE_DIR) / "reference" / "iati-2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def schema():
    path = SCHEMA_DIR / "iati-activities-schema.xsd"
    need(path.is_file(), f"the IATI 2.03 schema (IATI_SCHEMA_DIR, {path})")
    return etree.XMLSchema(etree.parse(str(path)))


def _valid(schema, content: bytes):
    document = etree.fromstring(content)
    schema.assertValid(document)  # raises with the schema's own message
    return document


def test_the_demo_programmes_file_validates_and_carries_money_and_results(schema):
    # given
    call_command("seed_demo", stdout=StringIO())
    programme = Programme.objects.get(code="cicad-precursors")
    # when
    document = _valid(schema, activities_file(programme=programme, scope=EVERYWHERE))
    # then: one activity for the programme, one per engagement, linked both ways
    activities = document.findall("iati-activity")
    engagements = Engagement.objects.filter(programme=programme)
    assert len(activities) == 1 + engagements.count()
    head, *children = activities
    identifier = head.findtext("iati-identifier")
    assert {a.find("related-activity").get("ref") for a in children} == {identifier}
    assert len(head.findall("related-activity[@type='2']")) == len(children)
    assert head.find("sector").get("code") == "16063"
    assert {c.get("code") for c in head.findall("recipient-country")} == set(
        engagements.values_list("country", flat=True)
    )
    # the demo's budgets and its year of transactions
    budgets = document.findall(".//budget")
    assert len(budgets) == Budget.objects.filter(programme=programme).count() > 0
    transactions = document.findall(".//transaction")
    assert len(transactions) == Transaction.objects.filter(programme=programme).count() >= 12
    assert {t.find("transaction-type").get("code") for t in transactions} >= {"2", "3", "4"}
    # results: the indicators with baselines, periods, targets and actuals, by sex where disaggregated
    indicators = head.findall("result/indicator")
    assert len(indicators) == Indicator.objects.filter(objective__programme=programme).count()
    if any("sex" in (i.disaggregations or []) for i in Indicator.objects.filter(objective__programme=programme)):
        assert head.findall(".//period/target/dimension[@name='sex']")


def test_titles_come_in_every_language_the_portal_has_text_for(schema, world):
    with_money(world)
    content = activities_file(programme=world.programme, scope=EVERYWHERE)
    document = _valid(schema, content)
    names = document.findall(".//recipient-country/narrative")
    assert {n.get(XML_LANG) for n in names} >= {None, "es"}  # the country's name, English and Spanish


def test_the_file_of_a_manager_covers_only_their_countries(schema, world):
    with_money(world)
    client = APIClient()
    client.force_authenticate(world.users["manager"])
    response = client.get(reverse("iati-activities") + f"?programme={world.programme.code}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = _valid(schema, response.content)
    assert {c.get("code") for c in document.findall(".//recipient-country")} == {world.own}
    assert client.get(reverse("iati-activities")).status_code == 400
    assert client.get(reverse("iati-activities") + f"?programme={world.other_programme.code}").status_code == 404


def test_errors_are_json_whatever_the_client_accepts(world):
    """The schema documents the errors as JSON; a client asking for XML must not get a JSON body
    labelled XML."""
    with_money(world)
    client = APIClient()
    client.force_authenticate(world.users["manager"])
    for accept in ("application/xml", "*/*", "application/json"):
        missing = client.get(reverse("iati-activities"), HTTP_ACCEPT=accept)
        assert missing.status_code == 400
        assert missing["Content-Type"] == "application/json"
        assert "programme" in missing.json()
        elsewhere = client.get(
            reverse("iati-activities") + f"?programme={world.other_programme.code}", HTTP_ACCEPT=accept
        )
        assert elsewhere.status_code == 404
        assert elsewhere["Content-Type"] == "application/json"


def test_the_public_address_answers_only_once_the_programme_publishes(client, world):
    with_money(world)
    url = reverse("outcomes:iati_public", args=[world.programme.code])
    assert client.get(url).status_code == 404
    IatiPublication.objects.create(programme=world.programme, public=True)
    response = client.get(url)
    assert response.status_code == 200
    assert b"<iati-activities" in response.content
    IatiPublication.objects.filter(programme=world.programme).update(public=False)
    assert client.get(url).status_code == 404


def test_the_publication_is_chosen_by_those_who_manage_every_country(client, world):
    with_money(world)
    client.force_login(world.users["admin"])
    response = client.post(reverse("finance:iati", args=[world.programme.code]), {"public": "on"})
    assert response.status_code == 302
    assert IatiPublication.objects.get(programme=world.programme).public


def test_results_carry_baselines_periods_and_targets_and_actuals_by_sex(schema, world):
    # given: an indicator of people trained, by sex, with a baseline and a target per sex
    with_money(world)
    objective = ProgrammeObjective.objects.create(programme=world.programme, code="O1", title="Officials trained")
    indicator = Indicator.objects.create(
        objective=objective,
        code="1.1",
        name="People trained",
        source="computed",
        metric="people_trained",
        disaggregations=["sex"],
        baseline_value=Decimal("0"),
        baseline_date=date(2024, 1, 1),
        translations={"es": {"name": "Personas capacitadas"}},
    )
    IndicatorPeriod.objects.create(
        indicator=indicator,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        target=Decimal("10"),
        targets_by={"sex": {"female": "5", "male": "5"}},
    )
    ObjectiveNarrative.objects.create(
        objective=objective, year=2025, achievements="Done", translations={"es": {"achievements": "Hecho"}}
    )
    session = SessionFactory(engagement=world.engagement, start_date=date(2025, 3, 3), end_date=date(2025, 3, 4))
    EnrolmentFactory(session=session, person=world.person)
    # when
    document = _valid(schema, activities_file(programme=world.programme, scope=EVERYWHERE, today=date(2026, 1, 10)))
    # then
    narratives = document.findall("iati-activity/result/description/narrative")
    assert {n.get(XML_LANG): n.text for n in narratives} == {None: "Done", "es": "Hecho"}
    element = document.find("iati-activity/result/indicator")
    assert element.get("measure") == "1" and element.get("ascending") == "1"
    assert {n.get(XML_LANG): n.text for n in element.findall("title/narrative")} == {
        None: "1.1 People trained",
        "es": "Personas capacitadas",
    }
    assert element.find("baseline").get("year") == "2024"
    period = element.find("period")
    assert period.find("period-start").get("iso-date") == "2025-01-01"
    targets = {
        (t.find("dimension").get("value") if t.find("dimension") is not None else None): t.get("value")
        for t in period.findall("target")
    }
    assert targets == {None: "10", "female": "5", "male": "5"}
    actuals = {
        (a.find("dimension").get("value") if a.find("dimension") is not None else None): a.get("value")
        for a in period.findall("actual")
    }
    assert actuals[None] == "1"
    assert actuals[world.person.sex] == "1"
