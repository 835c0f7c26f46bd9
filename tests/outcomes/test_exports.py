"""Exports read back with csv and openpyxl and compared with the API; formula injection; scope;
bad input."""

import csv
import io
import math

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from engagements.models import Engagement
from ta_portal.tabular import Column
from ta_portal.tabular import Table
from ta_portal.tabular import csv_text
from ta_portal.tabular import neutralise
from ta_portal.tabular import xlsx_bytes
from tests.factories import make_user
from tests.outcomes.factories import generate

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response) -> dict[str, list[dict]]:
    workbook = load_workbook(io.BytesIO(response.content))
    sheets = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def _num(value) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _percent(share) -> float | None:
    """An API share (0–1) as the exports write it: a percentage."""
    return None if share is None else share * 100


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


# --- Formula injection ---------------------------------------------------------------------------------


def test_text_that_a_spreadsheet_would_run_is_neutralised_in_csv_and_xlsx():
    # given
    table = Table(
        "t", "Danger", [Column("text", "text"), Column("n", "n", "num")], [{"text": t, "n": -3.5} for t in DANGEROUS]
    )
    # when
    rows = list(csv.reader(io.StringIO(csv_text(table).lstrip("\ufeff"))))[1:]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table]))).active
    # then: every dangerous text starts with an apostrophe; numbers stay numbers
    assert [row[0] for row in rows] == ["'" + t for t in DANGEROUS]
    assert all(row[1] == "-3.5" for row in rows)
    for cell_text, cell_number in sheet.iter_rows(min_row=2):
        assert cell_text.data_type == "s" and cell_text.value.startswith("'")
        assert cell_number.data_type == "n" and cell_number.value == -3.5
    assert neutralise("Plain text") == "Plain text"


def test_an_engagement_title_written_as_a_formula_is_exported_harmless(client):
    Engagement.objects.create(country_id="PE", title="=cmd|' /C calc'!A0", start_date="2025-01-01")
    client.force_login(make_user("admin"))
    rows = _csv(client.get(reverse("outcomes:list_export", args=["engagements", "csv"])))
    assert [r["Title"] for r in rows] == ["'=cmd|' /C calc'!A0"]
    sheets = _xlsx(client.get(reverse("outcomes:list_export", args=["engagements", "xlsx"])))
    (only,) = sheets.values()
    assert only[0]["Title"] == "'=cmd|' /C calc'!A0"


# --- Dashboards read back and compared with the API -----------------------------------------------------


def test_programme_export_matches_the_outcome_api():
    # given
    data = generate(size=2, seed=41)
    user = make_user("admin")
    client = APIClient()
    client.force_login(user)
    # when
    response = client.get(reverse("outcomes:programme_export", args=[data.programme.code, "xlsx"]) + "?year=2025")
    api = client.get("/api/v1/outcomes/countries/", {"year": 2025, "programme": data.programme.pk}).json()
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _xlsx(response)
    assert set(sheets) == {"Targets", "Countries", "Countries by sex", "Trends"}
    countries = {row["Code"]: row for row in sheets["Countries"]}
    by_code = {row["country"]: row for row in api["results"]}
    assert set(countries) == set(by_code) == {"PE", "CO"}
    for code, row in countries.items():
        block = by_code[code]
        assert row["Paired results"] == block["training"]["n_paired"]
        assert _close(row["Pre-test mean (%)"], block["training"]["pre_mean_pct"])
        assert _close(row["Post-test mean (%)"], block["training"]["post_mean_pct"])
        assert _close(row["Mean gain (points)"], block["training"]["mean_gain_pct"])
        assert _close(row["Normalized gain"], block["training"]["normalized_gain"])
        assert _close(row["Post-test pass rate (%)"], _percent(block["training"]["post_pass_rate"]))
        assert row["Measures agreed"] == block["measures"]["total"]
        assert row["Implemented"] == block["measures"]["by_status"]["implemented"]
        assert _close(row["Implementation rate (%)"], _percent(block["measures"]["implementation_rate"]))
        assert row["Follow-up rounds due"] == block["followup"]["rounds_due"]
        assert row["Submitted on time"] == block["followup"]["rounds_submitted_on_time"]
        assert _close(row["Follow-up compliance (%)"], _percent(block["followup"]["compliance_rate"]))
    by_sex = sheets["Countries by sex"]
    for row in by_sex:
        sex = {"Female": "female", "Male": "male", "Other": "other", "Undisclosed": "undisclosed"}[row["Sex"]]
        block = by_code[row["Code"]]["training"]["by_sex"][sex]
        for key, label in (
            ("n_paired", "Paired"),
            ("post_mean_pct", "Post-test mean (%)"),
            ("p_value", "p-value (paired t-test)"),
        ):
            assert _close(row[label], block[key]), (row["Code"], sex, key)
    # the CSV of one table holds the same rows
    csv_rows = _csv(
        client.get(
            reverse("outcomes:programme_export", args=[data.programme.code, "csv"]) + "?year=2025&table=countries"
        )
    )
    assert [(r["Code"], _num(r["Post-test mean (%)"])) for r in csv_rows] == [
        (r["Code"], r["Post-test mean (%)"]) for r in sheets["Countries"]
    ]


