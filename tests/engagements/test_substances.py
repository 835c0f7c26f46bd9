"""The controlled substances: the 1988 Convention's tables readable by every signed-in user, on a page
and through the API, in the reader's language, with the Table I additions of March 2024."""

import csv

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from engagements.models import ControlledSubstance
from engagements.reference_data import DATA_DIR
from engagements.reference_data import load_substances
from tests.factories import UserFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MARCH_2024 = {
    "41661-47-6": "4-Piperidone",
    "79099-07-3": "tert-Butyl 4-oxopiperidine-1-carboxylate (1-boc-4-piperidone)",
}


def test_the_shipped_list_names_the_table_one_additions_of_march_2024():
    with (DATA_DIR / "precursors-1988-convention.csv").open(encoding="utf-8") as handle:
        rows = {row["cas"]: row for row in csv.DictReader(handle)}
    assert {cas: rows[cas]["name"] for cas in MARCH_2024} == MARCH_2024
    assert {rows[cas]["table"] for cas in MARCH_2024} == {"I"}


def test_the_additions_are_in_table_one_in_every_language():
    piperidone = ControlledSubstance.objects.get(cas_number="41661-47-6")
    assert piperidone.listing == ControlledSubstance.Listing.TABLE_I
    assert piperidone.translations["fr"]["name"] == "4-Pipéridone"
    boc = ControlledSubstance.objects.get(cas_number="79099-07-3")
    assert boc.translations["es"]["name"].endswith("(1-boc-4-piperidona)")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_loaded_before_march_2024_gains_the_two_additions():
    # given: a database whose reference data predates the additions
    old = _migrate([("engagements", "0009_phase_change_reason")])
    try:
        old.get_model("engagements", "ControlledSubstance").objects.filter(cas_number__in=MARCH_2024).delete()
        # when
        new = _migrate([("engagements", "0010_table_one_additions_of_march_2024")])
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
    # then: both, once each, in Table I, with their names in the other languages
    added = new.get_model("engagements", "ControlledSubstance").objects.filter(cas_number__in=MARCH_2024)
    assert sorted(added.values_list("name", "listing")) == sorted((name, "I") for name in MARCH_2024.values())
    assert all(substance.translations.get("pt") for substance in added)


def test_running_the_load_again_adds_nothing_even_after_a_rename():
    ControlledSubstance.objects.filter(cas_number="41661-47-6").update(name="Piperidin-4-one")
    assert load_substances(ControlledSubstance) == 0


@pytest.mark.parametrize("role", ["admin", "manager", "trainer", "counterpart", "viewer"])
def test_every_role_reads_the_convention_tables_on_a_page(client, role):
    client.force_login(make_user(role, *([] if role == "admin" else ["PE"])))
    response = client.get(reverse("engagements:substance_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "1988 Convention, Table I" in content and "1988 Convention, Table II" in content
    assert "41661-47-6" in content and "79099-07-3" in content


def test_a_user_without_any_role_still_reads_the_convention_tables(client):
    client.force_login(UserFactory())
    response = client.get(reverse("engagements:substance_list"))
    assert "Potassium permanganate" in response.content.decode()


def test_a_national_listing_is_read_only_in_its_country(client):
    # given: a substance on Peru's national list and one on Colombia's
    peru = ControlledSubstance.objects.create(name="Peruvian listed solvent", listing="national", cas_number="1-1-1")
    peru.countries.add("PE")
    colombia = ControlledSubstance.objects.create(name="Colombian listed solvent", listing="national")
    colombia.countries.add("CO", "PE")
    colombia.countries.remove("PE")
    # when: a Peruvian counterpart reads the page
    client.force_login(make_user("counterpart", "PE"))
    content = client.get(reverse("engagements:substance_list")).content.decode()
    # then
    assert "Peruvian listed solvent" in content and "Colombian listed solvent" not in content


def test_a_national_listing_shows_only_the_readers_countries():
    shared = ControlledSubstance.objects.create(name="Shared regional solvent", listing="regional")
    shared.countries.add("PE", "CO")
    api = APIClient()
    api.force_authenticate(make_user("viewer", "PE"))
    row = api.get(f"/api/v1/substances/{shared.pk}/").json()
    assert row["countries"] == ["PE"]


def test_the_api_lists_the_substances_in_the_readers_language():
    api = APIClient()
    api.force_authenticate(make_user("viewer", "PE"))
    response = api.get("/api/v1/substances/", {"listing": "I", "cas_number": "108-24-7"}, HTTP_ACCEPT_LANGUAGE="fr")
    results = response.json()["results"]
    assert [(r["name"], r["listing"], r["used_for"]) for r in results] == [("Anhydride acétique", "I", "héroïne")]


def test_the_page_does_not_query_more_with_more_national_listings(client, django_assert_max_num_queries):
    client.force_login(make_user("manager", "PE"))
    client.get(reverse("engagements:substance_list"))
    for n in range(20):
        ControlledSubstance.objects.create(name=f"National {n}", listing="national").countries.add("PE")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("engagements:substance_list")).status_code == 200


def test_the_page_is_reached_from_the_navigation(client):
    client.force_login(make_user("viewer", "PE"))
    content = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("engagements:substance_list")}"' in content
