"""Writes of follow-up data. Each is one transaction; e-mails go out after it commits.

A measure's status changes only here, through status updates: ``status_update_save`` (a report,
or a draft of one) and ``status_update_review`` (a manager accepts it or returns it), both of
which end in ``measure_recompute``.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Exists
from django.db.models import Max
from django.db.models import Min
from django.db.models import OuterRef
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Engagement
from notifications import services as notifications  # a module: round_open has a ``notify`` flag
from ta_portal import datacache
from ta_portal.bulk import update_rows
from ta_portal.uploads import EVIDENCE
from ta_portal.uploads import CheckedFile
from ta_portal.uploads import check_uploads
from ta_portal.validation import moment_on
from ta_portal.validation import past_day_errors

from . import notices
from .access import can_manage_followup
from .access import can_report_progress
from .access import can_review_updates
from .models import REPORTED_STATES
from .models import UNANSWERED_MESSAGE
from .models import CoordinationResponse
from .models import Evidence
from .models import FollowupRound
from .models import FollowupSchedule
from .models import IndicatorValue
from .models import Measure
from .models import MeasureStatus
from .models import ReminderKind
from .models import RoundMeasure
from .models import StatusUpdate
from .models import UpdateState
from .models import agreed_day
from .models import report_date_errors
from .models import unanswered_questions
from .reminders import claim_notices
from .selectors import COUNTING_STATES
from .selectors import measures_open_on

# ---- Measures -------------------------------------------------------------------------------


@transaction.atomic
def measure_save(*, measure: Measure, by, substances=None) -> Measure:
    """Create or change a measure's description. Its status is not touched here (see status updates)."""
    if not can_manage_followup(by, measure.engagement):
        raise PermissionDenied
    if measure.pk is None:
        measure.created_by = by
    measure.full_clean()
    measure.save()
    if substances is not None:
        measure.substances.set(substances)
    return measure


# What a measure derives from its status updates (``measure_recompute`` writes them).
DERIVED_FIELDS = ["status", "progress_pct", "verified_status", "verified_at", "latest_update", "updated_at"]
_UPDATE_FIELDS = ("pk", "measure_id", "state", "status", "progress_pct", "submitted_at", "reviewed_at")


def _newest_first(update: StatusUpdate) -> tuple:
    # As PostgreSQL orders "-submitted_at, -pk": no date first, then the latest.
    return (update.submitted_at is None, update.submitted_at or timezone.now(), update.pk)


def _derive(measure: Measure, updates) -> None:
    """Set the measure's reported and verified status from its updates (any order; drafts are ignored).

    The one derivation: what counterparts reported is the latest report submitted or accepted,
    what a manager verified the latest accepted, and the latest update any report (a returned one too).
    """
    updates = sorted((u for u in updates if u.state in REPORTED_STATES), key=_newest_first, reverse=True)
    reported = next((u for u in updates if u.state in COUNTING_STATES), None)
    verified = next((u for u in updates if u.state == UpdateState.ACCEPTED), None)
    measure.status = reported.status if reported else MeasureStatus.NOT_STARTED
    measure.progress_pct = reported.progress_pct if reported else 0
    measure.verified_status = verified.status if verified else ""
    measure.verified_at = verified.reviewed_at if verified else None
    measure.latest_update = updates[0] if updates else None


def measure_recompute(measure: Measure) -> Measure:
    """Derive the measure's reported and verified status from its updates (call inside a transaction)."""
    _derive(measure, measure.updates.filter(state__in=REPORTED_STATES).only(*_UPDATE_FIELDS))
    measure.save(update_fields=DERIVED_FIELDS)
    return measure


def measures_recompute(measure_ids) -> int:
    """``measure_recompute`` for many measures at once, in a fixed number of queries (the history
    import); returns how many measures were written."""
    measures = list(Measure.objects.filter(pk__in=list(measure_ids)).order_by("pk"))
    if not measures:
        return 0
    updates: dict[int, list[StatusUpdate]] = {measure.pk: [] for measure in measures}
    reported = StatusUpdate.objects.filter(measure_id__in=list(updates), state__in=REPORTED_STATES)
    for update in reported.only(*_UPDATE_FIELDS).order_by():
        updates[update.measure_id].append(update)
    now = timezone.now()
    for measure in measures:
        _derive(measure, updates[measure.pk])
        measure.updated_at = now
    update_rows(Measure, measures, DERIVED_FIELDS)
    datacache.changed(Measure)
    return len(measures)


