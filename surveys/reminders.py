"""Survey e-mails: the invitation with the personal link, then reminders to those who have not answered.

Every e-mail is claimed by inserting a ``SurveyEmail`` row, unique per (invitation, kind), and sent
by the shared outbox (``ta_portal.outbox``): never twice, and a worker killed mid-send leaves it to
the redelivered task. A run claims, for each unanswered invitation of an open survey, the
invitation e-mail and, from ``SURVEY_REMINDER_DAYS`` after the opening, the reminder stage reached
(the first reminder, then the last one); a stage the run missed is not sent late once the next has
begun, and no reminder goes on the day of the invitation itself. Just before sending, with the row
locked, an e-mail to someone who has answered meanwhile, or of a survey that has closed, is skipped.
A fixed number of queries whatever the number of surveys.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from ta_portal import datacache
from ta_portal import outbox
from ta_portal.mail import automatic_email
from ta_portal.mail import site_url

from .models import EmailKind
from .models import Invitation
from .models import SurveyEmail
from .tokens import token_for


def stage(opens_on: date, today: date) -> str | None:
    """The reminder stage reached ``today`` by a survey that opened on ``opens_on`` (None: none yet)."""
    days = (today - opens_on).days
    first, *rest = settings.SURVEY_REMINDER_DAYS or [None]
    if rest and days >= rest[-1]:
        return EmailKind.LAST_CALL
    if first is not None and days >= first:
        return EmailKind.REMINDER
    return None


def send_survey_emails(*, today: date, survey_ids: Iterable[int] | None = None) -> dict:
    """Claim and dispatch every survey e-mail due ``today``; safe to run any number of times."""
    start_of_day = timezone.make_aware(datetime.combine(today, time.min))
    invited_before = SurveyEmail.objects.filter(
        invitation=OuterRef("pk"), kind=EmailKind.INVITATION, created_at__lt=start_of_day
    )
    invitations = Invitation.objects.filter(
        answered=False, survey__opens_on__lte=today, survey__closes_on__gte=today
    ).annotate(invited_before=Exists(invited_before))
    if survey_ids is not None:
        invitations = invitations.filter(survey__in=list(survey_ids))
    rows = list(invitations.order_by("pk").values_list("pk", "email", "survey__opens_on", "invited_before"))
    token, now = uuid.uuid4(), timezone.now()
    claims = []
    for pk, email, opens_on, invited_before in rows:
        claims.append(SurveyEmail(invitation_id=pk, kind=EmailKind.INVITATION, email=email, claim_token=token))
        reached = stage(opens_on, today)
        if reached and invited_before:
            claims.append(SurveyEmail(invitation_id=pk, kind=reached, email=email, claim_token=token))
    for claim in claims:
        claim.created_at = claim.updated_at = now
    with transaction.atomic():
        SurveyEmail.objects.bulk_create(claims, ignore_conflicts=True)
        datacache.changed(SurveyEmail)
        claimed = OUTBOX.claimed(token)
        again = OUTBOX.recover_unfinished(now) if survey_ids is None else []
        OUTBOX.dispatch(claimed + sorted(set(again) - set(claimed)))
    return {"invitations": len(rows), "claimed": len(claimed), "redispatched": len(again)}


def _still_needed(email: SurveyEmail) -> bool:
    invitation = email.invitation
    return not invitation.answered and invitation.survey.is_open(timezone.localdate())


def build_message(email: SurveyEmail, *, connection=None) -> EmailMessage:
    """The e-mail of a claimed row, in the participant's language, with their personal link."""
    invitation = email.invitation
    survey = invitation.survey
    language = invitation.language or survey.session.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "kind": email.kind,
            "survey": survey,
            "session": survey.session,
            "person": invitation.enrolment.person,
            "purpose": survey.get_purpose_display(),
            "link": site_url(reverse("surveys:answer", args=[token_for(invitation)]) + f"?lang={language}"),
        }
    return automatic_email(
        "surveys/email/survey",
        context,
        to=email.email,
        language=language,
        connection=connection,
        headers={"X-Survey-Email": email.kind},
    )


def _task():
    from .tasks import deliver_survey_emails  # noqa: PLC0415 (cycle: reminders -> tasks -> reminders)

    return deliver_survey_emails


OUTBOX = outbox.Outbox(
    model=SurveyEmail,
    related=("invitation__survey__session", "invitation__enrolment__person"),
    still_needed=_still_needed,
    build_message=build_message,
    task=_task,
    log_name="survey e-mails",
)
