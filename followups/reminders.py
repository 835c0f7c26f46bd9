"""Follow-up e-mails: reminders to counterparts, escalations to managers, notices of returned reports.

Every e-mail is first *claimed* by inserting a ``ReminderLog`` row; the unique constraints on
(round, recipient, kind) and (status update, recipient, kind) make the insert of a second claim a
no-op, so two runs of the job at the same moment (or twice in a day) e-mail nobody twice. A run
then hands to workers the rows it claimed, and the still-unsent claims of its rounds (an earlier
copy of the run may have died between committing its claims and dispatching them).

Each e-mail is sent as ``ta_portal.outbox`` sends every recorded e-mail: inside its own transaction
that holds the row locked (``FOR UPDATE SKIP LOCKED``) from before the SMTP conversation until the
row is marked sent just after the server's answer. A second worker given the same row (a redelivered
or duplicate task) skips it while the first is alive and finds it sent afterwards; a worker killed
mid-send rolls back, the lock goes with its connection, and the redelivered task sends the e-mail.
The only window for a duplicate is between the server's "250 OK" and the commit, a few milliseconds.
Rows left ``sending`` by the earlier batch design are marked ``interrupted`` by the next run. Failed
sends are retried with backoff by the Celery task and stay recorded with their error.

Planning and claiming use a fixed number of queries whatever the number of rounds: the rounds,
their recipients and the claims are each read or written in one statement.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from accounts.models import Membership
from accounts.models import User
from accounts.roles import Role
from engagements.models import Engagement
from ta_portal import datacache
from ta_portal import outbox
from ta_portal.mail import automatic_email
from ta_portal.mail import site_url

from .models import FollowupRound
from .models import ReminderKind
from .models import ReminderLog
from .models import StatusUpdate

logger = logging.getLogger(__name__)


def counterpart_kind(due_date: date, today: date) -> str:
    """Which reminder counterparts get for a round due on ``due_date``, as of ``today``.

    Opened → n days before (each configured threshold, the nearest that has been reached) →
    overdue. A stage the job missed (it did not run that day) is not sent late once the next
    stage has begun: nobody needs "due in 14 days" when it is due tomorrow.
    """
    days_left = (due_date - today).days
    if days_left < 0:
        return ReminderKind.OVERDUE
    for days in sorted(settings.FOLLOWUP_REMINDER_DAYS_BEFORE):
        if days_left <= days:
            return ReminderKind.before(days)
    return ReminderKind.OPENED


def is_escalated(due_date: date, today: date) -> bool:
    """A round still waiting this long after its due date is escalated to the engagement's managers."""
    return (today - due_date).days >= settings.FOLLOWUP_ESCALATION_DAYS


def send_followup_reminders(*, today: date, round_ids: Iterable[int] | None = None) -> dict:
    """Claim and dispatch every follow-up reminder due on ``today``.

    The beat job, the management command and the opening of a round all run this. It is safe to
    run any number of times, also concurrently.
    """
    # A round of the past (recorded after the fact) never reminds nor escalates, whatever its state.
    rounds = (
        FollowupRound.objects.active()
        .filter(opens_on__lte=today, recorded_at__isnull=True)
        .exclude(engagement__phase=Engagement.Phase.CLOSED)
        .order_by()
    )
    if round_ids is not None:
        rounds = rounds.filter(pk__in=list(round_ids))
    rows = list(rounds.values_list("pk", "due_date", "engagement_id", "engagement__country_id"))

    counterparts = _recipients_by_country(Role.COUNTERPART, {country for *_rest, country in rows})

    escalated = [row for row in rows if is_escalated(row[1], today)]
    managers = _escalation_recipients(escalated)

    token, now = uuid.uuid4(), timezone.now()
    claims = []
    for round_id, due_date, engagement_id, country in rows:
        kind = counterpart_kind(due_date, today)
        for user_id, email in counterparts[country]:
            claims.append(_claim(round_id, user_id, email, kind, token, now))
        if is_escalated(due_date, today):
            for user_id, email in managers.get((engagement_id, country), ()):
                claims.append(_claim(round_id, user_id, email, ReminderKind.ESCALATION, token, now))

    with transaction.atomic():
        ReminderLog.objects.bulk_create(claims, ignore_conflicts=True)
        datacache.changed(ReminderLog)
        claimed = list(ReminderLog.objects.filter(claim_token=token).values_list("pk", flat=True))
        # Never tried (attempts 0: failures keep their retry backoff); sending skips whatever another
        # worker sends meanwhile, so handing a row over twice costs nothing.
        unsent = ReminderLog.objects.filter(
            round_id__in=[row[0] for row in rows],
            status_update__isnull=True,
            status=ReminderLog.Status.PENDING,
            attempts=0,
        ).exclude(claim_token=token)
        again = set(unsent.values_list("pk", flat=True)) if rows else set()
        if round_ids is None:
            again.update(_recover_unfinished(now))
        dispatch(claimed + sorted(again))
    return {"rounds": len(rows), "claimed": len(claimed), "redispatched": len(again)}


def _claim(round_id, user_id, email, kind, token, now) -> ReminderLog:  # noqa: PLR0917
    return ReminderLog(
        round_id=round_id,
        recipient_id=user_id,
        kind=kind,
        email=email,
        claim_token=token,
        created_at=now,
        updated_at=now,
    )


