from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404
from assessments.models import Roundtable
from engagements.models import Engagement
from engagements.selectors import engagement_get_for_user
from reports.charts import bar_chart
from ta_portal.bodylimit import body_limit
from ta_portal.pages import run_action
from ta_portal.pagination import paginate
from ta_portal.params import int_param
from ta_portal.uploads import EVIDENCE
from ta_portal.uploads import stored_file_response

from . import selectors
from . import services
from .access import can_manage_followup
from .access import can_report_progress
from .access import can_review_updates
from .access import can_see_evidence
from .forms import IndicatorForm
from .forms import MeasureForm
from .forms import ReviewForm
from .forms import RoundIndicatorsForm
from .forms import RoundOpenForm
from .forms import RoundRecordForm
from .forms import RoundtableMeasureForm
from .forms import ScheduleForm
from .forms import StatusUpdateForm
from .forms import StatusUpdateRecordForm
from .models import CLOSED_STATUSES
from .models import COORDINATION_QUESTIONS
from .models import FollowupRound
from .models import FollowupSchedule
from .models import Indicator
from .models import Measure
from .models import MeasureStatus
from .models import ReminderLog
from .models import StatusUpdate
from .models import UpdateState
from .reminders import round_recipients

PAGE_SIZE = 50


def _require_manager(user, engagement) -> None:
    if not can_manage_followup(user, engagement):
        raise PermissionDenied


def _managed_part_views(form_page, *, fetch):
    """The views of ``form_page(request, engagement, part)`` for the engagement's managers: a new part
    of engagement ``pk``, and the part ``pk`` that ``fetch`` finds (404 outside the user's scope)."""

    @login_required
    def create(request, pk: int):
        engagement = engagement_get_for_user(user=request.user, pk=pk)
        _require_manager(request.user, engagement)
        return form_page(request, engagement, None)

    @login_required
    def edit(request, pk: int):
        part = fetch(user=request.user, pk=pk)
        _require_manager(request.user, part.engagement)
        return form_page(request, part.engagement, part)

    return create, edit


def _require_reporter(user, engagement) -> None:
    if not can_report_progress(user, engagement):
        raise PermissionDenied


def _posted(request):
    """The posted data, even when empty (``request.POST or None`` would leave an empty post unbound)."""
    return request.POST if request.method == "POST" else None


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _write(form, service, **kwargs):
    """Call the service that writes a valid form's data and return what it returns; a
    ValidationError it raises goes on the form, so ``form.errors`` then says it failed."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        _form_errors(form, exc)
        return None


# ---- Overview, board, inbox -----------------------------------------------------------------


@login_required
def index(request):
    """Every engagement in follow-up the user can see, with its current round; a counterpart's to-do list."""
    today = timezone.localdate()
    current = (
        FollowupRound.objects.filter(engagement=OuterRef("pk"), closed_at__isnull=True)
        .with_status(today)
        .order_by("-opens_on", "-pk")
    )
    engagements = (
        Engagement.objects.visible_to(request.user)
        .filter(Q(phase=Engagement.Phase.FOLLOW_UP) | Q(followup_schedule__isnull=False) | Q(measures__isnull=False))
        .distinct()
        .select_related("country")
        .annotate(
            n_measures=Count("measures", distinct=True),
            n_open=Count("measures", filter=~Q(measures__status__in=CLOSED_STATUSES), distinct=True),
            n_overdue=Count(
                "measures",
                filter=Q(measures__due_date__lt=today) & ~Q(measures__status__in=CLOSED_STATUSES),
                distinct=True,
            ),
            round_id=Subquery(current.values("pk")[:1]),
            round_due=Subquery(current.values("due_date")[:1]),
            round_status=Subquery(current.values("round_status")[:1]),
        )
        .order_by("country__name", "title")
    )
    rows = [
        {
            "engagement": engagement,
            "round_status": engagement.round_status,
            "can_report": can_report_progress(request.user, engagement),
        }
        for engagement in engagements
    ]
    pending = None
    if can_review_updates(request.user):
        pending = selectors.inbox_updates(request.user).count()
    return render(request, "followups/index.html", {"rows": rows, "pending": pending, "today": today})


