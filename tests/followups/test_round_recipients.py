"""Opening a round says whom it e-mails: the page before, the confirmation after; a country with no
counterpart to tell gets a warning, never "the counterparts are being told"."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from followups.models import FollowupRound
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import other_engagement

pytestmark = pytest.mark.django_db

DUE = "2099-06-30"


@pytest.fixture
def peru(db):
    engagement = other_engagement("PE", title="Peru follow-up")
    make_measure(engagement, title="Adopt the inspection plan", due_date=date(2026, 3, 1))
    return engagement


def _signed_in_manager(client):
    client.force_login(make_user(Role.MANAGER, "PE", username="maria", email="maria@example.org"))
    return client


def _open_round(client, engagement):
    return client.post(reverse("followups:round_create", args=[engagement.pk]), {"due_date": DUE}, follow=True)


def test_the_page_names_the_counterparts_it_will_email(client, peru):
    make_user(Role.COUNTERPART, "PE", username="rosa", first_name="Rosa", last_name="Quispe", email="rosa@example.org")
    make_user(Role.COUNTERPART, "PE", username="nomail", first_name="Nora", last_name="Sin Correo", email="")
    make_user(Role.COUNTERPART, "CO", username="camilo", first_name="Camilo", email="camilo@example.org")
    content = _signed_in_manager(client).get(reverse("followups:round_create", args=[peru.pk])).content.decode()
    assert "Rosa Quispe &lt;rosa@example.org&gt;" in content
    assert "Nora" not in content and "Camilo" not in content
    assert "has no counterpart" not in content


def test_the_page_warns_when_the_country_has_no_counterpart(client, peru):
    content = _signed_in_manager(client).get(reverse("followups:round_create", args=[peru.pk])).content.decode()
    assert "Peru has no counterpart with an e-mail address in the portal" in content
    assert "told by e-mail at once" not in content


def test_the_confirmation_names_who_is_emailed(client, peru):
    make_user(Role.COUNTERPART, "PE", username="rosa", first_name="Rosa", last_name="Quispe", email="rosa@example.org")
    make_user(Role.COUNTERPART, "PE", username="ana", first_name="Ana", last_name="Ruiz", email="ana@example.org")
    content = _open_round(_signed_in_manager(client), peru).content.decode()
    assert FollowupRound.objects.filter(engagement=peru).count() == 1
    assert "The round is open; Ana Ruiz and Rosa Quispe are being told by e-mail." in content


def test_the_confirmation_never_claims_counterparts_are_told_when_there_are_none(client, peru):
    content = _open_round(_signed_in_manager(client), peru).content.decode()
    assert FollowupRound.objects.filter(engagement=peru).count() == 1
    assert "being told" not in content
    assert "nobody is told: Peru has no counterpart" in content


def test_a_round_with_nothing_to_ask_says_nobody_is_emailed(client):
    engagement = other_engagement("PE", title="Nothing open")
    make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org")
    content = _open_round(_signed_in_manager(client), engagement).content.decode()
    assert "with no open measure to ask about, nobody is e-mailed" in content