def test_country_export_matches_the_outcome_api():
    data = generate(size=2, seed=42)
    client = APIClient()
    client.force_login(make_user("viewer", "PE"))
    sheets = _xlsx(client.get(reverse("outcomes:country_export", args=["PE", "xlsx"]) + "?year=2024"))
    api = client.get("/api/v1/outcomes/countries/", {"year": 2024}).json()["results"]
    (pe,) = api
    training = {row["Participants"]: row for row in sheets["Training by sex"]}
    assert training["All participants"]["Enrolled"] == pe["training"]["n_enrolled"]
    assert _close(training["All participants"]["Effect size (Cohen's dz)"], pe["training"]["cohens_dz"])
    assert _close(training["All participants"]["p-value (paired t-test)"], pe["training"]["p_value"])
    measures = {row["Status"]: row for row in sheets["Measures"]}
    assert measures["Total"]["Reported by the country"] == pe["measures"]["total"]
    assert measures["Implemented"]["Reported by the country"] == pe["measures"]["by_status"]["implemented"]
    maturity = {row["Code"]: row for row in sheets["Maturity"]}
    assert {code: row["Baseline level"] for code, row in maturity.items()} == pe["maturity"]["baseline"]
    assert {code: row["Change"] for code, row in maturity.items() if row["Change"] is not None} == pe["maturity"][
        "change"
    ]
    rounds = sheets["Rounds"]
    assert sum(1 for r in rounds if r["On time"] == "Yes") == pe["followup"]["rounds_submitted_on_time"]
    assert data.countries == ["PE", "CO"]


def test_list_exports_match_the_api_lists():
    # given
    data = generate(size=1, seed=43)
    client = APIClient()
    client.force_login(make_user("manager", "PE"))
    # engagements
    rows = _csv(client.get(reverse("outcomes:list_export", args=["engagements", "csv"])))
    api = client.get("/api/v1/engagements/", {"page_size": 500}).json()["results"]
    assert sorted(int(r["id"]) for r in rows) == sorted(e["id"] for e in api)
    assert {r["Country code"] for r in rows} == {"PE"}
    # measures, with their reported status
    rows = _csv(client.get(reverse("outcomes:list_export", args=["measures", "csv"]) + "?country=PE"))
    api = {m["id"]: m for m in client.get("/api/v1/measures/", {"page_size": 500}).json()["results"]}
    assert {int(r["id"]): r["Reported status"] for r in rows} == {pk: m["status"] for pk, m in api.items()}
    # follow-up rounds
    rows = _csv(client.get(reverse("outcomes:list_export", args=["followup-rounds", "csv"])))
    api = {r["id"]: r for r in client.get("/api/v1/followup-rounds/", {"page_size": 500}).json()["results"]}
    assert {int(r["id"]): r["Status"] for r in rows} == {pk: r["status"] for pk, r in api.items()}
    # training sessions, with the figures of the trainings outcome endpoint
    sheets = _xlsx(client.get(reverse("outcomes:list_export", args=["training-sessions", "xlsx"])))
    (sessions,) = sheets.values()
    assert {row["id"] for row in sessions} == {s["id"] for s in data.sessions if "PE" in s["countries"]}
    for row in sessions:
        outcome = client.get(f"/api/v1/outcomes/training-sessions/{row['id']}/").json()
        assert row["Enrolled"] == outcome["n_enrolled"]
        assert _close(row["Post-test mean (%)"], outcome["post_mean_pct"])
        assert _close(row["p-value (paired t-test)"], outcome["p_value"])
        for sex, figures in outcome["by_sex"].items():
            assert _close(row[f"{sex.capitalize()}: Post-test mean (%)"], figures["post_mean_pct"])


