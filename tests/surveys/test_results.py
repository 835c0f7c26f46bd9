"""Results against an independent computation, small groups withheld, response rates, the outcome
blocks, and a number of queries that does not grow with the answers."""

import statistics
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from engagements.models import Person
from surveys import selectors
from surveys.models import Purpose
from tests.factories import AgencyFactory
from tests.surveys.factories import END
from tests.surveys.factories import answer
from tests.surveys.factories import make_survey
from tests.surveys.factories import session_with_people

pytestmark = pytest.mark.django_db

F, M = Person.Sex.FEMALE, Person.Sex.MALE
# satisfaction, relevance, recommend (option index), shared_with (application), comment
ANSWERS = [
    (5, 4, 0, "Very useful."),
    (4, 4, 0, ""),
    (2, 3, 2, "Too short."),
    (5, 5, 1, "More cases."),
    (3, None, 0, ""),
    (4, 2, 2, ""),
    (1, 1, 2, "Not for my job."),
]


def _answered_survey(world, *, anonymous, sexes=(F, M)):
    """A PE session: 7 of its 9 participants answered (sexes alternating), all of the world's agency."""
    session = session_with_people(9, agency=world.agency, sexes=list(sexes), engagement=world.engagement)
    survey = make_survey(session, anonymous=anonymous)
    invitations = list(survey.invitations.order_by("pk"))
    for invitation, (satisfaction, relevance, recommend, comment) in zip(invitations, ANSWERS, strict=False):
        values = {"satisfaction": satisfaction, "recommend": recommend, "comments": comment}
        if relevance is not None:
            values["relevance"] = relevance
        answer(invitation, values)
    return survey, invitations


def test_figures_match_an_independent_computation(world):
    survey, invitations = _answered_survey(world, anonymous=False)
    results = selectors.survey_results(survey, world.users["manager"])
    by_code = {r.question.code: r for r in results.questions}
    satisfaction = [row[0] for row in ANSWERS]
    relevance = [row[1] for row in ANSWERS if row[1] is not None]
    # response rate: 7 answers out of 9 invited
    assert (results.invited, results.answered) == (9, 7)
    assert results.response_rate == pytest.approx(7 / 9)
    # Likert: distribution, mean and share agreeing (4–5)
    counts = Counter(satisfaction)
    assert [n for _label, n in by_code["satisfaction"].distribution] == [counts[v] for v in range(1, 6)]
    assert by_code["satisfaction"].mean == pytest.approx(statistics.fmean(satisfaction))
    assert by_code["satisfaction"].agree_rate == pytest.approx(sum(v >= 4 for v in satisfaction) / len(satisfaction))
    assert by_code["relevance"].n == len(relevance)
    assert by_code["relevance"].mean == pytest.approx(statistics.fmean(relevance))
    # single choice: counts per option
    recommend = Counter(row[2] for row in ANSWERS)
    assert by_code["recommend"].distribution == [("Yes", recommend[0]), ("Maybe", recommend[1]), ("No", recommend[2])]
    # comments, for those who run the session
    assert sorted(by_code["comments"].comments) == sorted(row[3] for row in ANSWERS if row[3])
    # by sex: the participants alternate female, male (invitation order)
    female = [row[0] for i, row in enumerate(ANSWERS) if i % 2 == 0]
    male = [row[0] for i, row in enumerate(ANSWERS) if i % 2 == 1]
    means = {g.label: (g.n, g.mean) for g in by_code["satisfaction"].by_sex}
    assert means["Female"] == (len(female), pytest.approx(statistics.fmean(female)))
    assert means["Male"] == (len(male), pytest.approx(statistics.fmean(male)))
    groups = {g.label: (g.invited, g.answered) for g in results.by_sex}
    assert groups == {"Female": (5, 4), "Male": (4, 3)}


def test_numbers_have_their_mean_and_median(world):
    session = session_with_people(4, agency=world.agency, engagement=world.engagement)
    survey = make_survey(session, Purpose.APPLICATION, opens_on=END)
    values = [Decimal(3), Decimal(10), Decimal(4), Decimal("2.5")]
    for invitation, value in zip(survey.invitations.order_by("pk"), values, strict=True):
        answer(invitation, {"applied": 4, "shared_with": value})
    shared = next(
        r for r in selectors.survey_results(survey, world.users["admin"]).questions if r.question.code == "shared_with"
    )
    assert shared.n == 4
    assert shared.mean == pytest.approx(float(statistics.fmean(values)))
    assert shared.median == pytest.approx(float(statistics.median(values)))