# ---- Schedules and rounds -------------------------------------------------------------------


@transaction.atomic
def schedule_save(*, schedule: FollowupSchedule, by) -> FollowupSchedule:
    if not can_manage_followup(by, schedule.engagement):
        raise PermissionDenied
    schedule.updated_by = by
    schedule.full_clean()
    schedule.save()
    return schedule


@transaction.atomic
def round_open(
    *,
    engagement: Engagement,
    due_date: date,
    opens_on: date | None = None,
    by=None,
    schedule: FollowupSchedule | None = None,
    period: int | None = None,
    notify: bool = True,
) -> FollowupRound:
    """Open a round asking for an update on every open measure; it replaces the previous round.

    Opening the round of a schedule period that already has one returns that round (so the daily
    job may run twice). With ``notify`` the counterparts are e-mailed once the round is committed.
    """
    if opens_on is None:
        # Opened now, by hand: the page and the API leave this check to the service.
        opens_on = timezone.localdate()
        if due_date < opens_on:
            raise ValidationError({"due_date": [_("The due date must not be in the past.")]})
    round_ = FollowupRound(
        engagement=engagement, schedule=schedule, period=period, opens_on=opens_on, due_date=due_date, opened_by=by
    )
    round_.clean()
    # Serialise openings of one engagement, so two at the same moment cannot both stay open.
    Engagement.objects.select_for_update().filter(pk=engagement.pk).exists()
    if schedule is not None:
        existing = FollowupRound.objects.filter(schedule=schedule, period=period).first()
        if existing is not None:
            return existing
    now = timezone.now()
    FollowupRound.objects.filter(engagement=engagement, closed_at__isnull=True).update(closed_at=now)
    round_.opened_at = now
    round_.save()
    measure_ids = list(Measure.objects.filter(engagement=engagement).open().values_list("pk", flat=True))
    RoundMeasure.objects.bulk_create([RoundMeasure(round=round_, measure_id=pk) for pk in measure_ids])
    datacache.changed(FollowupRound, RoundMeasure)
    if not measure_ids:
        # Nothing to ask about: the round is complete as it opens.
        round_.submitted_at = now
        round_.save(update_fields=["submitted_at"])
    else:
        _notify_round_opened(round_, by=by)
        if notify:
            from .tasks import send_round_reminders  # noqa: PLC0415 (cycle: services -> tasks -> services)

            round_id, day = round_.pk, timezone.localdate().isoformat()
            transaction.on_commit(lambda: send_round_reminders.delay(round_id, day))
    return round_


def _notify_round_opened(round_: FollowupRound, *, by) -> None:
    engagement = round_.engagement
    notifications.notify(
        recipients=notices.counterparts(engagement),
        kind="followups.round_opened",
        params={"engagement": engagement.title, "due": round_.due_date.isoformat()},
        url=round_.get_absolute_url(),
        exclude=by,
    )


