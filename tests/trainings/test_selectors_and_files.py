"""Pooled figures in a fixed number of queries, and spreadsheet cells that cannot run as formulas."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from ta_portal.tabular import neutralise
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.files import outcome_csv
from trainings.models import TrainingSession
from trainings.selectors import pooled_outcome_for
from trainings.selectors import session_outcome


def test_the_pooled_figures_of_many_sessions_take_as_many_queries_as_of_one(db, django_assert_num_queries):
    admin = make_user(Role.ADMIN)
    pooled_outcome_for(admin, TrainingSession.objects.none())  # the reader's scope, read once per request

    def pool_of(n_sessions: int):
        for max_score in (20, 50, 100)[:n_sessions]:
            session = SessionFactory(max_score=Decimal(max_score), pass_mark=Decimal(max_score) / 2)
            for _ in range(3):
                EnrolmentFactory(session=session, pre_score=Decimal(10), post_score=None)
        with CaptureQueriesContext(connection) as queries:
            figures = pooled_outcome_for(admin, TrainingSession.objects.all())
        return figures, len(queries)

    one, queries_for_one = pool_of(1)
    many, queries_for_many = pool_of(3)

    assert (one["n_enrolled"], many["n_enrolled"]) == (3, 12)
    assert queries_for_many == queries_for_one


def test_a_session_outcome_pools_only_its_own_participants(db):
    mine, other = SessionFactory(), SessionFactory()
    EnrolmentFactory(session=mine, pre_score=Decimal(10), post_score=Decimal(30))
    EnrolmentFactory(session=other, pre_score=Decimal(40), post_score=Decimal(50))

    assert session_outcome(mine)["pre_mean_pct"] == 20.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+34 1 555", "'+34 1 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("Ana Pérez", "Ana Pérez"),
        (12.5, 12.5),
        (None, None),
    ],
)
def test_text_that_would_start_a_formula_stays_text(value, expected):
    assert neutralise(value) == expected


def test_the_outcome_csv_neutralises_agency_names(db):
    agency = AgencyFactory(name='=HYPERLINK("http://evil.example")', acronym="")
    session = SessionFactory()
    EnrolmentFactory(session=session, person=PersonFactory(agency=agency), pre_score=Decimal(1), post_score=Decimal(2))
    outcome = session_outcome(session)

    lines = list(csv.reader(io.StringIO(outcome_csv(outcome, {agency.pk: agency.name}).decode("utf-8-sig"))))

    assert lines[-1][:2] == ["agency", '\'=HYPERLINK("http://evil.example")']