def test_list_exports_keep_the_filters():
    data = generate(size=1, seed=44)
    client = APIClient()
    client.force_login(make_user("admin"))
    rows = _csv(
        client.get(reverse("outcomes:list_export", args=["engagements", "csv"]) + "?country=co&phase=follow_up")
    )
    want = [e for e in data.engagements if e["country"] == "CO" and e["phase"] == "follow_up"]
    assert sorted(int(r["id"]) for r in rows) == sorted(e["id"] for e in want)
    rows = _csv(client.get(reverse("outcomes:list_export", args=["indicator-values", "csv"]) + "?year=2025&country=PE"))
    want = [
        i
        for i in data.indicators
        if i["due"].year == 2025 and any(r["id"] == i["round_id"] and r["country"] == "PE" for r in data.rounds)
    ]
    assert len(rows) == len(want)


# --- Scope -------------------------------------------------------------------------------------------------


def test_a_viewer_of_one_country_exports_only_that_country():
    # given
    data = generate(size=1, seed=45)
    client = APIClient()
    client.force_login(make_user("viewer", "PE"))
    # lists
    for dataset, column in (
        ("engagements", "Country code"),
        ("measures", "Country"),
        ("followup-rounds", "Country"),
        ("indicator-values", "Country"),
    ):
        rows = _csv(client.get(reverse("outcomes:list_export", args=[dataset, "csv"])))
        assert rows and {r[column] for r in rows} == {"PE"}, dataset
    sessions = _csv(client.get(reverse("outcomes:list_export", args=["training-sessions", "csv"])))
    assert all("PE" in r["Countries"].split() for r in sessions)
    # assessments are not for viewers at all
    assert client.get(reverse("outcomes:list_export", args=["assessments", "csv"])).status_code == 403
    # the programme export has only Peru, and Peru's participants only
    sheets = _xlsx(client.get(reverse("outcomes:programme_export", args=[data.programme.code, "xlsx"]) + "?year=2024"))
    assert {r["Code"] for r in sheets["Countries"]} == {"PE"}
    trends = {r["Year"]: r for r in sheets["Trends"]}
    pe_2024 = [r for r in data.results if r["country"] == "PE" and r["start"].year == 2024]
    assert trends[2024]["People trained"] == len({r["person_id"] for r in pe_2024})
    # another country's dashboard and export do not exist for them
    assert client.get(reverse("outcomes:country_export", args=["CO", "csv"])).status_code == 404
    assert client.get(reverse("outcomes:country", args=["CO"])).status_code == 404


# --- Bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/outcomes/exports/nothing.csv", 404),
        ("/outcomes/exports/engagements.pdf", 404),
        ("/outcomes/exports/engagements.csv?country=PERU", 400),
        ("/outcomes/exports/engagements.csv?year=abc", 400),
        ("/outcomes/exports/engagements.csv?programme=-1", 400),
        ("/outcomes/countries/PE/export.docx", 404),
        ("/outcomes/countries/PE/export.csv?table=secrets", 404),
        ("/outcomes/countries/ZZ/", 404),
        ("/outcomes/countries/PE/?year=abc", 200),
        ("/outcomes/countries/PE/?programme=unknown", 200),
    ],
)
def test_bad_input_gives_a_clear_answer_not_an_error(client, url, status):
    client.force_login(make_user("admin"))
    response = client.get(url)
    assert response.status_code == status
    if status == 400:
        assert response.content.decode().strip()


def test_a_bad_year_on_a_dashboard_is_shown_as_a_form_error(client):
    data = generate(size=1, seed=46)
    client.force_login(make_user("admin"))
    response = client.get(reverse("outcomes:programme", args=[data.programme.code]) + "?year=1800")
    assert response.status_code == 200
    assert "Choose a year of the programme." in response.content.decode()
    response = client.get(reverse("outcomes:country", args=["PE"]) + "?year=abc")
    assert response.status_code == 200
    assert "Choose a year with figures." in response.content.decode()