@transaction.atomic
def round_record(
    *, engagement: Engagement, opens_on: date, due_date: date, by, measures: list[Measure] | None = None
) -> FollowupRound:
    """Record a round of the past, after the fact: opened and due on the days given (not in the
    future, not before the engagement started), asking about ``measures`` (by default the
    engagement's measures open on its opening day).

    It is stored closed, with who recorded it and when: counterparts never report in it and it never
    sends a reminder or an escalation; managers record its reports with their own dates
    (``status_update_record``). The engagement's current round stays open.
    """
    if not can_manage_followup(by, engagement):
        raise PermissionDenied
    errors: dict[str, list] = {}
    _merge(
        errors,
        past_day_errors(
            opens_on,
            field="opens_on",
            not_before=engagement.start_date,
            not_before_message=_("The round cannot open before the engagement started (%(day)s)."),
        ),
    )
    _merge(errors, past_day_errors(due_date, field="due_date"))
    round_ = FollowupRound(engagement=engagement, opens_on=opens_on, due_date=due_date, opened_by=by, recorded_by=by)
    try:
        round_.clean()
    except ValidationError as exc:
        _merge(errors, exc.message_dict)
    if "opens_on" not in errors and FollowupRound.objects.filter(engagement=engagement, opens_on=opens_on).exists():
        errors["opens_on"] = [_("The engagement already has a round opening on this day.")]
    if measures is None:
        chosen = list(measures_open_on(engagement, opens_on)) if "opens_on" not in errors else []
        if not chosen and "opens_on" not in errors:
            errors["measures"] = [
                _("No measure of the engagement was open on %(day)s: choose the measures the round asked about.")
                % {"day": opens_on}
            ]
    else:
        chosen = _measures_asked_then(engagement, measures, opens_on, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    round_.opened_at = moment_on(opens_on)
    round_.recorded_at = round_.closed_at = now
    round_.save()
    RoundMeasure.objects.bulk_create([RoundMeasure(round=round_, measure=measure) for measure in chosen])
    datacache.changed(FollowupRound, RoundMeasure)
    return round_


def _measures_asked_then(engagement, measures, opens_on: date, errors: dict) -> list[Measure]:
    """The measures chosen for a round of the past, checked: the engagement's, agreed by its opening."""
    chosen = list(dict.fromkeys(measures))
    if not chosen:
        errors["measures"] = [_("Choose the measures the round asked about.")]
        return []
    strangers = [m.title for m in chosen if m.engagement_id != engagement.pk]
    if strangers:
        errors["measures"] = [_("Not measures of this engagement: %(titles)s.") % {"titles": ", ".join(strangers)}]
        return []
    if opens_on is not None and "opens_on" not in errors:
        agreed = dict(
            Measure.objects.filter(pk__in=[m.pk for m in chosen]).annotate(day=agreed_day()).values_list("pk", "day")
        )
        later = [m.title for m in chosen if agreed[m.pk] > opens_on]
        if later:
            errors["measures"] = [
                _(
                    "Agreed after the round opened: %(titles)s. A measure of the past needs the day it was agreed "
                    "(edit the measure)."
                )
                % {"titles": ", ".join(later)}
            ]
    return chosen


def _merge(errors: dict, more: dict) -> None:
    """Add field errors (``{field: message or [messages]}``) to ``errors``."""
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages if isinstance(messages, list | tuple) else [messages])


@transaction.atomic
def round_close(*, round_: FollowupRound, by) -> FollowupRound:
    if not can_manage_followup(by, round_.engagement):
        raise PermissionDenied
    closed = FollowupRound.objects.filter(pk=round_.pk, closed_at__isnull=True).update(closed_at=timezone.now())
    datacache.changed(FollowupRound)
    if not closed:
        raise ValidationError(_("This round is already closed."))
    round_.refresh_from_db(fields=["closed_at"])
    return round_


def open_scheduled_rounds(*, today: date) -> list[FollowupRound]:
    """Open the round of every active schedule whose period has begun by ``today``.

    A period whose due date has already passed (the job did not run for its whole window, or a
    schedule was entered with a past start) is skipped rather than opened overdue.
    """
    schedules = (
        FollowupSchedule.objects.filter(active=True, start_date__lte=today)
        .exclude(engagement__phase=Engagement.Phase.CLOSED)
        .select_related("engagement")
        .annotate(last_period=Max("rounds__period"))
    )
    opened = []
    for schedule in schedules:
        period = schedule.period_on(today)
        if period is None or (schedule.last_period or 0) >= period:
            continue
        opens_on = schedule.opens_on(period)
        due_date = opens_on + timedelta(days=schedule.response_days)
        if due_date < today:
            continue
        opened.append(
            round_open(
                engagement=schedule.engagement,
                due_date=due_date,
                opens_on=opens_on,
                schedule=schedule,
                period=period,
                notify=False,  # the reminder job announces it
            )
        )
    return opened


def round_refresh_submission(round_: FollowupRound) -> bool:
    """Mark the round submitted once every measure it asks about has a report in it.

    It was submitted when the last of its measures got its first report: the reports' own dates,
    so a report recorded after the fact dates the submission as it happened. A round of the past
    is judged again whenever one of its reports is recorded (they may come in any order).
    """
    if round_.submitted_at is not None and not round_.is_recorded_after_the_fact:
        return True
    reported = StatusUpdate.objects.filter(round=round_, measure=OuterRef("measure"), state__in=REPORTED_STATES)
    asked = RoundMeasure.objects.filter(round=round_)
    if asked.filter(~Exists(reported)).exists():
        return False
    first_reports = Subquery(reported.order_by("submitted_at").values("submitted_at")[:1])
    submitted = asked.annotate(first=first_reports).aggregate(last=Max("first"))["last"]
    FollowupRound.objects.filter(pk=round_.pk).update(submitted_at=submitted)
    datacache.changed(FollowupRound)
    round_.submitted_at = submitted
    return True


