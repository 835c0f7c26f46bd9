"""Query parameters read without a form (list filters, pre-filled forms, the public certificate
check, API filters): digits int() refuses ("²") and NUL characters PostgreSQL refuses answer like
any other unknown value, never with a server error."""

import pytest
from rest_framework.test import APIClient

from tests.assessments import authz_cases as assessments
from tests.trainings import authz_cases as trainings


@pytest.fixture
def portal(world):
    assessments.setup(world)
    trainings.setup(world)
    return world


PAGES = [
    ("/engagements/?page_size={v}", 200),
    ("/assessments/new/?engagement={v}", 200),
    ("/assessments/roundtables/?engagement={v}", 200),
    ("/assessments/roundtables/new/?engagement={v}", 200),
    ("/assessments/{assessment}/findings/new/?dimension={v}", 200),
    ("/trainings/sessions/{session}/participants/?q={v}", 200),
    ("/trainings/courses/?dimension={v}", 200),
    ("/trainings/statistics/?year={v}", 200),
    ("/network/documents/new/?event={v}", 200),
    ("/history/?page={v}", 200),
    ("/history/export.xlsx?country={v}", 404),
    ("/history/export.xlsx?programme={v}", 404),
    ("/api/v1/training-sessions/?country={v}", 200),
    ("/api/v1/auth/tokens/?user={v}", 400),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["%C2%B2", "%00", "1%00", "%D9%A1%D9%A2"], ids=["superscript-two", "nul", "digit-nul", "arabic-digits"]
)
@pytest.mark.parametrize(("template", "status"), PAGES, ids=[p[0].split("?")[0] for p in PAGES])
def test_odd_query_parameters_are_treated_as_unknown_values(portal, template, status, value):
    client = APIClient()
    client.force_login(portal.users["admin"])
    url = template.format(v=value, assessment=portal.assessment.pk, session=portal.session.pk)
    response = client.get(url)
    if "tokens" in url and value == "%D9%A1%D9%A2":
        status = 400  # Arabic-Indic digits are not an id either
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"), [("/verify/%00/", 200), ("/verify/?code=%00", 200), ("/verify/AB%00CD/", 404)]
)
def test_the_public_certificate_check_survives_a_nul_character(client, url, status):
    response = client.get(url, follow=True)
    assert response.status_code == status  # 404: no such certificate