BOARD_FILTERS = {
    "overdue": gettext_lazy("Overdue"),
    "awaiting": gettext_lazy("Awaiting verification"),
    "unverified": gettext_lazy("Not verified"),
    "open": gettext_lazy("Open measures"),
}


@login_required
def board(request, pk: int):
    engagement = engagement_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    all_measures = Measure.objects.filter(engagement=engagement)
    measures = selectors.board_measures(engagement)
    show = request.GET.get("show", "")
    if show == "overdue":
        measures = measures.overdue(today)
    elif show == "awaiting":
        measures = measures.filter(latest_update__state=UpdateState.SUBMITTED)
    elif show == "unverified":
        measures = measures.filter(latest_update__isnull=False).exclude(verified_status=F("status"))
    elif show == "open":
        measures = measures.open()
    rounds = list(selectors.engagement_rounds(engagement, today))
    current = next((r for r in rounds if r.closed_at is None), None)
    schedule = FollowupSchedule.objects.filter(engagement=engagement).first()
    figures = selectors.measure_status_counts(all_measures)
    return render(
        request,
        "followups/board.html",
        {
            "engagement": engagement,
            "measures": measures,
            "rounds": rounds,
            "current": current,
            "schedule": schedule,
            "upcoming": schedule.upcoming(today) if schedule and schedule.active else [],
            "figures": figures,
            "verified": selectors.measure_status_counts(all_measures, field="verified_status"),
            "compliance": selectors.followup_compliance(FollowupRound.objects.filter(engagement=engagement), today),
            "n_overdue": all_measures.overdue(today).count(),
            "n_awaiting": StatusUpdate.objects.filter(
                measure__engagement=engagement, state=UpdateState.SUBMITTED
            ).count(),
            "coordination": _coordination_chart(rounds),
            "today": today,
            "show": show,
            "board_filters": BOARD_FILTERS,
            "can_manage": can_manage_followup(request.user, engagement),
            "can_report": can_report_progress(request.user, engagement),
            "statuses": MeasureStatus,
        },
    )


def _coordination_chart(rounds):
    """The coordination score (0–100) of each round that has one, oldest first; None without any."""
    items = [
        (f"{round_.opens_on:%m/%Y}", round_.coordination.score)
        for round_ in reversed(rounds)
        if getattr(round_, "coordination", None) is not None
    ]
    if not items:
        return None
    return bar_chart(
        items=items,
        max_value=100,
        title=_("Coordination score per round, 0 to 100 (the same figures are in the rounds table)"),
        width=420,
        label_width=70,
        table_id="rounds-table",
    )


@login_required
def inbox(request):
    """Reports waiting for this manager's verification, oldest first."""
    if not can_review_updates(request.user):
        raise PermissionDenied
    updates = selectors.inbox_updates(request.user)
    page = paginate(request, updates, per_page=PAGE_SIZE)
    return render(request, "followups/inbox.html", {"page": page, "today": timezone.localdate()})


# ---- Measures -------------------------------------------------------------------------------