def rounds_refresh_submission(rounds) -> list[FollowupRound]:
    """``round_refresh_submission`` for many rounds at once (the history import), in two queries
    whatever their number; returns the rounds whose submission changed (written)."""
    rounds = [r for r in rounds if r.submitted_at is None or r.is_recorded_after_the_fact]
    ids = [r.pk for r in rounds]
    if not ids:
        return []
    asked: dict[int, set[int]] = {pk: set() for pk in ids}
    for round_id, measure_id in RoundMeasure.objects.filter(round_id__in=ids).values_list("round_id", "measure_id"):
        asked[round_id].add(measure_id)
    first_reports = (
        StatusUpdate.objects.filter(round_id__in=ids, state__in=REPORTED_STATES)
        .order_by()
        .values("round_id", "measure_id")
        .annotate(first=Min("submitted_at"))
    )
    first = {(row["round_id"], row["measure_id"]): row["first"] for row in first_reports}
    changed = []
    for round_ in rounds:
        if any((round_.pk, measure) not in first for measure in asked[round_.pk]):
            continue
        submitted = max((first[(round_.pk, measure)] for measure in asked[round_.pk]), default=None)
        if submitted != round_.submitted_at:
            round_.submitted_at = submitted
            changed.append(round_)
    update_rows(FollowupRound, changed, ["submitted_at"])
    datacache.changed(FollowupRound)
    return changed


# ---- Status updates -------------------------------------------------------------------------


def report_errors(*, status, progress_pct, narrative, submit: bool = True, manager: bool) -> dict[str, list[str]]:
    """The rules on what a report says, whatever its round: a status of the list (cancelling is for
    managers), a progress of 0–100 that agrees with the status, and, once submitted, what was done.
    ``{field: [message]}``, empty when the report may be made; reports made in the portal, recorded
    after the fact or imported from a history workbook all go through it."""
    errors: dict[str, list[str]] = {}
    if status not in MeasureStatus.values:
        errors["status"] = [_("Choose a status from the list.")]
    elif status == MeasureStatus.CANCELLED and not manager:
        errors["status"] = [_("Only a programme manager can cancel a measure.")]
    if not isinstance(progress_pct, int) or isinstance(progress_pct, bool) or not 0 <= progress_pct <= 100:
        errors["progress_pct"] = [_("Progress is a whole number from 0 to 100.")]
    elif status == MeasureStatus.IMPLEMENTED and progress_pct != 100:
        # xgettext:no-python-format
        errors["progress_pct"] = [_("An implemented measure is 100% done.")]
    elif status == MeasureStatus.NOT_STARTED and progress_pct != 0:
        # xgettext:no-python-format
        errors["progress_pct"] = [_("A measure not started is 0% done.")]
    if submit and not (narrative or "").strip():
        errors["narrative"] = [_("Say what was done since the last report (the evidence alone is not enough).")]
    return errors