def test_small_groups_and_comments_are_for_those_who_run_a_named_survey(world):
    # given: 4 women and 3 men answered (both groups under 5), a named survey
    survey, _invitations = _answered_survey(world, anonymous=False)
    manager = selectors.survey_results(survey, world.users["manager"])
    viewer = selectors.survey_results(survey, world.users["viewer"])
    # then: the manager sees both groups and the comments; the viewer neither, and is told why
    assert {g.label for g in manager.by_sex} == {"Female", "Male"}
    assert viewer.by_sex == [] and viewer.withheld_sex == 2
    # the one agency has 7 answers (≥ 5): everyone sees it
    assert [(g.label, g.answered) for g in viewer.by_agency] == [(world.agency.acronym, 7)]
    assert viewer.withheld_agencies == 0
    comments = next(r for r in viewer.questions if r.question.code == "comments")
    assert comments.comments is None


def test_an_anonymous_survey_hides_small_groups_from_everyone(world):
    survey, _invitations = _answered_survey(world, anonymous=True)
    for role in ("admin", "manager", "trainer", "viewer"):
        results = selectors.survey_results(survey, world.users[role]) if role != "trainer" else None
        if results is None:
            continue
        assert results.by_sex == [], role
        assert [g.label for g in results.by_agency] == [world.agency.acronym or world.agency.name], role


def test_the_outcome_blocks_count_invited_answered_and_the_headline(world):
    survey, _invitations = _answered_survey(world, anonymous=True)
    satisfaction = [row[0] for row in ANSWERS]
    client = APIClient()
    client.force_login(world.users["manager"])
    outcome = client.get(f"/api/v1/outcomes/engagements/{world.engagement.pk}/").json()
    assert outcome["reaction"] == {
        "surveys": 1,
        "invited": 9,
        "answered": 7,
        "response_rate": pytest.approx(7 / 9),
        "mean_satisfaction": pytest.approx(statistics.fmean(satisfaction)),
        "satisfied_rate": pytest.approx(sum(v >= 4 for v in satisfaction) / 7),
    }
    assert outcome["application"] == {
        "surveys": 0,
        "invited": 0,
        "answered": 0,
        "response_rate": None,
        "mean_applied": None,
        "applied_rate": None,
    }
    assert {"training", "measures", "followup", "maturity"} <= set(outcome)  # the existing keys stay
    countries = client.get("/api/v1/outcomes/countries/").json()["results"]
    peru = next(row for row in countries if row["country"] == "PE")
    assert peru["reaction"]["answered"] == 7 and peru["reaction"]["invited"] == 9


def test_the_survey_api_lists_and_answers_results_as_the_page(world):
    survey, _invitations = _answered_survey(world, anonymous=True)
    client = APIClient()
    client.force_login(world.users["viewer"])
    listed = client.get(f"/api/v1/surveys/?session={survey.session_id}").json()
    assert [(row["id"], row["invited"], row["answered"]) for row in listed["results"]] == [(survey.pk, 9, 7)]
    assert listed["results"][0]["response_rate"] == pytest.approx(7 / 9)
    results = client.get(f"/api/v1/surveys/{survey.pk}/results/").json()
    satisfaction = next(q for q in results["questions"] if q["code"] == "satisfaction")
    assert satisfaction["mean"] == pytest.approx(statistics.fmean(row[0] for row in ANSWERS))
    assert next(q for q in results["questions"] if q["code"] == "comments")["comments"] is None
    assert "invitation" not in str(results) and results["by_sex"] == []
    other = client.get(f"/api/v1/surveys/{survey.pk}/results/")
    assert other.status_code == 200
    client.force_login(world.users["global_manager"])
    assert client.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 200


def _survey_page_queries(client, survey) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/surveys/{survey.pk}/").status_code == 200
    return len(queries)


def test_the_survey_page_runs_the_same_queries_whatever_the_answers(world):
    client = APIClient()
    client.force_login(world.users["manager"])
    small, _ = _answered_survey(world, anonymous=True)
    other_agency = AgencyFactory(country_id="PE")
    big = make_survey(
        session_with_people(30, agency=other_agency, sexes=[F, M, Person.Sex.OTHER], engagement=world.engagement)
    )
    for i, invitation in enumerate(big.invitations.order_by("pk")):
        answer(invitation, {"satisfaction": 1 + i % 5, "recommend": i % 3, "comments": f"Comment {i}"})
    assert _survey_page_queries(client, small) == _survey_page_queries(client, big)
