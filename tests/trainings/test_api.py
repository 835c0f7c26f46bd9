"""The trainings API of docs/API.md: sessions, results bulk upsert (all or nothing) and outcomes."""

import csv
import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from engagements.models import Person
from tests.factories import PersonFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.models import Enrolment
from trainings.models import ScoreChange
from trainings.models import TrainingSession
from trainings.selectors import session_outcome
from trainings.statistics import SUMMARY_KEYS


@pytest.fixture
def session(world):
    return SessionFactory(engagement=world.engagement, trainers=[world.users["trainer"]])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def results_url(session):
    return f"/api/v1/training-sessions/{session.pk}/results/"


def test_results_are_matched_by_id_then_email_then_full_name_and_new_people_are_enrolled(world, session):
    by_email = PersonFactory(full_name="Marta Ccori", email="marta@example.org", agency=world.agency)
    by_name = PersonFactory(full_name="Julio Huamán", email="", agency=world.agency)
    rows = [
        {"person": {"id": world.person.pk}, "pre_score": 20, "post_score": 40},
        {"person": {"full_name": "Marta C.", "email": "MARTA@example.org"}, "pre_score": 22.5, "post_score": None},
        {"person": {"full_name": "Julio Huamán"}, "pre_score": "18", "post_score": 35},
        {
            "person": {
                "full_name": "Ana Pérez",
                "sex": "female",
                "email": "ana@example.org",
                "agency": world.agency.pk,
            },
            "pre_score": 41,
            "post_score": 48,
        },
    ]

    response = api(world.users["trainer"]).post(results_url(session), rows, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 4, "people_created": 1, "enrolled": 4, "updated": 0, "score_changes": 7}
    enrolled = {e.person_id: e for e in session.enrolments.all()}
    assert {world.person.pk, by_email.pk, by_name.pk} <= set(enrolled)
    assert enrolled[by_email.pk].pre_score == Decimal("22.5")
    ana = Person.objects.get(email="ana@example.org")
    assert (ana.sex, ana.agency, ana.country_id) == ("female", world.agency, "PE")
    assert ScoreChange.objects.filter(source="api", changed_by=world.users["trainer"]).count() == 7


def test_one_invalid_row_rejects_the_whole_list_with_errors_by_index(world, session):
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10))
    rows = [
        {"person": {"id": world.person.pk}, "pre_score": 30},
        {"person": {"full_name": "Nuevo Participante"}, "pre_score": 60},
        {"person": {"full_name": "Otra", "sex": "robot"}, "pre_score": -2, "post_score": "abc"},
        "not an object",
        {"person": {"id": world.other_person.pk}, "post_score": 10},
    ]

    response = api(world.users["trainer"]).post(results_url(session), rows, format="json")

    assert response.status_code == 400
    errors = response.json()["rows"]
    assert list(errors) == ["1", "2", "3", "4"]
    assert errors["1"] == {"pre_score": ["The score is above the maximum of 50."]}
    assert set(errors["2"]) == {"pre_score", "post_score", "sex"}
    assert errors["3"] == {"non_field_errors": ["Each row must be an object."]}
    assert "person" in errors["4"]
    # nothing saved, not even the valid first row
    assert session.enrolments.get().pre_score == Decimal(10)
    assert not Person.objects.filter(full_name="Nuevo Participante").exists()
    assert ScoreChange.objects.count() == 0


def test_a_body_that_is_not_a_list_is_a_clear_400(world, session):
    response = api(world.users["trainer"]).post(results_url(session), {"pre_score": 1}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send a list of rows."]}


def test_a_key_left_out_keeps_the_score_and_null_clears_it(world, session):
    enrolment = EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10), post_score=Decimal(20))
    client = api(world.users["trainer"])

    client.post(results_url(session), [{"person": world.person.pk, "post_score": 25}], format="json")
    enrolment.refresh_from_db()
    assert (enrolment.pre_score, enrolment.post_score) == (Decimal(10), Decimal(25))

    client.post(results_url(session), [{"person": world.person.pk, "pre_score": None}], format="json")
    enrolment.refresh_from_db()
    assert (enrolment.pre_score, enrolment.post_score) == (None, Decimal(25))