def _measure_form(request, engagement, measure):
    form = MeasureForm(_posted(request), instance=measure, engagement=engagement, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _write(
            form,
            services.measure_save,
            measure=form.save(commit=False),
            by=request.user,
            substances=form.cleaned_data["substances"],
        )
        if not form.errors:
            messages.success(request, _("The measure was saved."))
            return redirect(saved)
    return render(request, "followups/measure_form.html", {"form": form, "engagement": engagement, "measure": measure})


measure_create, measure_edit = _managed_part_views(_measure_form, fetch=selectors.measure_get_for_user)


@login_required
@body_limit(EVIDENCE.request_max_bytes)
def measure_detail(request, pk: int):
    """A measure's history: every report, who made it, how it was reviewed. Managers may record a status."""
    measure = selectors.measure_get_for_user(user=request.user, pk=pk)
    engagement = measure.engagement
    can_manage = can_manage_followup(request.user, engagement)
    current = selectors.current_round(engagement)
    # A measure the current round does not ask about (added since it opened) is recorded outside it.
    report_round = current if current and current.round_measures.filter(measure=measure).exists() else None
    form = (
        StatusUpdateForm(_posted(request), request.FILES if request.method == "POST" else None, manager=True)
        if can_manage
        else None
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid() and _save_report(request, form, measure=measure, round_=report_round, submit=True):
            messages.success(request, _("The status was recorded and verified."))
            return redirect(measure)
    updates = (
        StatusUpdate.objects.visible_to(request.user)
        .filter(measure=measure)
        .select_related("round", "submitted_by", "reviewed_by", "created_by", "recorded_by")
        .prefetch_related("evidence")
        .order_by("-submitted_at", "-created_at", "-pk")
    )
    return render(
        request,
        "followups/measure_detail.html",
        {
            "measure": measure,
            "engagement": engagement,
            "sources": _visible_sources(request.user, measure),
            "updates": updates,
            "rounds": measure.rounds.order_by("-opens_on"),
            "substances": measure.substances.all(),
            "can_manage": can_manage,
            "can_see_evidence": can_see_evidence(request.user, engagement),
            "form": form,
            "current": current,
            "today": timezone.localdate(),
        },
    )


def _save_report(request, form, *, measure, round_, submit: bool) -> bool:
    """Save (and with ``submit`` report) the form's status update; the service's objections go on the form."""
    _write(
        form,
        services.status_update_save,
        measure=measure,
        round_=round_,
        by=request.user,
        status=form.cleaned_data["status"],
        progress_pct=form.cleaned_data["progress_pct"],
        narrative=form.cleaned_data["narrative"],
        files=form.cleaned_data["files"],
        submit=submit,
    )
    return not form.errors


@login_required
@body_limit(EVIDENCE.request_max_bytes)
def update_record(request, pk: int):
    """Record a report of the past on a measure, after the fact, with the days it was submitted and verified."""
    measure = selectors.measure_get_for_user(user=request.user, pk=pk)
    engagement = measure.engagement
    _require_manager(request.user, engagement)
    rounds = selectors.rounds_for_report_of_the_past(measure)
    asked = int_param(request.GET.get("round"))
    form = StatusUpdateRecordForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        rounds=rounds,
        initial={"round": asked, "status": measure.status, "progress_pct": measure.progress_pct},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        update = _write(
            form,
            services.status_update_record,
            measure=measure,
            round_=data["round"],
            by=request.user,
            status=data["status"],
            progress_pct=data["progress_pct"],
            narrative=data["narrative"],
            submitted_on=data["submitted_on"],
            verified_on=data["verified_on"],
            files=data["files"],
        )
        if not form.errors:
            messages.success(request, _("The report of the past was recorded; nobody was e-mailed."))
            return redirect(update)
    return render(request, "followups/update_record.html", {"form": form, "measure": measure, "engagement": engagement})


def _visible_sources(user, measure) -> list[tuple[str, object, bool]]:
    """(label, source, may open it) for each source; the text of a source the user may not see
    (e.g. a draft assessment's recommendation, for a donor) is not shown."""
    sources = []
    for label, source in measure.sources:
        visible = type(source).objects.visible_to(user).filter(pk=source.pk).exists()
        sources.append((label, source if visible else None, visible and hasattr(source, "get_absolute_url")))
    return sources


# ---- Schedules and rounds -------------------------------------------------------------------


@login_required
def schedule_edit(request, pk: int):
    engagement = engagement_get_for_user(user=request.user, pk=pk)
    _require_manager(request.user, engagement)
    schedule = FollowupSchedule.objects.filter(engagement=engagement).first()
    form = ScheduleForm(_posted(request), instance=schedule, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        _write(form, services.schedule_save, schedule=form.save(commit=False), by=request.user)
        if not form.errors:
            messages.success(request, _("The follow-up schedule was saved."))
            return redirect("followups:board", engagement.pk)
    return render(request, "followups/schedule_form.html", {"form": form, "engagement": engagement})


@login_required
def round_create(request, pk: int):
    engagement = engagement_get_for_user(user=request.user, pk=pk)
    _require_manager(request.user, engagement)
    form = RoundOpenForm(_posted(request))
    current = selectors.current_round(engagement)
    if request.method == "POST" and form.is_valid():
        round_ = _write(
            form, services.round_open, engagement=engagement, due_date=form.cleaned_data["due_date"], by=request.user
        )
        if not form.errors:
            _say_who_is_told(request, round_, round_recipients(engagement))
            return redirect(round_)
    return render(
        request,
        "followups/round_form.html",
        {
            "form": form,
            "engagement": engagement,
            "current": current,
            "n_open": Measure.objects.filter(engagement=engagement).open().count(),
            "recipients": round_recipients(engagement),
        },
    )


def _say_who_is_told(request, round_: FollowupRound, recipients) -> None:
    """The confirmation of an opened round names whom it e-mails, and says so when it is nobody."""
    if round_.submitted_at is not None:
        messages.success(request, _("The round is open; with no open measure to ask about, nobody is e-mailed."))
    elif not recipients:
        messages.warning(
            request,
            _(
                "The round is open, but nobody is told: %(country)s has no counterpart with an e-mail address "
                "in the portal. Its reminders reach the counterparts added later."
            )
            % {"country": round_.engagement.country},
        )
    else:
        names = get_text_list([str(user) for user in recipients], _("and"))
        messages.success(request, _("The round is open; %(names)s are being told by e-mail.") % {"names": names})


@login_required
def round_record(request, pk: int):
    """Record a round of the past, after the fact: nothing is sent and the current round stays open."""
    engagement = engagement_get_for_user(user=request.user, pk=pk)
    _require_manager(request.user, engagement)
    form = RoundRecordForm(_posted(request), engagement=engagement)
    if request.method == "POST" and form.is_valid():
        round_ = _write(
            form,
            services.round_record,
            engagement=engagement,
            opens_on=form.cleaned_data["opens_on"],
            due_date=form.cleaned_data["due_date"],
            measures=list(form.cleaned_data["measures"]) or None,
            by=request.user,
        )
        if not form.errors:
            messages.success(request, _("The round of the past was recorded; nobody was e-mailed."))
            return redirect(round_)
    return render(request, "followups/round_record.html", {"form": form, "engagement": engagement})


@login_required
@require_POST
def round_close(request, pk: int):
    round_ = selectors.round_get_for_user(user=request.user, pk=pk)
    _require_manager(request.user, round_.engagement)
    run_action(request, lambda: services.round_close(round_=round_, by=request.user), _("The round is closed."))
    return redirect(round_)


def _update_form_for(measure, update_draft, *, manager, data=None, files=None):
    initial = {"status": measure.status, "progress_pct": measure.progress_pct}
    if update_draft is not None:
        initial = {
            "status": update_draft.status,
            "progress_pct": update_draft.progress_pct,
            "narrative": update_draft.narrative,
        }
    return StatusUpdateForm(data, files, manager=manager, initial=initial, prefix_id=measure.pk)


@login_required
def round_detail(request, pk: int):
    """The round: what each measure reported, and for counterparts the forms to report."""
    round_ = selectors.round_get_for_user(user=request.user, pk=pk)
    engagement = round_.engagement
    today = timezone.localdate()
    can_report = can_report_progress(request.user, engagement) and round_.accepts_updates
    can_manage = can_manage_followup(request.user, engagement)
    measures = selectors.round_measures_with_updates(round_, user=request.user)
    cards = []
    for measure in measures:
        draft = next((u for u in measure.round_updates if u.is_draft), None)
        reported = [u for u in measure.round_updates if not u.is_draft]
        pending = measure.has_pending
        form = None
        if can_report and not (pending and not can_manage):
            form = _update_form_for(measure, draft, manager=can_manage)
        cards.append({"measure": measure, "draft": draft, "reported": reported, "form": form, "pending": pending})
    n_asked = sum(1 for card in cards if card["measure"].asked)
    n_done = sum(1 for card in cards if card["measure"].asked and card["reported"])
    reminders = None
    if can_manage:
        reminders = ReminderLog.objects.filter(round=round_).select_related("recipient").order_by("-created_at")[:100]
    coordination = getattr(round_, "coordination", None)
    return render(
        request,
        "followups/round_detail.html",
        {
            "round": round_,
            "engagement": engagement,
            "status": round_.status,
            "cards": cards,
            "n_asked": n_asked,
            "n_done": n_done,
            "can_report": can_report,
            "can_manage": can_manage,
            "can_record": can_manage and round_.is_recorded_after_the_fact,
            "can_see_evidence": can_see_evidence(request.user, engagement),
            "reminders": reminders,
            "indicator_values": round_.indicator_values.select_related("indicator"),
            "coordination": coordination,
            "questions": COORDINATION_QUESTIONS,
            "today": today,
        },
    )


@login_required
@body_limit(EVIDENCE.request_max_bytes)
def update_save(request, pk: int, measure_pk: int):
    """Save a draft of, or submit, the report on one measure in a round."""
    round_ = selectors.round_get_for_user(user=request.user, pk=pk)
    measure = get_visible_or_404(
        Measure.objects.filter(engagement_id=round_.engagement_id), request.user, pk=measure_pk
    )
    _require_reporter(request.user, round_.engagement)
    manager = can_manage_followup(request.user, round_.engagement)
    draft = StatusUpdate.objects.filter(measure=measure, round=round_, state=UpdateState.DRAFT).first()
    if request.method == "POST":
        form = _update_form_for(measure, draft, manager=manager, data=request.POST, files=request.FILES)
        submit = request.POST.get("action") == "submit"
        if form.is_valid() and _save_report(request, form, measure=measure, round_=round_, submit=submit):
            if submit:
                messages.success(request, _("Your report on “%(title)s” was submitted.") % {"title": measure.title})
            else:
                messages.success(request, _("Your draft on “%(title)s” was saved.") % {"title": measure.title})
            return redirect(reverse("followups:round_detail", args=[round_.pk]) + f"#measure-{measure.pk}")
    else:
        form = _update_form_for(measure, draft, manager=manager)
    return render(
        request,
        "followups/update_form.html",
        {"form": form, "round": round_, "measure": measure, "draft": draft, "engagement": round_.engagement},
    )


@login_required
def round_indicators(request, pk: int):
    """The round's indicator values and coordination questionnaire."""
    round_ = selectors.round_get_for_user(user=request.user, pk=pk)
    engagement = round_.engagement
    _require_reporter(request.user, engagement)
    if not round_.accepts_updates:
        raise PermissionDenied
    indicators = Indicator.objects.filter(engagement=engagement, active=True).select_related("substance")
    values = {v.indicator_id: v for v in round_.indicator_values.all()}
    coordination = getattr(round_, "coordination", None)
    form = RoundIndicatorsForm(_posted(request), indicators=indicators, values=values, coordination=coordination)
    if request.method == "POST" and form.is_valid():
        _write(
            form,
            services.round_indicators_save,
            round_=round_,
            by=request.user,
            values=form.values(),
            answers=form.answers(),
            comment=form.cleaned_data.get("comment", ""),
        )
        if not form.errors:
            messages.success(request, _("The indicators and the questionnaire were saved."))
            return redirect(reverse("followups:round_detail", args=[round_.pk]) + "#indicators")
    return render(request, "followups/round_indicators.html", {"form": form, "round": round_, "engagement": engagement})


# ---- Reviews and evidence -------------------------------------------------------------------


@login_required
def update_detail(request, pk: int):
    """One report with its evidence; managers of the country accept or return it here."""
    update = selectors.update_get_for_user(user=request.user, pk=pk)
    engagement = update.measure.engagement
    may_review = can_review_updates(request.user, engagement)
    can_review = may_review and update.is_pending
    form = ReviewForm(_posted(request)) if can_review else None
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        if not update.is_pending:
            messages.error(request, _("This report was already reviewed."))
            return redirect(update)
        if form.is_valid():
            _write(
                form,
                services.status_update_review,
                update=update,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
            if not form.errors:
                if form.cleaned_data["decision"] == "accept":
                    messages.success(request, _("The report is verified."))
                else:
                    messages.success(request, _("The report was returned; the counterpart is told by e-mail."))
                return redirect(request.POST.get("next") == "inbox" and "followups:inbox" or update)
    return render(
        request,
        "followups/update_detail.html",
        {
            "update": update,
            "measure": update.measure,
            "engagement": engagement,
            "evidence": update.evidence.all() if can_see_evidence(request.user, engagement) else None,
            "form": form,
            "previous": StatusUpdate.objects.filter(measure=update.measure, state=UpdateState.ACCEPTED)
            .exclude(pk=update.pk)
            .order_by("-submitted_at")
            .first(),
        },
    )


@login_required
def evidence_download(request, pk: int):
    """An evidence file, only for those who may see it (404 for anyone else)."""
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    return stored_file_response(
        evidence.file,
        filename=evidence.original_name,
        content_type=evidence.content_type,
        inline=request.GET.get("inline") == "1",
    )


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    update = evidence.status_update
    round_id, measure_id = update.round_id, update.measure_id
    removed = _("The file was removed from the draft.")
    run_action(request, lambda: services.evidence_delete(evidence=evidence, by=request.user), removed)
    if round_id:
        return redirect(reverse("followups:round_detail", args=[round_id]) + f"#measure-{measure_id}")
    return redirect("followups:measure_detail", measure_id)


# ---- Indicators -----------------------------------------------------------------------------


@login_required
def indicators(request, pk: int):
    """The engagement's indicators and their values round by round."""
    engagement = engagement_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    items = list(Indicator.objects.filter(engagement=engagement).select_related("substance"))
    rounds = list(FollowupRound.objects.filter(engagement=engagement).with_status(today).order_by("opens_on", "pk"))
    by_round = selectors.indicator_values_by_round(FollowupRound.objects.filter(engagement=engagement))
    scores = selectors.coordination_scores(FollowupRound.objects.filter(engagement=engagement))
    table = [
        {
            "round": round_,
            "status": round_.status,
            "values": [by_round.get(round_.pk, {}).get(item.pk) for item in items],
            "score": scores.get(round_.pk),
        }
        for round_ in rounds
    ]
    return render(
        request,
        "followups/indicators.html",
        {
            "engagement": engagement,
            "indicators": items,
            "table": table,
            "can_manage": can_manage_followup(request.user, engagement),
        },
    )


def _indicator_form(request, engagement, indicator):
    form = IndicatorForm(_posted(request), instance=indicator, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The indicator was saved."))
        return redirect("followups:indicators", engagement.pk)
    return render(
        request, "followups/indicator_form.html", {"form": form, "engagement": engagement, "indicator": indicator}
    )


def _indicator_get_for_user(*, user, pk: int) -> Indicator:
    return get_visible_or_404(Indicator.objects.select_related("engagement"), user, pk=pk)


indicator_create, indicator_edit = _managed_part_views(_indicator_form, fetch=_indicator_get_for_user)


# ---- Roundtable agreements ------------------------------------------------------------------


@login_required
def roundtable_measures(request, pk: int):
    """The measures agreed at a roundtable; its managers add them here and they are followed up."""
    roundtable = get_visible_or_404(Roundtable.objects.select_related("engagement__country"), request.user, pk=pk)
    engagement = roundtable.engagement
    can_manage = can_manage_followup(request.user, engagement)
    form = RoundtableMeasureForm(_posted(request), roundtable=roundtable, user=request.user) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            _write(form, services.measure_save, measure=form.save(commit=False), by=request.user)
            if not form.errors:
                messages.success(request, _("The agreed measure was added; it is now followed up."))
                return redirect("followups:roundtable_measures", roundtable.pk)
    measures = roundtable.measures.select_related("responsible_agency", "recommendation").order_by("pk")
    return render(
        request,
        "followups/roundtable_measures.html",
        {
            "roundtable": roundtable,
            "engagement": engagement,
            "measures": measures,
            "form": form,
            "can_manage": can_manage,
            "board_url": reverse("followups:board", args=[engagement.pk]),
        },
    )
