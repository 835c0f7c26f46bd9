"""Whatever a client sends as result rows, the upsert either saves them or names the bad rows."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.trainings.factories import SessionFactory
from trainings.models import Enrolment

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON carries no NaN or infinity
    st.text(max_size=30),
    st.sampled_from(["female", "male", "F", "robot", "12,5", "1e3", "NaN", "-0", "PE", "co", "=1+1"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
person = st.one_of(
    values,
    st.fixed_dictionaries(
        {},
        optional={
            "id": values,
            "full_name": values,
            "email": st.one_of(values, st.emails()),
            "sex": values,
            "agency": values,
            "country": values,
        },
    ),
)
row = st.one_of(
    values,
    st.fixed_dictionaries(
        {}, optional={"person": person, "pre_score": values, "post_score": values, "pre_form": values}
    ),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, max_size=4))
def test_any_list_of_rows_is_saved_or_answered_with_row_errors(world, rows):
    session = SessionFactory(engagement=world.engagement, trainers=[world.users["trainer"]])
    client = APIClient()
    client.force_authenticate(world.users["trainer"])

    response = client.post(f"/api/v1/training-sessions/{session.pk}/results/", rows, format="json")

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert set(response.json()["rows"]) <= {str(i) for i in range(len(rows))}
        assert not Enrolment.objects.filter(session=session).exists()