def test_results_list_the_rows_with_the_persons_id(world, session):
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal("12.5"), post_score=Decimal(30))

    response = api(world.users["manager"]).get(results_url(session))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["person"]["id"] == world.person.pk
    assert (row["pre_score"], row["post_score"]) == (12.5, 30.0)


def test_viewers_and_counterparts_get_figures_but_not_the_names(world, session):
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10), post_score=Decimal(30))

    for role in ("viewer", "counterpart"):
        client = api(world.users[role])
        assert client.get(results_url(session)).status_code == 403
        outcome = client.get(f"/api/v1/outcomes/training-sessions/{session.pk}/")
        assert outcome.status_code == 200
        assert world.person.full_name not in outcome.content.decode()


def test_the_outcome_endpoint_returns_the_same_figures_as_the_page(world, session):
    for i, (pre, post, sex) in enumerate(
        [(10, 30, "female"), (20, 35, "male"), (25, 45, "female"), (None, 40, "male")]
    ):
        person = PersonFactory(sex=sex, agency=world.agency, email=f"p{i}@example.org")
        EnrolmentFactory(session=session, person=person, pre_score=pre, post_score=post)

    response = api(world.users["viewer"]).get(f"/api/v1/outcomes/training-sessions/{session.pk}/")

    body = response.json()
    expected = session_outcome(session)
    for key in SUMMARY_KEYS:
        assert body[key] == pytest.approx(expected[key])
    assert set(body["by_sex"]) == {"female", "male"}
    assert body["by_sex"]["male"]["n_paired"] == 1
    assert body["by_agency"][str(world.agency.pk)]["n_enrolled"] == 4
    assert body["n_enrolled"] == 4 and body["n_paired"] == 3 and body["post_pass_rate"] == 0.75


