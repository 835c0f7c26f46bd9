"""External recommendations are followed up like assessment recommendations: a measure answers
one, rounds ask the counterparts about it, reminders chase it until it is reported, and the
measure shows where it comes from."""

from datetime import date
from datetime import timedelta

import pytest
from django.core import mail

from accounts.roles import Role
from followups import reminders
from followups.models import Measure
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.network.factories import ExternalRecommendationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

OPENS = date(2026, 3, 2)
DUE = OPENS + timedelta(days=30)


@pytest.fixture
def peru(settings):
    settings.FOLLOWUP_REMINDER_DAYS_BEFORE = [14, 3]
    engagement = EngagementFactory(country_id="PE", phase="follow_up")
    recommendation = ExternalRecommendationFactory(
        country_id="PE", source="cicad_mem", reference="Rec. 17", engagement=engagement
    )
    counterpart = make_user(Role.COUNTERPART, "PE", email="rosa@example.org")
    manager = make_user(Role.MANAGER, "PE", email="maria@example.org")
    engagement.managers.add(manager)
    return engagement, recommendation, counterpart, manager


def test_a_measure_answering_an_external_recommendation_goes_through_a_round(peru, django_capture_on_commit_callbacks):
    engagement, recommendation, counterpart, _manager = peru
    measure = make_measure(
        engagement, title="Add pre-precursors to the national list", external_recommendation=recommendation
    )
    assert ("external recommendation", recommendation) in [(str(label), source) for label, source in measure.sources]
    assert list(recommendation.measures.all()) == [measure]
    round_ = open_round(engagement, opens_on=OPENS, due_date=DUE)

    def reminded(day):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.send_followup_reminders(today=day)
        return [(m.to[0], m.extra_headers["X-Followup-Kind"]) for m in mail.outbox[before:]]

    # the counterpart is reminded while the measure is not reported
    assert ("rosa@example.org", "before_3") in reminded(DUE - timedelta(days=3))
    # and once they report on it, the round is submitted and the reminders stop
    report(measure, round_, counterpart, status="partially_implemented", pct=60)
    round_.refresh_from_db()
    measure.refresh_from_db()
    assert round_.submitted_at is not None
    assert measure.status == "partially_implemented"
    assert [e for e in reminded(DUE + timedelta(days=1)) if e[0] == "rosa@example.org"] == []


def test_the_measures_api_takes_an_external_recommendation_of_the_same_country(client, peru):
    engagement, recommendation, _counterpart, manager = peru
    colombian = ExternalRecommendationFactory(country_id="CO")
    client.force_login(make_user(Role.MANAGER, "PE", "CO"))
    response = client.post(
        "/api/v1/measures/",
        {"engagement": engagement.pk, "title": "Share seizure data", "external_recommendation": recommendation.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["external_recommendation"] == recommendation.pk
    refused = client.post(
        "/api/v1/measures/",
        {"engagement": engagement.pk, "title": "Wrong country", "external_recommendation": colombian.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "external_recommendation" in refused.json()
    assert Measure.objects.count() == 1
    # a recommendation the caller cannot see is an unknown id
    client.force_login(manager)  # PE only
    unseen = client.post(
        "/api/v1/measures/",
        {"engagement": engagement.pk, "title": "Unseen", "external_recommendation": colombian.pk},
        content_type="application/json",
    )
    assert unseen.status_code == 400 and "external_recommendation" in unseen.json()
