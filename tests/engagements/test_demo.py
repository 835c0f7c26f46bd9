"""`manage.py seed_demo`: a believable world, built once, where every demo user sees exactly their scope."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import User
from engagements.demo import DEMO_PASSWORD
from engagements.demo import DEMO_USERS
from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person

pytestmark = pytest.mark.django_db

ALL = {"PE", "CO", "BO", "EC", "PY", "DO"}
# Which countries' engagements each demo user must see, no more, no less.
SCOPE = {
    "admin": ALL,
    "manager": {"PE", "CO", "BO", "EC"},
    "manager_global": ALL,
    "trainer": {"PE", "CO"},
    "counterpart": {"PE"},
    "counterpart_co": {"CO"},
    "viewer": {"PE", "CO"},
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module (it takes a while) and rolled back at its end; each
    test's own writes are rolled back after it (the ``db`` fixture nests inside this transaction)."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_the_demo_world_has_countries_agencies_people_engagements_in_every_phase(demo):
    assert set(Engagement.objects.values_list("country_id", flat=True)) == ALL
    assert set(Engagement.objects.values_list("phase", flat=True)) == set(Engagement.Phase.values)
    assert Agency.objects.count() >= 20
    assert Person.objects.count() >= 200
    assert set(Person.objects.values_list("sex", flat=True)) >= {"female", "male"}
    assert "Demo logins (password for all: portal-demo-2026)" in demo


def test_seeding_again_changes_nothing(demo):
    counts = (Engagement.objects.count(), Agency.objects.count(), Person.objects.count(), User.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert (Engagement.objects.count(), Agency.objects.count(), Person.objects.count(), User.objects.count()) == counts


def test_there_is_one_demo_user_per_role():
    assert {role for _, role, *_ in DEMO_USERS} == {"admin", "manager", "trainer", "counterpart", "viewer"}


@pytest.mark.parametrize("username", sorted(SCOPE))
def test_every_demo_user_signs_in_and_sees_exactly_their_scope(demo, client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    page = client.get("/engagements/")
    assert {e.country_id for e in page.context["page"]} == SCOPE[username]
    token = APIClient().post("/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert {e["country"] for e in api.get("/api/v1/engagements/").json()["results"]} == SCOPE[username]
    hidden = Engagement.objects.exclude(country_id__in=SCOPE[username]).first()
    if hidden is not None:
        assert client.get(f"/engagements/{hidden.pk}/").status_code == 404
        assert api.get(f"/api/v1/engagements/{hidden.pk}/").status_code == 404
