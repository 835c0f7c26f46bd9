"""The outcome API (docs/API.md): every figure against an independent computation on generated data."""

import csv
import io

import pytest
from django.urls import include
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from outcomes import api
from tests.factories import make_user
from tests.outcomes import expected
from tests.outcomes.factories import generate

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _without_agencies(block: dict) -> dict:
    return {k: v for k, v in block.items() if k != "by_agency"}


def test_engagement_outcome_matches_independent_computation():
    # given
    data = generate(size=2, seed=11)
    today = timezone.localdate()
    admin = make_user("admin")
    for engagement in data.engagements:
        # when
        response = _client(admin).get(f"/api/v1/outcomes/engagements/{engagement['id']}/")
        # then
        assert response.status_code == 200
        body = response.json()
        rows = [r for r in data.results if r["engagement_id"] == engagement["id"]]
        expected.assert_close(_without_agencies(body["training"]), expected.training(rows))
        expected.assert_close(
            body["measures"], expected.measures([m for m in data.measures if m["engagement_id"] == engagement["id"]])
        )
        expected.assert_close(
            body["followup"],
            expected.followup([r for r in data.rounds if r["engagement_id"] == engagement["id"]], today),
        )
        expected.assert_close(
            body["maturity"],
            expected.maturity([a for a in data.assessments if a["engagement_id"] == engagement["id"]]),
        )


def test_training_block_is_disaggregated_by_agency():
    data = generate(size=1, seed=12)
    engagement = data.engagements[0]
    body = _client(make_user("admin")).get(f"/api/v1/outcomes/engagements/{engagement['id']}/").json()
    rows = [r for r in data.results if r["engagement_id"] == engagement["id"]]
    agencies = {r["agency_id"] for r in rows}
    assert set(body["training"]["by_agency"]) == {str(a) for a in agencies}
    for agency in agencies:
        expected.assert_close(
            _without_agencies(body["training"]["by_agency"][str(agency)]),
            {
                k: v
                for k, v in expected.training([r for r in rows if r["agency_id"] == agency]).items()
                if k != "by_sex"
            },
        )


@pytest.mark.parametrize("year", [None, 2024, 2025])
def test_country_outcomes_match_independent_computation(year):
    # given
    data = generate(size=2, seed=13)
    today = timezone.localdate()
    # when
    params = {"year": year} if year else {}
    response = _client(make_user("admin")).get("/api/v1/outcomes/countries/", params)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_code = {row["country"]: row for row in body["results"]}
    assert set(by_code) == {"PE", "CO"}
    end = timezone.datetime(year, 12, 31).date() if year else None
    for code in ("PE", "CO"):
        row = by_code[code]
        results = [r for r in data.results if r["country"] == code and (year is None or r["start"].year == year)]
        expected.assert_close(_without_agencies(row["training"]), expected.training(results))
        measures = [m for m in data.measures if m["country"] == code and (end is None or m["agreed_on"] <= end)]
        expected.assert_close(row["measures"], expected.measures(measures, end if end and end < today else None))
        rounds = [r for r in data.rounds if r["country"] == code and (year is None or r["due"].year == year)]
        expected.assert_close(row["followup"], expected.followup(rounds, today))
        assessments = [a for a in data.assessments if a["country"] == code]
        expected.assert_close(row["maturity"], expected.maturity(assessments, end))


def test_viewer_of_one_country_gets_only_that_country():
    data = generate(size=1, seed=14)
    viewer = make_user("viewer", "PE")
    body = _client(viewer).get("/api/v1/outcomes/countries/").json()
    assert [row["country"] for row in body["results"]] == ["PE"]
    other = next(e for e in data.engagements if e["country"] == "CO")
    assert _client(viewer).get(f"/api/v1/outcomes/engagements/{other['id']}/").status_code == 404
    assert _client(viewer).get(f"/api/v1/outcomes/engagements/{other['id']}/?format=csv").status_code == 404


def test_regional_session_counts_each_country_only_its_own_participants():
    data = generate(size=1, seed=15)
    regional = next(s for s in data.sessions if s["engagement_id"] is None)
    viewer = make_user("viewer", "PE")
    body = _client(viewer).get("/api/v1/outcomes/countries/").json()
    pe_rows = [r for r in data.results if r["country"] == "PE"]
    assert any(r["session_id"] == regional["id"] for r in pe_rows)
    assert body["results"][0]["training"]["n_enrolled"] == len(pe_rows)


@pytest.mark.parametrize("value", ["abc", "99999", "-5", "2025.5"])
def test_bad_year_is_a_clear_400(value):
    response = _client(make_user("admin")).get("/api/v1/outcomes/countries/", {"year": value})
    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.parametrize("value", ["x", "0"])
def test_bad_programme_is_a_clear_400(value):
    response = _client(make_user("admin")).get("/api/v1/outcomes/countries/", {"programme": value})
    assert response.status_code == 400
    assert "programme" in response.json()


def _csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _flat(data: dict, prefix="") -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _same_cell(cell: str, value) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == str(value)
    if isinstance(value, int | float):
        return float(cell) == float(value)
    return cell == str(value)


def test_csv_of_every_endpoint_matches_its_json():
    data = generate(size=1, seed=16)
    client = _client(make_user("admin"))
    engagement = data.engagements[0]["id"]
    for url in (f"/api/v1/outcomes/engagements/{engagement}/", "/api/v1/outcomes/countries/?year=2025"):
        json_body = client.get(url).json()
        json_rows = json_body["results"] if "results" in json_body else [json_body]
        csv_response = client.get(url + ("&" if "?" in url else "?") + "format=csv")
        assert csv_response.status_code == 200
        assert csv_response["Content-Type"].startswith("text/csv")
        rows = _csv_rows(csv_response)
        assert len(rows) == len(json_rows)
        for csv_row, json_row in zip(rows, json_rows, strict=True):
            flat = _flat(json_row)
            assert set(flat) <= set(csv_row)
            for key, value in flat.items():
                assert _same_cell(csv_row[key], value), (url, key, csv_row[key], value)


def test_the_openapi_schema_describes_the_outcome_endpoints():
    schema = SchemaGenerator(patterns=[path("api/v1/", include(api.urlpatterns))]).get_schema(request=None, public=True)
    assert set(schema["paths"]) == {
        "/api/v1/outcomes/engagements/{id}/",
        "/api/v1/outcomes/countries/",
        "/api/v1/iati/activities.xml",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/outcomes/countries/"]["get"]["parameters"]}
    assert {"year", "programme", "page", "page_size"} <= parameters
    training = schema["components"]["schemas"]["OutcomeTraining"]["properties"]
    assert training["by_sex"]["additionalProperties"]["properties"]["p_value"]["nullable"] is True