def _validate_report(*, measure, round_, by, status, progress_pct, narrative, submit, manager, recorded=False) -> None:
    """The rules of a report; ``recorded``: a report of the past, recorded after the fact."""
    errors: dict[str, list[str]] = {}
    if round_ is None:
        if not manager:
            errors["round"] = [_("Counterparts report within a follow-up round.")]
        elif not submit:
            errors["round"] = [_("A draft belongs to a round.")]
    elif round_.engagement_id != measure.engagement_id:
        errors["round"] = [_("This round belongs to another engagement.")]
    elif recorded and not round_.takes_reports_of_the_past:
        errors["round"] = [
            _("This round is closed: a report of the past goes into a round recorded after the fact, or into none.")
        ]
    elif round_.closed_at is not None and not recorded:
        errors["round"] = [_("This round is closed; report in the current round.")]
    elif not round_.round_measures.filter(measure=measure).exists():
        # A round asks about the measures open when it opened; a report on any other would change
        # that measure's status through a round that never asked about it.
        errors["measure"] = [_("This round does not ask about this measure.")]
    errors.update(
        report_errors(status=status, progress_pct=progress_pct, narrative=narrative, submit=submit, manager=manager)
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def status_update_save(
    *,
    measure: Measure,
    round_: FollowupRound | None,
    by,
    status: str,
    progress_pct: int,
    narrative: str = "",
    files=(),
    submit: bool,
) -> StatusUpdate:
    """Save the draft of (measure, round) and, with ``submit``, report it.

    A counterpart's report waits for a manager's verification; a manager's own report (e.g. a
    cancellation) is verified as it is made. The round is marked submitted when this was the last
    measure it was waiting for.
    """
    if not can_report_progress(by, measure.engagement):
        raise PermissionDenied
    manager = can_manage_followup(by, measure.engagement)
    _validate_report(
        measure=measure,
        round_=round_,
        by=by,
        status=status,
        progress_pct=progress_pct,
        narrative=narrative,
        submit=submit,
        manager=manager,
    )
    # Lock in a fixed order (round, then measure) so concurrent reports serialise instead of
    # both missing each other when deciding whether the round is complete.
    if round_ is not None:
        round_ = FollowupRound.objects.select_for_update().get(pk=round_.pk)
    measure = Measure.objects.select_for_update().select_related("engagement").get(pk=measure.pk)
    if submit and not manager and measure.updates.filter(state=UpdateState.SUBMITTED).exists():
        raise ValidationError(
            _("An earlier report on this measure is waiting for verification; report again once it is reviewed.")
        )
    update = None
    if round_ is not None:
        update = StatusUpdate.objects.filter(measure=measure, round=round_, state=UpdateState.DRAFT).first()
    if update is None:
        update = StatusUpdate(measure=measure, round=round_, created_by=by)
    checked = _check_files(update, files)
    update.status, update.progress_pct, update.narrative = status, progress_pct, narrative or ""
    now = timezone.now()
    if submit:
        update.state = UpdateState.ACCEPTED if manager else UpdateState.SUBMITTED
        update.submitted_by, update.submitted_at = by, now
        if manager:
            update.reviewed_by, update.reviewed_at = by, now
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        # Another report on the measure was made at the same moment.
        raise ValidationError(_("Someone else reported on this measure at the same moment; reload the page."))
    for item in checked:
        evidence_store(update=update, checked=item, by=by)
    if submit:
        measure_recompute(measure)
        if round_ is not None:
            round_refresh_submission(round_)
        if not manager:
            notifications.notify(
                recipients=notices.reviewers(measure.engagement),
                kind="followups.report_submitted",
                params={"who": by.get_full_name() or by.get_username(), "measure": measure.title},
                url=update.get_absolute_url(),
                exclude=by,
            )
    return update


@transaction.atomic
def status_update_record(
    *,
    measure: Measure,
    round_: FollowupRound | None,
    by,
    status: str,
    progress_pct: int,
    narrative: str,
    submitted_on: date | None,
    verified_on: date | None = None,
    files=(),
) -> StatusUpdate:
    """Record a report of the past, after the fact (a manager's task): submitted on ``submitted_on``
    and, with ``verified_on``, verified that day by the manager recording it; otherwise it awaits
    verification like any report. It keeps every rule of a report (``_validate_report``) and the
    order of a past report's dates (``report_date_errors``); it may go into a round of the past
    (closed as recorded) or none. It names nobody as its reporter (who reported then is not known
    to the portal) and sends no e-mail.
    """
    if not can_manage_followup(by, measure.engagement):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if submitted_on is None:
        errors["submitted_on"] = [_("Give the day the report was submitted.")]
    dates = report_date_errors(round_=round_, submitted_on=submitted_on, reviewed_on=verified_on)
    if "reviewed_on" in dates:
        dates["verified_on"] = dates.pop("reviewed_on")
    _merge(errors, dates)
    try:
        _validate_report(
            measure=measure,
            round_=round_,
            by=by,
            status=status,
            progress_pct=progress_pct,
            narrative=narrative,
            submit=True,
            manager=True,
            recorded=True,
        )
    except ValidationError as exc:
        _merge(errors, exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if round_ is not None:
        round_ = FollowupRound.objects.select_for_update().get(pk=round_.pk)
    measure = Measure.objects.select_for_update().select_related("engagement").get(pk=measure.pk)
    if verified_on is None and measure.updates.filter(state=UpdateState.SUBMITTED).exists():
        raise ValidationError(
            {
                "verified_on": [
                    _(
                        "Another report on this measure awaits verification: verify it first, or give the day "
                        "this one was verified."
                    )
                ]
            }
        )
    update = StatusUpdate(
        measure=measure,
        round=round_,
        created_by=by,
        status=status,
        progress_pct=progress_pct,
        narrative=narrative or "",
        state=UpdateState.ACCEPTED if verified_on else UpdateState.SUBMITTED,
        submitted_at=moment_on(submitted_on),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    if verified_on is not None:
        update.reviewed_by, update.reviewed_at = by, moment_on(verified_on)
    checked = _check_files(update, files)
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        raise ValidationError(_("Someone else reported on this measure at the same moment; reload the page."))
    for item in checked:
        evidence_store(update=update, checked=item, by=by)
    measure_recompute(measure)
    if round_ is not None:
        round_refresh_submission(round_)
    return update


def _check_files(update: StatusUpdate, files) -> list[CheckedFile]:
    files = list(files or [])
    if not files:
        return []
    already = update.evidence.count() if update.pk else 0
    try:
        return check_uploads(files, policy=EVIDENCE, already=already)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages})


@transaction.atomic
def status_update_submit(*, update: StatusUpdate, by) -> StatusUpdate:
    """Report a saved draft as it stands."""
    if not update.is_draft:
        raise ValidationError(_("Only a draft can be submitted."))
    return status_update_save(
        measure=update.measure,
        round_=update.round,
        by=by,
        status=update.status,
        progress_pct=update.progress_pct,
        narrative=update.narrative,
        submit=True,
    )


@transaction.atomic
def status_update_review(*, update: StatusUpdate, by, accept: bool, comment: str = "") -> StatusUpdate:
    """A manager accepts a report (it becomes the verified status) or returns it with a comment.

    The counterpart who reported is e-mailed when a report is returned.
    """
    if not can_review_updates(by, update.measure.engagement):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what needs to change, so the counterpart can correct it.")]})
    measure = Measure.objects.select_for_update().get(pk=update.measure_id)
    update = StatusUpdate.objects.select_for_update().get(pk=update.pk)
    if update.state != UpdateState.SUBMITTED:
        raise ValidationError(_("This report was already reviewed."))
    update.state = UpdateState.ACCEPTED if accept else UpdateState.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_comment = by, timezone.now(), comment
    update.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    measure_recompute(measure)
    if not accept and update.submitted_by_id and not update.is_recorded_after_the_fact:
        claim_notices(update=update, recipients=[update.submitted_by], kind=ReminderKind.RETURNED)
    if update.submitted_by_id and not update.is_recorded_after_the_fact:
        notifications.notify(
            recipients=notices.reporter(update, measure.engagement),
            kind="followups.report_accepted" if accept else "followups.report_returned",
            params={"measure": measure.title, "comment": comment},
            url=update.get_absolute_url(),
            exclude=by,
        )
    return update


# ---- Evidence -------------------------------------------------------------------------------


def evidence_store(*, update: StatusUpdate, checked: CheckedFile, by) -> Evidence:
    evidence = Evidence(status_update=update, uploaded_by=by, **checked.record_fields())
    # The name given here only carries the extension; upload_to makes the stored name random.
    evidence.file.save(f"evidence.{checked.extension}", checked.upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by) -> None:
    update = evidence.status_update
    if not can_report_progress(by, update.measure.engagement):
        raise PermissionDenied
    if not update.is_draft:
        raise ValidationError(_("Files of a submitted report are part of its record and cannot be removed."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---- Indicators and the coordination questionnaire -------------------------------------------


@transaction.atomic
def round_indicators_save(*, round_: FollowupRound, by, values: dict, answers: dict | None, comment: str = "") -> None:
    """Record the round's indicator values ({indicator: (value or None, note)}) and questionnaire."""
    if not can_report_progress(by, round_.engagement):
        raise PermissionDenied
    if round_.closed_at is not None:
        raise ValidationError(_("This round is closed; report in the current round."))
    for indicator, (value, note) in values.items():
        if indicator.engagement_id != round_.engagement_id:
            raise ValidationError(_("The indicator belongs to another engagement."))
        if value is None:
            IndicatorValue.objects.filter(indicator=indicator, round=round_).delete()
            continue
        IndicatorValue.objects.update_or_create(
            indicator=indicator, round=round_, defaults={"value": value, "note": note or "", "reported_by": by}
        )
    if answers is not None:
        if unanswered_questions(answers):
            raise ValidationError(UNANSWERED_MESSAGE)
        CoordinationResponse.objects.update_or_create(
            round=round_, defaults={**answers, "comment": comment or "", "answered_by": by}
        )
