"""Assessments: creating and editing, the draft → in review → final workflow, frozen framework
versions, findings and recommendations, on the pages and over the API; bad input saves nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.admin import framework_new_version
from assessments.models import Assessment
from assessments.models import Dimension
from assessments.models import Finding
from assessments.models import Framework
from assessments.models import Recommendation
from assessments.models import StatusChange
from engagements.models import ControlledSubstance
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_meeting
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria")


@pytest.fixture
def engagement(db):
    return EngagementFactory(country_id="PE")


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def _form(engagement, **changes):
    data = {
        "engagement": engagement.pk,
        "framework": default_framework().pk,
        "title": "Peru 2026",
        "start_date": "2026-03-02",
        "end_date": "2026-04-17",
        "executive_summary": "",
        "method": "",
    }
    data.update(changes)
    return data


# The default framework


def test_the_default_framework_has_thirteen_dimensions_with_five_described_levels_in_english_and_spanish():
    framework = default_framework()
    dimensions = list(framework.dimensions.all())
    assert [d.code for d in dimensions][:3] == ["legal", "institutional", "licensing"]
    assert len(dimensions) == 13
    for dimension in dimensions:
        assert dimension.description
        assert all(len(text) > 40 for text in dimension.levels.values())
        spanish = dimension.translations["es"]
        assert spanish["name"] and spanish["description"]
        assert set(spanish["levels"]) == {"1", "2", "3", "4", "5"}
    assert framework.dimensions.get(code="trade").local_name("es").startswith("Control de importaciones")


def test_a_framework_version_in_use_is_frozen_and_a_new_version_carries_the_edits(manager):
    # given an assessment made with version 1
    assessment = make_assessment(levels={"legal": 2}, by=manager)
    legal = assessment.framework.dimensions.get(code="legal")
    # when someone edits version 1 directly
    legal.level_3 = "Changed text"
    with pytest.raises(ValidationError):
        legal.save()
    framework = assessment.framework
    framework.name = "Renamed"
    with pytest.raises(ValidationError):
        framework.save()
    # then a new version takes the edits and the assessment keeps version 1
    version_2 = framework_new_version(Framework.objects.get(pk=framework.pk))
    edited = version_2.dimensions.get(code="legal")
    edited.level_3 = "Changed text"
    edited.save()
    assessment.refresh_from_db()
    assert assessment.framework.version == 1
    assert assessment.framework.dimensions.get(code="legal").level_3 != "Changed text"
    assert version_2.version == 2 and version_2.dimensions.count() == 13
    assert list(Framework.objects.latest_versions()) == [version_2]


def test_a_new_assessment_is_offered_the_latest_framework_version(client, manager):
    framework_new_version(default_framework())
    client.force_login(manager)
    page = client.get(reverse("assessments:create"))
    choices = [str(f) for f in page.context["form"].fields["framework"].queryset]
    assert choices == ["Precursor chemical control maturity framework (v2)"]


# Creating and editing


def test_manager_creates_an_assessment_as_a_draft_with_its_history(client, manager, engagement):
    agency = AgencyFactory(country_id="PE")
    client.force_login(manager)
    response = client.post(
        reverse("assessments:create"), _form(engagement, agencies=[agency.pk], lead_assessors=[manager.pk])
    )
    assessment = Assessment.objects.get(title="Peru 2026")
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assert assessment.status == "draft"
    assert list(assessment.agencies.all()) == [agency]
    assert list(assessment.lead_assessors.all()) == [manager]
    assert assessment.status_changes.get().to_status == "draft"


def test_reversed_dates_are_refused_and_nothing_is_saved(client, manager, engagement):
    client.force_login(manager)
    response = client.post(reverse("assessments:create"), _form(engagement, start_date="2026-05-01"))
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.content.decode()
    assert not Assessment.objects.exists()


def test_agencies_of_another_country_are_refused(client, manager, engagement):
    foreign = AgencyFactory(country_id="CO")
    client.force_login(manager)
    response = client.post(reverse("assessments:create"), _form(engagement, agencies=[foreign.pk]))
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_a_manager_cannot_create_an_assessment_for_an_engagement_of_another_country(client, manager):
    other = EngagementFactory(country_id="CO")
    client.force_login(manager)
    response = client.post(reverse("assessments:create"), _form(other))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assessment.objects.exists()


def test_editing_a_final_assessment_is_refused_with_a_reason_and_nothing_is_saved(client, manager):
    final = make_assessment(status=Assessment.Status.FINAL, by=manager, title="Final one")
    client.force_login(manager)
    response = client.post(reverse("assessments:edit", args=[final.pk]), _form(final.engagement), follow=True)
    assert "final and can no longer be changed" in response.content.decode()
    final.refresh_from_db()
    assert final.title == "Final one"
    with pytest.raises(ValidationError):
        final.title = "Sneaky"
        services.assessment_save(assessment=final, by=manager)
    assert Assessment.objects.get(pk=final.pk).title == "Final one"


def test_the_framework_cannot_change_once_dimensions_are_scored(manager):
    assessment = make_assessment(levels={"legal": 2}, by=manager)
    version_2 = framework_new_version(default_framework())
    assessment.framework = version_2
    with pytest.raises(ValidationError, match="framework cannot change"):
        services.assessment_save(assessment=assessment, by=manager)


# Workflow


def test_the_workflow_goes_draft_review_final_and_reopening_needs_a_recorded_reason(client, manager):
    # given a fully scored draft
    assessment = make_assessment(by=manager, levels={d.code: 2 for d in default_framework().dimensions.all()})
    client.force_login(manager)
    url = reverse("assessments:status", args=[assessment.pk])
    # when it goes to review, then final
    client.post(url, {"status": "in_review"})
    client.post(url, {"status": "final"})
    assessment.refresh_from_db()
    assert assessment.status == "final"
    # then reopening without a reason is refused, with one it is recorded
    refused = client.post(url, {"status": "draft"}, follow=True)
    assert "Say why the final assessment is reopened." in refused.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == "final"
    client.post(url, {"status": "draft", "reason": "New law adopted after the mission"})
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"
    history = list(assessment.status_changes.values_list("from_status", "to_status", "reason"))
    assert history == [
        ("", "draft", ""),
        ("draft", "in_review", ""),
        ("in_review", "final", ""),
        ("final", "draft", "New law adopted after the mission"),
    ]
    assert StatusChange.objects.filter(assessment=assessment, changed_by=manager).count() == 4


def test_an_assessment_with_unscored_dimensions_cannot_become_final(manager):
    assessment = make_assessment(by=manager, levels={"legal": 3}, status=Assessment.Status.IN_REVIEW)
    with pytest.raises(ValidationError, match="Score every dimension"):
        services.assessment_set_status(assessment=assessment, to_status="final", by=manager)
    assert Assessment.objects.get(pk=assessment.pk).status == "in_review"


def test_a_draft_cannot_jump_to_final(manager):
    assessment = make_assessment(by=manager, levels={d.code: 2 for d in default_framework().dimensions.all()})
    with pytest.raises(ValidationError, match="cannot go from"):
        services.assessment_set_status(assessment=assessment, to_status="final", by=manager)


def test_counterparts_see_their_assessments_once_out_of_draft_and_never_drafts(client):
    counterpart = make_user("counterpart", "PE")
    draft = make_assessment(title="Draft one")
    in_review = make_assessment(title="In review", status=Assessment.Status.IN_REVIEW, levels={"legal": 2})
    client.force_login(counterpart)
    listed = client.get(reverse("assessments:list")).content.decode()
    assert "In review" in listed and "Draft one" not in listed
    assert client.get(draft.get_absolute_url()).status_code == 404
    page = client.get(in_review.get_absolute_url())
    assert page.status_code == 200
    assert reverse("assessments:scores", args=[in_review.pk]) not in page.content.decode()


# Findings and recommendations


def test_manager_adds_a_finding_with_agencies_and_substances_and_a_recommendation(client, manager):
    assessment = make_assessment(by=manager)
    agency = AgencyFactory(country_id="PE", acronym="SUNAT")
    acetone = ControlledSubstance.objects.get(name="Acetone")
    client.force_login(manager)
    legal = assessment.framework.dimensions.get(code="legal")
    client.post(
        reverse("assessments:finding_create", args=[assessment.pk]),
        {
            "dimension": legal.pk,
            "kind": "challenge",
            "priority": "high",
            "text": "No emergency scheduling",
            "agencies": [agency.pk],
            "substances": [acetone.pk],
        },
    )
    finding = Finding.objects.get()
    client.post(
        reverse("assessments:recommendation_create", args=[finding.pk]),
        {"text": "Add an emergency clause", "priority": "high", "responsible_agency": agency.pk, "timeframe": "short"},
    )
    recommendation = Recommendation.objects.get()
    assert list(finding.agencies.all()) == [agency] and list(finding.substances.all()) == [acetone]
    assert recommendation.finding == finding and recommendation.responsible_agency == agency
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "No emergency scheduling" in page and "Add an emergency clause" in page


def test_a_finding_on_a_dimension_of_another_framework_version_is_refused(manager):
    assessment = make_assessment(by=manager)
    foreign = framework_new_version(default_framework()).dimensions.get(code="legal")
    with pytest.raises(ValidationError, match="another framework"):
        services.finding_save(finding=Finding(assessment=assessment, dimension=foreign, text="x"))
    assert not Finding.objects.exists()


def test_deleting_a_finding_deletes_its_recommendations(client, manager):
    assessment = make_assessment(by=manager)
    finding = add_finding(assessment)
    add_recommendation(finding)
    client.force_login(manager)
    assert client.get(reverse("assessments:finding_delete", args=[finding.pk])).status_code == 200
    client.post(reverse("assessments:finding_delete", args=[finding.pk]))
    assert not Finding.objects.exists() and not Recommendation.objects.exists()


def test_parts_of_a_final_assessment_cannot_be_added_or_deleted(client, manager):
    final = make_assessment(status=Assessment.Status.FINAL, by=manager)
    client.force_login(manager)
    response = client.post(
        reverse("assessments:meeting_create", args=[final.pk]), {"date": "2025-03-01", "kind": "meeting"}, follow=True
    )
    assert "final and can no longer be changed" in response.content.decode()
    assert not final.meetings.exists()


def test_a_meeting_with_a_bad_date_is_refused(client, manager):
    assessment = make_assessment(by=manager)
    client.force_login(manager)
    response = client.post(
        reverse("assessments:meeting_create", args=[assessment.pk]), {"date": "2025-02-31", "kind": "meeting"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not assessment.meetings.exists()


def test_an_instrument_year_outside_reason_is_refused(client, manager):
    assessment = make_assessment(by=manager)
    client.force_login(manager)
    response = client.post(
        reverse("assessments:instrument_create", args=[assessment.pk]),
        {"title": "Law", "kind": "law", "year": "1200", "state": "in_force"},
    )
    assert response.status_code == 200
    assert not assessment.instruments.exists()


# API


def test_api_creates_an_assessment_and_patches_its_status(api, engagement, manager):
    created = api.post(
        "/api/v1/assessments/",
        {
            "engagement": engagement.pk,
            "framework": default_framework().pk,
            "title": "API one",
            "start_date": "2026-01-05",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["country"] == "PE" and body["baseline"] is None
    moved = api.patch(f"/api/v1/assessments/{body['id']}/", {"status": "in_review"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "in_review"
    refused = api.patch(f"/api/v1/assessments/{body['id']}/", {"status": "final"}, format="json")
    assert refused.status_code == 400 and "Score every dimension" in refused.json()["status"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"framework": 999999}, "framework"),
        ({"status": "final"}, "status"),
        ({"title": ""}, "title"),
    ],
)
def test_api_refuses_a_bad_assessment_and_saves_nothing(api, engagement, changes, field):
    body = {"engagement": engagement.pk, "framework": default_framework().pk, "title": "T", "start_date": "2026-01-05"}
    body.update(changes)
    response = api.post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Assessment.objects.exists()


def test_api_patch_of_a_final_assessment_answers_400_but_a_reopening_with_reason_works(api, manager):
    final = make_assessment(status=Assessment.Status.FINAL, by=manager, title="Done")
    url = f"/api/v1/assessments/{final.pk}/"
    refused = api.patch(url, {"title": "Changed"}, format="json")
    assert refused.status_code == 400 and "final" in str(refused.json())
    assert api.patch(url, {"status": "draft"}, format="json").status_code == 400
    reopened = api.patch(url, {"status": "draft", "reason": "Typo in the findings"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
    assert Assessment.objects.get(pk=final.pk).title == "Done"


def test_api_refuses_a_change_to_a_final_assessment_on_its_status_as_the_scores_do(api, manager):
    final = make_assessment(status=Assessment.Status.FINAL, by=manager, title="Done")
    refused = api.patch(f"/api/v1/assessments/{final.pk}/", {"title": "Changed"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"status": [services.AssessmentFinalError().messages[0]]}


def test_the_api_refuses_agencies_of_another_country_with_the_services_message(engagement):
    # given a manager of two countries, and an agency of the other one
    manager = make_user("manager", "PE", "CO")
    foreign = AgencyFactory(country_id="CO")
    api = APIClient()
    api.force_authenticate(manager)

    # when an assessment of a Peruvian engagement names it
    response = api.post("/api/v1/assessments/", _form(engagement, agencies=[foreign.pk]), format="json")

    # then the service's rule refuses it, on the field, and nothing is saved
    assert response.status_code == 400
    assert response.json() == {"agencies": [f"These agencies belong to another country: {foreign}"]}
    assert not Assessment.objects.exists()


def test_api_findings_and_recommendations_are_created_and_listed(api, manager):
    assessment = make_assessment(by=manager)
    agency = AgencyFactory(country_id="PE")
    finding = api.post(
        f"/api/v1/assessments/{assessment.pk}/findings/",
        {"dimension": "trade", "kind": "good_practice", "priority": "low", "text": "PEN used", "agencies": [agency.pk]},
        format="json",
    )
    assert finding.status_code == 201, finding.json()
    rec = api.post(
        f"/api/v1/assessments/{assessment.pk}/recommendations/",
        {"finding": finding.json()["id"], "text": "Keep it", "priority": "low", "responsible_agency": agency.pk},
        format="json",
    )
    assert rec.status_code == 201, rec.json()
    listed = api.get(f"/api/v1/assessments/{assessment.pk}/findings/").json()
    assert listed["count"] == 1 and listed["results"][0]["dimension"] == "trade"
    assert listed["results"][0]["recommendations"] == [rec.json()["id"]]
    recs = api.get(f"/api/v1/assessments/{assessment.pk}/recommendations/").json()["results"]
    assert recs == [rec.json()]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dimension": "astrology", "kind": "challenge", "priority": "high", "text": "x"}, "dimension"),
        ({"dimension": "legal", "kind": "rumour", "priority": "high", "text": "x"}, "kind"),
        ({"dimension": "legal", "kind": "challenge", "priority": "urgent", "text": "x"}, "priority"),
        ({"dimension": "legal", "kind": "challenge", "priority": "high", "text": ""}, "text"),
    ],
)
def test_api_refuses_a_bad_finding(api, manager, body, field):
    assessment = make_assessment(by=manager)
    response = api.post(f"/api/v1/assessments/{assessment.pk}/findings/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Finding.objects.exists()


def test_api_refuses_a_recommendation_on_another_assessments_finding_or_a_foreign_agency(api, manager):
    assessment = make_assessment(by=manager)
    other = add_finding(make_assessment(by=manager, title="Other"))
    foreign = AgencyFactory(country_id="CO")
    own_finding = add_finding(assessment)
    url = f"/api/v1/assessments/{assessment.pk}/recommendations/"
    wrong_finding = api.post(url, {"finding": other.pk, "text": "x", "priority": "low"}, format="json")
    wrong_agency = api.post(
        url,
        {"finding": own_finding.pk, "text": "x", "priority": "low", "responsible_agency": foreign.pk},
        format="json",
    )
    assert wrong_finding.status_code == 400 and "finding" in wrong_finding.json()
    assert wrong_agency.status_code == 400 and "responsible_agency" in wrong_agency.json()
    assert not Recommendation.objects.exists()


def test_api_frameworks_list_dimensions_with_levels(api):
    body = api.get("/api/v1/frameworks/").json()
    framework = body["results"][0]
    assert framework["version"] == 1 and len(framework["dimensions"]) == 13
    first = framework["dimensions"][0]
    assert first["code"] == "legal" and set(first["levels"]) == {"1", "2", "3", "4", "5"}


def test_api_lists_assessments_by_country_and_status(api, manager):
    make_assessment(by=manager, title="Peru draft")
    make_assessment(by=manager, title="Peru final", status=Assessment.Status.FINAL)
    titles = [a["title"] for a in api.get("/api/v1/assessments/?country=pe&status=final").json()["results"]]
    assert titles == ["Peru final"]


# Queries do not grow with the data


def test_the_assessment_list_page_makes_a_fixed_number_of_queries(client, manager, django_assert_max_num_queries):
    for n in range(6):
        make_assessment(by=manager, title=f"Assessment {n}", levels={"legal": 2})
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessments:list")).status_code == 200


def test_the_assessment_page_makes_as_many_queries_for_many_findings_as_for_one(client, manager):
    assessment = make_assessment(by=manager, levels={"legal": 2, "trade": 3})
    add_recommendation(add_finding(assessment, text="First"))
    client.force_login(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(assessment.get_absolute_url()).status_code == 200
        return len(queries)

    add_meeting(assessment)
    count()  # warm the per-process caches (content types)
    one = count()
    for n in range(5):
        add_recommendation(add_finding(assessment, code="trade", text=f"Finding {n}"))
        add_meeting(assessment)
    assert count() == one
    assert one <= 45


def test_the_api_list_of_assessments_makes_a_fixed_number_of_queries(api, manager, django_assert_max_num_queries):
    for year in range(2019, 2025):
        make_assessment(by=manager, title=f"Assessment {year}", start=date(year, 3, 1), end=None, status="final")
    with django_assert_max_num_queries(10):
        results = api.get("/api/v1/assessments/?page_size=100").json()["results"]
    baseline = next(a["id"] for a in results if a["title"] == "Assessment 2019")
    assert {a["title"]: a["baseline"] for a in results}["Assessment 2024"] == baseline
    assert {a["title"]: a["baseline"] for a in results}["Assessment 2019"] is None


def test_dimension_save_outside_a_used_framework_still_works():
    framework = Framework.objects.create(code="test", name="Test framework")
    Dimension.objects.create(
        framework=framework, code="one", name="One", **{f"level_{n}": f"L{n}" for n in range(1, 6)}
    )
    assert framework.dimensions.count() == 1
