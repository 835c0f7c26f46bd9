"""Indicators in use: managers build the framework in pages, counterparts report values that count
once a manager verifies them, the API's shape and scope, and bad input refused with nothing saved."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.scoping import EVERYWHERE
from engagements.models import Programme
from followups.models import UpdateState
from outcomes import services
from outcomes.facts import outcome_scope
from outcomes.indicators import indicator_periods
from outcomes.models import Indicator
from outcomes.models import IndicatorPeriod
from outcomes.models import IndicatorValue
from outcomes.models import ObjectiveNarrative
from outcomes.models import ProgrammeObjective
from reports.models import Report
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def programme():
    programme = Programme.objects.create(name="Precursors", code="precursors")
    EngagementFactory(country_id="PE", programme=programme, title="Peru")
    EngagementFactory(country_id="CO", programme=programme, title="Colombia")
    return programme


@pytest.fixture
def reported(programme):
    objective = ProgrammeObjective.objects.create(programme=programme, code="O2", title="Control")
    indicator = Indicator.objects.create(
        objective=objective, code="2.1", name="Inspectors certified", source="reported", disaggregations=["sex"]
    )
    IndicatorPeriod.objects.create(
        indicator=indicator,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        target=Decimal(20),
        targets_by={"sex": {"female": "10", "male": "10"}},
    )
    return indicator


@pytest.fixture
def users():
    return {
        "manager": make_user("manager", "PE", "CO", username="m"),
        "counterpart": make_user("counterpart", "PE", username="cp"),
        "counterpart_co": make_user("counterpart", "CO", username="cc"),
        "viewer_pe": make_user("viewer", "PE", username="vp"),
        "viewer_bo": make_user("viewer", "BO", username="vb"),
    }


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _report(client, indicator, **fields):
    body = {
        "indicator": indicator.pk,
        "period": indicator.periods.get().pk,
        "country": "PE",
        "value": "9",
        "by": {"sex": {"female": "4", "male": "5"}},
        "evidence_link": "https://example.org/certificates",
        **fields,
    }
    return client.post("/api/v1/indicator-values/", body, format="json")


# --- Verification -------------------------------------------------------------------------------------------


def test_a_counterparts_value_counts_only_once_a_manager_verifies_it(reported, users):
    # given a counterpart's value, waiting
    response = _report(_api(users["counterpart"]), reported)
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "submitted"
    (period,) = indicator_periods(reported, scope=outcome_scope(users["manager"]), today=TODAY)
    assert period["actual"] is None
    # a second one waits for the review
    again = _report(_api(users["counterpart"]), reported)
    assert again.status_code == 400
    # the counterpart cannot verify it
    pk = response.json()["id"]
    assert (
        _api(users["counterpart"]).post(f"/api/v1/indicator-values/{pk}/review/", {"decision": "accept"}).status_code
        == 403
    )
    # returning needs a comment
    returned = _api(users["manager"]).post(f"/api/v1/indicator-values/{pk}/review/", {"decision": "return"})
    assert returned.status_code == 400
    # when the manager accepts it
    accepted = _api(users["manager"]).post(f"/api/v1/indicator-values/{pk}/review/", {"decision": "accept"})
    # then it counts, by sex too
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    (period,) = indicator_periods(reported, scope=outcome_scope(users["manager"]), today=TODAY)
    assert period["actual"] == 9.0
    assert period["by"]["sex"]["female"] == {"target": 10.0, "actual": 4.0}
    # and it cannot be reviewed twice
    assert (
        _api(users["manager"]).post(f"/api/v1/indicator-values/{pk}/review/", {"decision": "accept"}).status_code == 400
    )


def test_a_managers_value_is_verified_as_it_is_entered(reported, users):
    response = _report(_api(users["manager"]), reported, country="CO")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "accepted"


def test_a_counterpart_cannot_report_for_another_country(reported, users):
    response = _report(_api(users["counterpart"]), reported, country="CO")
    assert response.status_code == 400
    assert not IndicatorValue.objects.exists()


def test_a_value_with_an_evidence_file_is_reported_on_the_page_and_verified(client, reported, users):
    client.force_login(users["counterpart"])
    period = reported.periods.get()
    response = client.post(
        reverse("outcomes:indicator", args=[reported.pk]),
        {
            "period": period.pk,
            "country": "PE",
            "value": "10",
            "by_sex_female": "6",
            "by_sex_male": "4",
            "evidence_file": SimpleUploadedFile("list.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    value = IndicatorValue.objects.get()
    assert (value.state, value.evidence_name, value.by) == (
        UpdateState.SUBMITTED,
        "list.pdf",
        {"sex": {"female": "6", "male": "4"}},
    )
    assert client.get(reverse("outcomes:value_evidence", args=[value.pk])).status_code == 200
    client.force_login(users["manager"])
    page = client.get(reverse("outcomes:indicator", args=[reported.pk])).content.decode()
    assert reverse("outcomes:value_review", args=[value.pk]) in page
    response = client.post(reverse("outcomes:value_review", args=[value.pk]), {"decision": "accept"})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.state == UpdateState.ACCEPTED and value.reviewed_by == users["manager"]


# --- Scope ---------------------------------------------------------------------------------------------------


def test_the_indicator_api_shows_each_reader_only_their_countries(reported, users):
    # given verified values of Peru and Colombia
    period = reported.periods.get()
    for country, value, by in (("PE", 9, {"female": 4, "male": 5}), ("CO", 7, {"female": 3, "male": 4})):
        services.indicator_value_report(
            indicator=reported,
            period=period,
            country=country,
            value=Decimal(value),
            by_values={"sex": by},
            evidence_link="https://example.org/e",
            by=users["manager"],
        )
    reported.disaggregations = ["sex", "country"]
    reported.save()
    # when each reads the indicator
    insider = _api(users["viewer_pe"]).get(f"/api/v1/indicators/{reported.pk}/")
    manager = _api(users["manager"]).get(f"/api/v1/indicators/{reported.pk}/")
    other = _api(users["viewer_bo"]).get(f"/api/v1/indicators/{reported.pk}/")
    # then: Peru's viewer sees Peru only, the manager of both both, Bolivia's viewer nothing
    assert insider.status_code == 200
    (own,) = insider.json()["periods"]
    assert own["actual"] == 9.0 and set(own["by"]["country"]) == {"PE"}
    assert own["by"]["sex"]["female"]["actual"] == 4.0
    (both,) = manager.json()["periods"]
    assert both["actual"] == 16.0 and set(both["by"]["country"]) == {"PE", "CO"}
    assert other.status_code == 404
    assert _api(users["viewer_bo"]).get("/api/v1/indicators/").json()["results"] == []
    values = _api(users["viewer_pe"]).get("/api/v1/indicator-values/").json()["results"]
    assert {v["country"] for v in values} == {"PE"}


def test_the_indicator_api_has_the_documented_shape(reported, users):
    body = _api(users["manager"]).get("/api/v1/indicators/?programme=precursors").json()
    (indicator,) = body["results"]
    assert set(indicator) == {
        "id",
        "programme",
        "programme_code",
        "objective",
        "code",
        "name",
        "unit",
        "direction",
        "source",
        "metric",
        "baseline_value",
        "baseline_date",
        "disaggregations",
        "periods",
    }
    assert indicator["source"] == "reported" and indicator["disaggregations"] == ["sex"]
    (period,) = indicator["periods"]
    assert set(period) == {"start", "end", "target", "actual", "by"}
    assert period["start"] == "2025-01-01" and period["target"] == 20.0
    assert set(period["by"]["sex"]) == {"female", "male", "other", "undisclosed"}
    assert set(period["by"]["sex"]["male"]) == {"target", "actual"}


# --- Bad input -------------------------------------------------------------------------------------------------


def test_a_value_for_a_computed_indicator_is_refused(programme, users):
    objective = ProgrammeObjective.objects.create(programme=programme, code="O1", title="Capacity")
    computed = Indicator.objects.create(
        objective=objective, code="1.1", name="Trained", source="computed", metric="people_trained"
    )
    IndicatorPeriod.objects.create(indicator=computed, start=date(2025, 1, 1), end=date(2025, 12, 31), target=5)
    response = _report(_api(users["manager"]), computed, by={})
    assert response.status_code == 400
    assert "computed" in str(response.json()["indicator"])
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"by": {"sex": {"female": "4", "male": "4"}}}, "by"),  # 8, not 9
        ({"value": "ten"}, "value"),
        ({"value": "-1", "by": {}}, "value"),
        ({"evidence_link": ""}, "evidence_link"),
        ({"by": {"agency_kind": {"customs": "9"}}}, "by"),  # not a disaggregation of the indicator
    ],
)
def test_bad_values_are_refused_with_nothing_saved(reported, users, fields, field):
    response = _report(_api(users["manager"]), reported, **fields)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not IndicatorValue.objects.exists()


def test_targets_by_sex_that_do_not_add_up_are_refused_on_the_page(client, reported, users):
    client.force_login(users["manager"])
    response = client.post(
        reverse("outcomes:period_create", args=[reported.pk]),
        {"start": "2026-01-01", "end": "2026-12-31", "target": "20", "by_sex_female": "12", "by_sex_male": "9"},
    )
    assert response.status_code == 200
    assert "add up to 21" in response.content.decode()
    assert reported.periods.count() == 1


def test_an_overlapping_period_is_refused_on_the_page_and_in_the_service(client, reported, users):
    client.force_login(users["manager"])
    response = client.post(
        reverse("outcomes:period_create", args=[reported.pk]),
        {"start": "2025-07-01", "end": "2026-06-30", "target": "20"},
    )
    assert response.status_code == 200
    assert "overlaps the period" in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.indicator_period_save(
            period=IndicatorPeriod(indicator=reported, start=date(2025, 12, 31), end=date(2026, 1, 31)),
            by=users["manager"],
        )
    assert "start" in error.value.message_dict
    assert reported.periods.count() == 1


def test_a_target_without_a_period_is_refused(client, reported, users):
    client.force_login(users["manager"])
    response = client.post(reverse("outcomes:period_create", args=[reported.pk]), {"target": "20"})
    assert response.status_code == 200
    assert "A target needs a period" in response.content.decode()
    assert reported.periods.count() == 1


def test_a_computed_indicator_keeps_its_rules(client, programme, users):
    objective = ProgrammeObjective.objects.create(programme=programme, code="O1", title="Capacity")
    client.force_login(users["manager"])
    url = reverse("outcomes:indicator_create", args=[objective.pk])
    base = {"code": "1.1", "name": "Sessions", "unit": "number", "direction": "higher", "order": "0"}
    # a computed indicator without its figure, and a figure split by agency kind
    for fields, message in (
        ({"source": "computed"}, "names the figure"),
        ({"source": "computed", "metric": "sessions_held", "disaggregations": ["agency_kind"]}, "agency kind"),
        ({"source": "computed", "metric": "coordination_score"}, "percentage"),
    ):
        response = client.post(url, {**base, **fields})
        assert response.status_code == 200 and message in response.content.decode(), fields
    assert not Indicator.objects.exists()
    response = client.post(
        url, {**base, "source": "computed", "metric": "sessions_held", "disaggregations": ["country"]}
    )
    assert response.status_code == 302
    assert Indicator.objects.get().disaggregations == ["country"]


# --- Pages ---------------------------------------------------------------------------------------------------


def test_a_manager_builds_the_framework_in_pages(client, programme, users):
    client.force_login(users["manager"])
    response = client.post(
        reverse("outcomes:objective_create", args=[programme.code]),
        {"code": "O1", "title": "Capacity", "area": "capacity", "order": "0"},
    )
    assert response.status_code == 302
    objective = ProgrammeObjective.objects.get()
    response = client.post(
        reverse("outcomes:indicator_create", args=[objective.pk]),
        {
            "code": "1.1",
            "name": "Officials trained",
            "name_es": "Funcionarios formados",
            "unit": "number",
            "direction": "higher",
            "source": "computed",
            "metric": "people_trained",
            "disaggregations": ["sex"],
            "order": "0",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.translations == {"es": {"name": "Funcionarios formados"}}
    response = client.post(
        reverse("outcomes:period_create", args=[indicator.pk]),
        {"start": "2025-01-01", "end": "2025-12-31", "target": "40", "by_sex_female": "20", "by_sex_male": "20"},
    )
    assert response.status_code == 302
    assert indicator.periods.get().targets_by == {"sex": {"female": "20", "male": "20"}}
    response = client.post(
        reverse("outcomes:narrative_edit", args=[objective.pk, 2025]),
        {"achievements_es": "Se formaron cuarenta funcionarios.", "challenges": "Turnover."},
    )
    assert response.status_code == 302
    narrative = ObjectiveNarrative.objects.get()
    assert narrative.text("achievements", "fr") == ("Se formaron cuarenta funcionarios.", "es")
    assert narrative.text("challenges", "es") == ("Turnover.", "en")
    page = client.get(reverse("outcomes:framework", args=[programme.code])).content.decode()
    assert "Officials trained" in page and "<svg" not in page
    assert "<svg" in client.get(reverse("outcomes:indicator", args=[indicator.pk])).content.decode()
    dashboard = client.get(reverse("outcomes:programme", args=[programme.code])).content.decode()
    assert f"indicator-{indicator.pk}-periods" in dashboard


def test_a_counterpart_may_not_edit_the_framework(client, reported, users):
    client.force_login(users["counterpart"])
    response = client.post(
        reverse("outcomes:period_create", args=[reported.pk]), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert response.status_code == 403
    assert reported.periods.count() == 1


# --- The annual progress report ----------------------------------------------------------------------------


def _pdf_text(report, pdftotext) -> str:
    raw = subprocess.run([pdftotext, "-raw", report.file.path, "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", raw)


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["Forty officials were trained.", "Staff turnover.", "2.1 Inspectors certified"], []),
        ("es", ["Se formaron cuarenta funcionarios.", "Staff turnover.", "2.1 Inspectors certified"], ["Forty"]),
        ("pt", ["Forty officials were trained.", "2.1 Inspectors certified"], []),
        ("fr", ["Forty officials were trained.", "2.1 Inspectors certified"], []),
    ],
)
def test_the_annual_report_has_the_narrative_and_the_indicator_tables(
    reported, users, django_capture_on_commit_callbacks, pdftotext, language, expected, absent
):
    # given a narrative in English with a Spanish translation, and a verified value
    ObjectiveNarrative.objects.create(
        objective=reported.objective,
        year=2025,
        achievements="Forty officials were trained.",
        challenges="Staff turnover.",
        translations={"es": {"achievements": "Se formaron cuarenta funcionarios."}},
    )
    services.indicator_value_report(
        indicator=reported,
        period=reported.periods.get(),
        country="PE",
        value=Decimal(13),
        by_values={"sex": {"female": "7", "male": "6"}},
        evidence_link="https://example.org/e",
        by=users["manager"],
    )
    # when the report is rendered in the language
    with django_capture_on_commit_callbacks(execute=True):
        report = services.annual_report_request(
            programme=reported.objective.programme, year=2025, scope=EVERYWHERE, by=None, language=language
        )
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    # then it reads the narrative (in the reader's language when given) and the indicator's figures
    text = _pdf_text(report, pdftotext)
    for phrase in expected:
        assert phrase in text, phrase
    for phrase in absent:
        assert phrase not in text, phrase
    assert re.search(r"2025 20 13 ", text), text[-1500:]  # period, target, actual
    assert re.search(r"Female|Mujer|Mulher|Femme", text)


# --- Indicators over the API ------------------------------------------------------------------------------


def test_a_manager_creates_an_indicator_with_targets_by_sex_over_the_api(programme, users):
    objective = ProgrammeObjective.objects.create(programme=programme, code="O1", title="Capacity")
    response = _api(users["manager"]).post(
        "/api/v1/indicators/",
        {
            "objective": objective.pk,
            "code": "1.1",
            "name": "Officials trained",
            "source": "computed",
            "metric": "people_trained",
            "disaggregations": ["sex"],
            "periods": [
                {
                    "start": "2025-01-01",
                    "end": "2025-12-31",
                    "target": "40",
                    "by": {"sex": {"female": {"target": "20"}, "male": {"target": "20"}}},
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    (period,) = response.json()["periods"]
    assert period["by"]["sex"]["female"]["target"] == 20.0 and period["target"] == 40.0
    # a PATCH without periods keeps them
    pk = response.json()["id"]
    response = _api(users["manager"]).patch(f"/api/v1/indicators/{pk}/", {"name": "People trained"}, format="json")
    assert response.status_code == 200 and len(response.json()["periods"]) == 1


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        (
            [
                {"start": "2025-01-01", "end": "2025-12-31", "target": "10"},
                {"start": "2025-06-01", "end": "2026-05-31", "target": "10"},
            ],
            "overlaps",
        ),
        ([{"target": "10"}], "A target needs a period"),
        (
            [{"start": "2025-01-01", "end": "2025-12-31", "target": "10", "by": {"sex": {"female": {"target": "8"}}}}],
            "add up to 8",
        ),
        ([{"start": "2025-12-31", "end": "2025-01-01", "target": "10"}], "must not end before"),
    ],
)
def test_bad_periods_over_the_api_are_refused_with_nothing_saved(reported, users, periods, message):
    response = _api(users["manager"]).patch(f"/api/v1/indicators/{reported.pk}/", {"periods": periods}, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["periods"]), response.json()
    period = reported.periods.get()
    assert (period.start, period.target) == (date(2025, 1, 1), Decimal(20))


def test_an_unknown_unit_or_figure_over_the_api_is_a_clear_error(reported, users):
    for body, field in (({"unit": "kg"}, "unit"), ({"source": "computed", "metric": "happiness"}, "metric")):
        response = _api(users["manager"]).patch(f"/api/v1/indicators/{reported.pk}/", body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    reported.refresh_from_db()
    assert (reported.unit, reported.source) == ("number", "reported")


# --- Queries ---------------------------------------------------------------------------------------------------


def _more_indicators(programme, users, count: int) -> None:
    objective = ProgrammeObjective.objects.create(programme=programme, code=f"O{count}", title="More")
    # Each kind of figure has its fixed queries: every size has the three kinds.
    for i in range(3 * count):
        computed = Indicator.objects.create(
            objective=objective,
            code=f"c{i}",
            name="Computed",
            source="computed",
            metric=["people_trained", "coordination_score", "implementation_rate"][i % 3],
            unit="number" if i % 3 == 0 else "percent",
            disaggregations=["country"],
        )
        reported = Indicator.objects.create(
            objective=objective, code=f"r{i}", name="Reported", source="reported", disaggregations=["sex"]
        )
        for indicator in (computed, reported):
            for year in (2024, 2025):
                IndicatorPeriod.objects.create(
                    indicator=indicator, start=date(year, 1, 1), end=date(year, 12, 31), target=Decimal(10)
                )
        for period in reported.periods.all():
            services.indicator_value_report(
                indicator=reported,
                period=period,
                country="PE",
                value=Decimal(5),
                by_values={"sex": {"female": "2", "male": "3"}},
                evidence_link="https://example.org/e",
                by=users["manager"],
            )


def test_the_queries_of_the_indicator_pages_and_api_do_not_grow_with_the_indicators(client, programme, reported, users):
    client.force_login(users["manager"])
    api = _api(users["manager"])
    pages = [
        reverse("outcomes:framework", args=[programme.code]),
        reverse("outcomes:programme", args=[programme.code]),
        reverse("outcomes:country", args=["PE"]),
    ]

    def counts() -> list[int]:
        found = []
        for address in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(address).status_code == 200
            found.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/indicators/?page_size=100").status_code == 200
        found.append(len(queries))
        return found

    _more_indicators(programme, users, 1)
    counts()  # the first requests fill the per-process caches (content types, translations)
    few = counts()
    _more_indicators(programme, users, 4)
    assert counts() == few