def test_the_outcome_answers_csv(world, session):
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10), post_score=Decimal(40))

    response = api(world.users["viewer"]).get(f"/api/v1/outcomes/training-sessions/{session.pk}/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["group", "value", "n_enrolled", "n_pre"]
    assert lines[1][:3] == ["all", "", "1"]
    assert ["sex", "female"] == lines[2][:2]


def test_the_outcome_csv_writes_the_pass_rate_as_a_percentage_like_its_other_columns(world, session):
    # given: three of four participants pass the post-exam (API: 0.75)
    for i, (pre, post) in enumerate([(10, 40), (20, 45), (25, 50), (5, 10)]):
        person = PersonFactory(agency=world.agency, email=f"rate{i}@example.org")
        EnrolmentFactory(session=session, person=person, pre_score=pre, post_score=post)
    expected = session_outcome(session)

    # when
    response = api(world.users["viewer"]).get(f"/api/v1/outcomes/training-sessions/{session.pk}/?format=csv")

    # then: the file never holds a 0–1 share beside its 0–100 columns
    header, everyone = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[:2]
    row = dict(zip(header, everyone, strict=True))
    assert expected["post_pass_rate"] == 0.75
    assert float(row["post_pass_rate"]) == pytest.approx(75.0)
    assert float(row["post_mean_pct"]) == pytest.approx(expected["post_mean_pct"])


def test_the_outcome_of_a_session_out_of_scope_is_404_even_as_csv(world):
    other = SessionFactory(engagement=world.other_engagement)

    response = api(world.users["viewer"]).get(f"/api/v1/outcomes/training-sessions/{other.pk}/?format=csv")

    assert response.status_code == 404


def test_a_manager_creates_a_regional_session_and_a_trainer_cannot_change_its_planning(world):
    manager = api(world.users["global_manager"])
    response = manager.post(
        "/api/v1/training-sessions/",
        {
            "title": "Andean webinar",
            "kind": "webinar",
            "modality": "virtual",
            "start_date": "2026-02-03",
            "end_date": "2026-02-03",
            "countries": ["PE", "CO"],
            "trainers": [world.users["trainer"].pk],
            "max_score": 20,
            "pass_mark": 14,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["engagement"], sorted(body["countries"]), body["max_score"]) == (None, ["CO", "PE"], 20.0)

    trainer = api(world.users["trainer"])
    url = f"/api/v1/training-sessions/{body['id']}/"
    assert trainer.patch(url, {"venue": "Zoom"}, format="json").status_code == 200
    refused = trainer.patch(url, {"countries": ["PE"]}, format="json")
    assert refused.status_code == 400
    assert "countries" in refused.json()
    assert sorted(TrainingSession.objects.get(pk=body["id"]).countries.values_list("code", flat=True)) == ["CO", "PE"]


def test_a_session_with_an_engagement_gets_the_engagements_country(world):
    response = api(world.users["manager"]).post(
        "/api/v1/training-sessions/",
        {
            "title": "Lima course",
            "engagement": world.engagement.pk,
            "start_date": "2026-02-03",
            "end_date": "2026-02-05",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["countries"] == ["PE"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start_date": "2026-02-05", "end_date": "2026-02-03", "countries": ["PE"]}, "end_date"),
        ({"start_date": "2026-02-05", "end_date": "2026-02-05"}, "countries"),
        ({"start_date": "2026-02-05", "end_date": "2026-02-05", "countries": ["PE"], "pass_mark": 120}, "pass_mark"),
        ({"start_date": "2026-02-05", "end_date": "2026-02-05", "countries": ["PE"], "kind": "party"}, "kind"),
    ],
)
def test_bad_session_values_are_clear_400s_and_save_nothing(world, payload, field):
    response = api(world.users["manager"]).post(
        "/api/v1/training-sessions/", {"title": "Bad", **payload}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not TrainingSession.objects.filter(title="Bad").exists()


def test_emptying_a_regional_sessions_countries_is_refused_with_the_pages_message(world):
    # given a regional session (no engagement) in Peru
    session = SessionFactory(engagement=None, title="Regional")
    session.countries.set(["PE"])

    # when its planner takes every country away
    response = api(world.users["manager"]).patch(
        f"/api/v1/training-sessions/{session.pk}/", {"countries": []}, format="json"
    )

    # then the rule the form shows answers, and the session keeps its country
    assert response.status_code == 400
    message = TrainingSession.place_errors(engagement=None, countries=[])["countries"]
    assert response.json() == {"countries": [str(message)]}
    assert list(session.countries.values_list("code", flat=True)) == ["PE"]


def test_lowering_the_maximum_below_a_recorded_score_is_refused(world, session):
    EnrolmentFactory(session=session, person=world.person, post_score=Decimal(45))

    response = api(world.users["manager"]).patch(
        f"/api/v1/training-sessions/{session.pk}/", {"max_score": 40, "pass_mark": 30}, format="json"
    )

    assert response.status_code == 400
    assert "max_score" in response.json()
    session.refresh_from_db()
    assert session.max_score == Decimal(50)


def test_sessions_filter_by_country(world, session):
    SessionFactory(engagement=world.other_engagement)

    response = api(world.users["admin"]).get("/api/v1/training-sessions/?country=pe")

    assert [s["id"] for s in response.json()["results"]] == [session.pk]


def test_enrolments_are_not_duplicated_by_concurrent_looking_repeats(world, session):
    row = [{"person": {"full_name": "Ana Pérez", "email": "ana@example.org"}, "pre_score": 10}]
    client = api(world.users["trainer"])

    client.post(results_url(session), row, format="json")
    client.post(results_url(session), row, format="json")

    assert Enrolment.objects.filter(session=session).count() == 1
    assert Person.objects.filter(email="ana@example.org").count() == 1


def test_a_bad_email_or_an_overlong_name_is_a_row_error_not_a_crash(world, session):
    rows = [
        {"person": {"full_name": "Ana", "email": "not-an-address"}, "pre_score": 10},
        {"person": {"full_name": "x" * 201}, "pre_score": 10},
    ]

    response = api(world.users["trainer"]).post(results_url(session), rows, format="json")

    assert response.status_code == 400
    assert response.json()["rows"] == {
        "0": {"email": ["Enter a valid e-mail address."]},
        "1": {"full_name": ["At most 200 characters."]},
    }
    assert not Person.objects.filter(full_name="Ana").exists()
