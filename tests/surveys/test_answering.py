"""A participant answers through their personal link: no account, once, in their language; every
unusable link gets a clear page, never a 500; nothing links an anonymous answer to its author."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from surveys.models import Answer
from surveys.models import Invitation
from surveys.models import Purpose
from surveys.models import SurveyResponse
from surveys.tokens import token_for
from tests.surveys.factories import link_of
from tests.surveys.factories import make_survey
from tests.surveys.factories import question
from tests.surveys.factories import session_with_people

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _open_survey(*, anonymous=True, n=2, language="es"):
    """A session that ended yesterday with its reaction survey open today."""
    today = timezone.localdate()
    session = session_with_people(n, start_date=today - timedelta(days=3), end_date=today - timedelta(days=1))
    session.language = language
    session.save()
    survey = make_survey(session, anonymous=anonymous, opens_on=today, today=today)
    return survey, list(survey.invitations.order_by("pk"))


def _answers(**overrides) -> dict:
    data = {
        f"q{question('satisfaction').pk}": "5",
        f"q{question('relevance').pk}": "4",
        f"q{question('recommend').pk}": "0",
        f"q{question('comments').pk}": "Más casos prácticos, por favor.",
    }
    data.update(overrides)
    return data


def test_the_link_opens_the_survey_in_the_participant_s_language_without_signing_in():
    survey, (invitation, _other) = _open_survey(language="es")
    response = Client().get(link_of(invitation) + "?lang=es")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "En general, estoy satisfecho/a con esta capacitación." in page  # the question's Spanish text
    assert "<fieldset" in page and "<legend" in page  # Likert radios grouped under their question
    assert response["Content-Language"] == "es"
    assert "<script>" not in page.replace("<script src=", "")  # no inline script (CSP)


def test_an_anonymous_answer_is_recorded_once_and_linked_to_no_one():
    survey, (invitation, other) = _open_survey(anonymous=True)
    client = Client()
    # when: the participant answers
    response = client.post(link_of(invitation), _answers(), follow=True)
    # then: thanked (on a page of its own: reloading it sends nothing); one response, with the
    # participant's sex and country but no link and no time
    assert response.redirect_chain[-1][1] == 302 and response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert SurveyResponse.objects.count() == 1
    stored = SurveyResponse.objects.get()
    assert stored.invitation_id is None and stored.submitted_at is None
    assert stored.country_id == invitation.enrolment.person.country_id
    assert sorted(Answer.objects.values_list("likert", flat=True).exclude(likert=None)) == [4, 5]
    invitation.refresh_from_db()
    assert invitation.answered and invitation.answered_at is None
    assert not Invitation.objects.get(pk=other.pk).answered
    # and the same link again is refused, and records nothing
    again = client.post(link_of(invitation), _answers())
    assert again.status_code == 409
    assert "already answered" in again.content.decode()
    assert client.get(link_of(invitation)).status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_a_named_survey_keeps_who_answered():
    survey, (invitation, _other) = _open_survey(anonymous=False)
    Client().post(link_of(invitation), _answers())
    stored = SurveyResponse.objects.get()
    assert stored.invitation_id == invitation.pk and stored.submitted_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_audit_trail_ties_no_anonymous_answer_to_a_participant(postgres):
    survey, (invitation, _other) = _open_survey(anonymous=True)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # when: a participant answers
    Client().post(link_of(invitation), _answers())
    # then: the trail gained nothing about the response, its answers or the invitation's being answered
    assert SurveyResponse.objects.count() == 1
    assert list(AuditEntry.objects.filter(pk__gt=last).values_list("table_name", flat=True)) == []
    # the invitation itself is in the trail (its creation), with its secret redacted
    created = AuditEntry.objects.filter(table_name="surveys_invitation", action="insert").first()
    assert created is not None and created.after["nonce"] == "[redacted]"
    with connection.cursor() as cursor:  # nothing else in the database names the response's invitation
        cursor.execute("SELECT count(*) FROM surveys_surveyresponse WHERE invitation_id IS NOT NULL")
        assert cursor.fetchone()[0] == 0


def test_validation_errors_keep_what_was_typed():
    survey, (invitation, _other) = _open_survey()
    typed = "Un comentario largo que no debe perderse."
    response = Client().post(
        link_of(invitation) + "?lang=es",
        _answers(**{f"q{question('satisfaction').pk}": "", f"q{question('comments').pk}": typed}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page
    assert 'value="4" checked' in page  # the other answer given stays chosen
    assert 'role="alert"' in page
    assert not SurveyResponse.objects.exists()
    assert not Invitation.objects.get(pk=invitation.pk).answered


@pytest.mark.parametrize("value", ["6", "0", "x", "'; DROP TABLE surveys_answer; --", "5" * 1000])
def test_bad_values_are_refused_and_nothing_is_saved(value):
    survey, (invitation, _other) = _open_survey()
    response = Client().post(link_of(invitation), _answers(**{f"q{question('satisfaction').pk}": value}))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_tampered_link_gets_a_clear_page():
    survey, (invitation, _other) = _open_survey()
    token = token_for(invitation)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token.replace(":", "x", 1)):
        response = Client().get(f"/surveys/answer/{bad}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    # a token naming another invitation with a made-up nonce is refused too
    from django.core import signing  # noqa: PLC0415

    forged = signing.dumps([invitation.pk, "guess"], salt="other-salt")
    assert Client().get(f"/surveys/answer/{forged}/").status_code == 400


def test_an_expired_link_and_a_deleted_session_get_clear_pages():
    survey, (invitation, other) = _open_survey()
    today = timezone.localdate()
    type(survey).objects.filter(pk=survey.pk).update(
        opens_on=today - timedelta(days=70), closes_on=today - timedelta(days=10)
    )
    response = Client().get(link_of(invitation))
    assert response.status_code == 410 and "closed" in response.content.decode()
    link = link_of(other)
    survey.session.delete()
    response = Client().get(link)
    assert response.status_code == 410 and "no longer exists" in response.content.decode()


def test_a_survey_not_open_yet_says_when_it_opens():
    today = timezone.localdate()
    session = session_with_people(1, start_date=today - timedelta(days=3), end_date=today - timedelta(days=1))
    survey = make_survey(session, Purpose.APPLICATION, opens_on=today + timedelta(days=5), today=today)
    response = Client().get(link_of(survey.invitations.get()))
    assert response.status_code == 409