def _reachable_memberships(role, countries):
    """The memberships of ``role`` in ``countries`` whose users are active and have an e-mail address."""
    return Membership.objects.filter(role=role, country_id__in=countries, user__is_active=True).exclude(user__email="")


def round_recipients(engagement) -> list[User]:
    """Whom the opening of a round of ``engagement`` e-mails (and its reminders, later): the active
    counterparts of its country with an e-mail address, by name."""
    told = _reachable_memberships(Role.COUNTERPART, [engagement.country_id]).values("user_id")
    return sorted(User.objects.filter(pk__in=told), key=lambda user: str(user).casefold())


def _recipients_by_country(role, countries) -> defaultdict[str, list[tuple[int, str]]]:
    """(user id, e-mail) of the active users holding ``role`` in each of ``countries``, those with an address."""
    recipients = defaultdict(list)
    if not countries:
        return recipients
    memberships = _reachable_memberships(role, countries).values_list("country_id", "user_id", "user__email")
    for country, user_id, email in memberships:
        recipients[country].append((user_id, email))
    return recipients


def _escalation_recipients(rows) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """The managers of each escalated engagement; if it names none, the country's own managers."""
    if not rows:
        return {}
    engagement_ids = {engagement_id for _pk, _due, engagement_id, _country in rows}
    countries = {country for *_rest, country in rows}
    named = defaultdict(list)
    through = Engagement.managers.through.objects.filter(
        engagement_id__in=engagement_ids, user__is_active=True
    ).exclude(user__email="")
    for engagement_id, user_id, email in through.values_list("engagement_id", "user_id", "user__email"):
        named[engagement_id].append((user_id, email))
    by_country = _recipients_by_country(Role.MANAGER, countries)
    return {
        (engagement_id, country): named.get(engagement_id) or by_country.get(country, [])
        for _pk, _due, engagement_id, country in rows
    }


def _recover_unfinished(now) -> list[int]:
    return OUTBOX.recover_unfinished(now)


def claim_notices(*, update: StatusUpdate, recipients, kind: str) -> list[int]:
    """Claim one notice per recipient about a status update and send them after the commit."""
    token, now = uuid.uuid4(), timezone.now()
    claims = [
        ReminderLog(
            round_id=update.round_id,
            status_update=update,
            recipient=user,
            kind=kind,
            email=user.email,
            claim_token=token,
            created_at=now,
            updated_at=now,
        )
        for user in recipients
        if user.is_active and user.email
    ]
    ReminderLog.objects.bulk_create(claims, ignore_conflicts=True)
    datacache.changed(ReminderLog)
    claimed = list(ReminderLog.objects.filter(claim_token=token).values_list("pk", flat=True))
    dispatch(claimed)
    return claimed


def dispatch(log_ids: list[int]) -> None:
    """Hand the claimed e-mails to workers once the claims are committed, in chunks."""
    OUTBOX.dispatch(log_ids)


# ---- Sending ---------------------------------------------------------------------------------


def deliver(log_ids: Iterable[int]) -> list[int]:
    """Send the claimed e-mails that are still to be sent; return the ids whose sending failed."""
    return OUTBOX.deliver(log_ids)


def _still_needed(log: ReminderLog) -> bool:
    if not log.recipient.is_active:
        return False
    if log.status_update_id:
        return True
    round_ = log.round
    # A reminder or escalation is pointless once the round is submitted or closed, and never
    # concerns a round of the past.
    return round_.submitted_at is None and round_.closed_at is None and round_.recorded_at is None


def build_message(log: ReminderLog, *, connection=None) -> EmailMessage:
    """The e-mail for a claimed row, in the recipient's language, with a link straight to the page."""
    language = log.recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"log": log, "recipient": log.recipient, "kind": log.kind}
        if log.status_update_id:
            update = log.status_update
            context.update(update=update, measure=update.measure)
            if update.round_id:
                link = site_url(
                    reverse("followups:round_detail", args=[update.round_id]) + f"#measure-{update.measure_id}"
                )
            else:
                link = site_url(reverse("followups:measure_detail", args=[update.measure_id]))
            template = "returned"
        else:
            round_ = log.round
            context.update(
                round=round_,
                engagement=round_.engagement,
                escalation_days=settings.FOLLOWUP_ESCALATION_DAYS,
            )
            if log.kind == ReminderKind.ESCALATION:
                link = site_url(reverse("followups:board", args=[round_.engagement_id]))
                template = "escalation"
            else:
                link = site_url(reverse("followups:round_detail", args=[round_.pk]) + "#report")
                template = "reminder"
        context["link"] = link
    return automatic_email(
        f"followups/email/{template}",
        context,
        to=log.email,
        language=language,
        connection=connection,
        headers={"X-Followup-Kind": log.kind},
    )


def _task():
    from .tasks import deliver_followup_emails  # noqa: PLC0415 (cycle: reminders -> tasks -> reminders)

    return deliver_followup_emails


OUTBOX = outbox.Outbox(
    model=ReminderLog,
    related=("recipient", "round__engagement__country", "status_update__measure", "status_update__reviewed_by"),
    still_needed=_still_needed,
    build_message=build_message,
    task=_task,
    log_name="follow-up e-mails",
)
