"""Follow-up monitoring: measures, schedules and rounds, status updates with evidence, indicators,
the coordination questionnaire and the log of every follow-up e-mail.

A measure's status is never edited directly: it is derived from its status updates (see
``services.measure_recompute``), so every change has an author, a date and a history. Two levels
of truth are kept: what the counterparts reported (``status``) and what a manager verified
(``verified_status``).
"""

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGING_ROLES, Role
from accounts.scoping import scope_for
from engagements.models import Agency, ControlledSubstance, Engagement, ScopedQuerySet, scoped_manager

# Who may report on measures (post status updates, indicator values, the questionnaire).
REPORTING_ROLES = (Role.ADMIN, Role.MANAGER, Role.COUNTERPART)
# Who may open evidence files: the people doing the work, not donors or trainers.
EVIDENCE_ROLES = (Role.ADMIN, Role.MANAGER, Role.COUNTERPART)


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    CANCELLED = "cancelled", _("Cancelled")


# A measure in one of these states is no longer asked about in new rounds.
CLOSED_STATUSES = (MeasureStatus.IMPLEMENTED, MeasureStatus.CANCELLED)


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class EngagementPartQuerySet(ScopedQuerySet):
    """Rows of one engagement: read by every role of its country, changed by its managers."""

    country_path = "engagement__country"


class MeasureQuerySet(EngagementPartQuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)


class Measure(models.Model):
    """Something the country agreed to do, tracked until it is implemented (or cancelled)."""

    # The fields that say where a measure comes from, in the order they are shown; a measure added
    # directly has none. A new source (e.g. an evaluation mechanism's recommendation) adds its
    # nullable foreign key here.
    SOURCE_FIELDS = ("roundtable", "recommendation", "external_recommendation")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="measures", verbose_name=_("engagement")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    recommendation = models.ForeignKey(
        "assessments.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("recommendation"),
    )
    roundtable = models.ForeignKey(
        "assessments.Roundtable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("agreed at roundtable"),
    )
    external_recommendation = models.ForeignKey(
        "network.ExternalRecommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("external recommendation"),
        help_text=_("A recommendation the country received from an evaluation mechanism or meeting."),
    )
    responsible_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible agency"),
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    substances = models.ManyToManyField(
        ControlledSubstance, blank=True, related_name="measures", verbose_name=_("substances concerned")
    )
    # Derived from the status updates, never edited (see services.measure_recompute).
    status = models.CharField(
        _("reported status"),
        max_length=24,
        choices=MeasureStatus.choices,
        default=MeasureStatus.NOT_STARTED,
        editable=False,
    )
    progress_pct = models.PositiveSmallIntegerField(_("reported progress (%)"), default=0, editable=False)
    verified_status = models.CharField(
        _("verified status"), max_length=24, choices=MeasureStatus.choices, blank=True, editable=False
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    latest_update = models.ForeignKey(
        "StatusUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("latest update"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager(MeasureQuerySet)

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [models.Index(fields=["engagement", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followups:measure_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.engagement_id:
            engagement = self.engagement
            if self.responsible_agency_id and self.responsible_agency.country_id != engagement.country_id:
                errors["responsible_agency"] = _("The agency belongs to another country.")
            if self.roundtable_id and self.roundtable.engagement_id != self.engagement_id:
                errors["roundtable"] = _("The roundtable belongs to another engagement.")
            if self.recommendation_id and self.recommendation.finding.assessment.engagement_id != self.engagement_id:
                errors["recommendation"] = _("The recommendation belongs to another engagement.")
            if self.external_recommendation_id and self.external_recommendation.country_id != engagement.country_id:
                errors["external_recommendation"] = _("The recommendation was made to another country.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def is_verified(self) -> bool:
        """The manager has confirmed what the counterparts report now."""
        return bool(self.verified_status) and self.verified_status == self.status

    @property
    def sources(self) -> list[tuple[str, object]]:
        """Where the measure comes from: (label, object) pairs, empty when added directly."""
        found = []
        for name in self.SOURCE_FIELDS:
            if getattr(self, f"{name}_id"):
                found.append((self._meta.get_field(name).verbose_name, getattr(self, name)))
        return found


class FollowupSchedule(models.Model):
    """When an engagement's counterparts are asked for updates: a round every ``cadence_months``."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="followup_schedule", verbose_name=_("engagement")
    )
    start_date = models.DateField(_("first round opens on"))
    cadence_months = models.PositiveSmallIntegerField(
        _("months between rounds"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    response_days = models.PositiveSmallIntegerField(
        _("days to respond"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("A round is due this many days after it opens."),
    )
    end_date = models.DateField(_("no rounds after"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager(EngagementPartQuerySet)

    class Meta:
        verbose_name = _("follow-up schedule")
        verbose_name_plural = _("follow-up schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="schedule_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cadence_months__gte=1) & Q(cadence_months__lte=24), name="schedule_cadence_1_to_24"
            ),
            models.CheckConstraint(
                condition=Q(response_days__gte=1) & Q(response_days__lte=180), name="schedule_response_1_to_180"
            ),
        ]

    def __str__(self) -> str:
        return str(self.engagement)

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last date must not be before the first round.")})

    def opens_on(self, period: int) -> date:
        """The day round ``period`` (1 = the first) opens."""
        return add_months(self.start_date, (period - 1) * self.cadence_months)

    def period_on(self, today: date) -> int | None:
        """The latest period that has opened by ``today`` (None before the first or after the end)."""
        if today < self.start_date:
            return None
        months = (today.year - self.start_date.year) * 12 + today.month - self.start_date.month
        period = months // self.cadence_months + 1
        while period > 1 and self.opens_on(period) > today:
            period -= 1
        while self.end_date and period >= 1 and self.opens_on(period) > self.end_date:
            period -= 1
        return period if period >= 1 and self.opens_on(period) <= today else None

    def upcoming(self, today: date, count: int = 3) -> list[date]:
        """The next opening days after ``today``, for display."""
        current = self.period_on(today) or 0
        days = []
        period = current + 1
        while len(days) < count:
            day = self.opens_on(period)
            if self.end_date and day > self.end_date:
                break
            if day > today:
                days.append(day)
            period += 1
        return days


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    OVERDUE = "overdue", _("Overdue")
    CLOSED = "closed", _("Closed")


class FollowupRoundQuerySet(EngagementPartQuerySet):
    def active(self):
        """Rounds still waiting for the counterparts: neither submitted nor closed."""
        return self.filter(submitted_at__isnull=True, closed_at__isnull=True)

    def with_status(self, today: date):
        """Annotate ``round_status`` as of ``today`` (overdue is a matter of the calendar, not stored)."""
        return self.annotate(
            round_status=models.Case(
                models.When(closed_at__isnull=False, then=models.Value(RoundStatus.CLOSED.value)),
                models.When(submitted_at__isnull=False, then=models.Value(RoundStatus.SUBMITTED.value)),
                models.When(due_date__lt=today, then=models.Value(RoundStatus.OVERDUE.value)),
                default=models.Value(RoundStatus.OPEN.value),
                output_field=models.CharField(),
            )
        )


class FollowupRound(models.Model):
    """One request to the counterparts for an update on every measure open when it opened."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="followup_rounds", verbose_name=_("engagement")
    )
    schedule = models.ForeignKey(
        FollowupSchedule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("schedule"),
    )
    period = models.PositiveIntegerField(_("period of the schedule"), null=True, blank=True)
    opens_on = models.DateField(_("opens on"))
    due_date = models.DateField(_("due date"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set once, when the last measure of the round gets its update (a submission after the due
    # date is late: compliance compares this with due_date).
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    measures = models.ManyToManyField(
        Measure, through="RoundMeasure", related_name="rounds", verbose_name=_("measures asked about")
    )

    objects = scoped_manager(FollowupRoundQuerySet)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gte=models.F("opens_on")), name="round_due_after_opening"),
            models.UniqueConstraint(
                fields=["schedule", "period"], condition=Q(schedule__isnull=False), name="round_unique_period"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(submitted_at__isnull=True, closed_at__isnull=True),
                name="round_active_due",
            ),
            models.Index(fields=["engagement", "opens_on"]),
        ]

    def __str__(self) -> str:
        return _("Round of %(opens)s, due %(due)s") % {"opens": self.opens_on, "due": self.due_date}

    def get_absolute_url(self) -> str:
        return reverse("followups:round_detail", args=[self.pk])

    def clean(self) -> None:
        if self.due_date and self.opens_on and self.due_date < self.opens_on:
            raise ValidationError({"due_date": _("The due date must not be before the round opens.")})

    def status_on(self, today: date) -> str:
        if self.closed_at:
            return RoundStatus.CLOSED
        if self.submitted_at:
            return RoundStatus.SUBMITTED
        if self.due_date < today:
            return RoundStatus.OVERDUE
        return RoundStatus.OPEN

    @property
    def is_active(self) -> bool:
        return self.submitted_at is None and self.closed_at is None

    @property
    def accepts_updates(self) -> bool:
        """Updates may still be reported (also after submission or the due date) until it closes."""
        return self.closed_at is None

    @property
    def submitted_on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        return timezone.localdate(self.submitted_at) <= self.due_date


class RoundMeasure(models.Model):
    """The measures a round asks about: those open at the moment it opened."""

    round = models.ForeignKey(FollowupRound, on_delete=models.CASCADE, related_name="round_measures")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="round_measures")

    class Meta:
        verbose_name = _("measure of a round")
        verbose_name_plural = _("measures of rounds")
        constraints = [models.UniqueConstraint(fields=["round", "measure"], name="round_measure_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.measure_id}"


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting verification")
    ACCEPTED = "accepted", _("Verified")
    RETURNED = "returned", _("Returned")


# States that count as "reported" for a round (a draft does not; a returned report does).
REPORTED_STATES = (UpdateState.SUBMITTED, UpdateState.ACCEPTED, UpdateState.RETURNED)


class StatusUpdateQuerySet(ScopedQuerySet):
    country_path = "measure__engagement__country"
    write_roles = REPORTING_ROLES

    def visible_to(self, user):
        # Drafts are work in progress of the country's counterparts: managers may help with them,
        # donors and trainers see only what was reported.
        visible = self.filter(scope_for(user, self.read_roles).q(self.country_path))
        drafts = scope_for(user, REPORTING_ROLES)
        if drafts.everywhere:  # (an empty Q() would vanish from the OR below)
            return visible
        return visible.filter(~Q(state=UpdateState.DRAFT) | drafts.q(self.country_path))

    def verifiable_by(self, user):
        return self.filter(scope_for(user, MANAGING_ROLES).q(self.country_path))

    def reported(self):
        return self.filter(state__in=REPORTED_STATES)


class StatusUpdate(models.Model):
    """A report on a measure: its status and progress, a narrative and evidence, and its review."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates", verbose_name=_("measure"))
    round = models.ForeignKey(
        FollowupRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("round"),
    )
    state = models.CharField(_("state"), max_length=12, choices=UpdateState.choices, default=UpdateState.DRAFT)
    status = models.CharField(_("status"), max_length=24, choices=MeasureStatus.choices)
    progress_pct = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_updates",
        verbose_name=_("reported by"),
    )
    submitted_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    objects = scoped_manager(StatusUpdateQuerySet)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_pct__gte=0) & Q(progress_pct__lte=100), name="update_progress_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(state=UpdateState.DRAFT) | Q(submitted_at__isnull=False), name="update_reported_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.DRAFT) | Q(round__isnull=False), name="update_draft_in_round"
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.RETURNED) | ~Q(review_comment=""), name="update_returned_has_comment"
            ),
            # One draft per measure and round, shared by the country's counterparts.
            models.UniqueConstraint(
                fields=["measure", "round"], condition=Q(state=UpdateState.DRAFT), name="update_one_draft"
            ),
            # One report waiting for verification per measure: the next waits for the review.
            models.UniqueConstraint(
                fields=["measure"], condition=Q(state=UpdateState.SUBMITTED), name="update_one_pending"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["round", "measure", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.get_status_display()} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("followups:update_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == UpdateState.DRAFT

    @property
    def is_pending(self) -> bool:
        return self.state == UpdateState.SUBMITTED


def evidence_upload_to(instance, filename: str) -> str:
    # Never the uploader's file name in the path: a random name with the extension of the type
    # found in the content (see evidence.py).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    now = timezone.now()
    return f"followups/evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"


class EvidenceQuerySet(ScopedQuerySet):
    country_path = "status_update__measure__engagement__country"
    read_roles = EVIDENCE_ROLES
    write_roles = REPORTING_ROLES


class Evidence(models.Model):
    """A file attached to a status update: stored privately, served only through an access check."""

    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("status update")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = scoped_manager(EvidenceQuerySet)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("followups:evidence_download", args=[self.pk])


class Indicator(models.Model):
    """An outcome indicator of an engagement, reported per round (e.g. pre-export notifications sent)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("engagement")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. notifications, inspections, kg"))
    description = models.TextField(_("how it is counted"), blank=True)
    substance = models.ForeignKey(
        ControlledSubstance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("substance"),
        help_text=_("For indicators about one chemical, such as seizures by substance."),
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("asked in rounds"), default=True)

    objects = scoped_manager(EngagementPartQuerySet)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["engagement", "name"], name="indicator_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class RoundPartQuerySet(ScopedQuerySet):
    country_path = "round__engagement__country"
    write_roles = REPORTING_ROLES


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    round = models.ForeignKey(FollowupRound, on_delete=models.CASCADE, related_name="indicator_values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    objects = scoped_manager(RoundPartQuerySet)

    class Meta:
        ordering = ["indicator__order", "indicator__name"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "round"], name="indicator_value_unique_per_round"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.round_id}: {self.value}"


class Frequency(models.IntegerChoices):
    NEVER = 0, _("Not at all")
    RARELY = 1, _("Rarely")
    SOMETIMES = 2, _("Sometimes")
    OFTEN = 3, _("Often")
    SYSTEMATICALLY = 4, _("Systematically")


# The coordination questionnaire: (field, question). Each answer is 0–4 (Frequency); the round's
# score is their sum as a percentage of the maximum (see selectors.coordination_scores).
COORDINATION_QUESTIONS = (
    ("meetings", _("Did the agencies that control precursors meet to coordinate?")),
    ("information_exchange", _("Did they exchange information on suspicious orders, shipments or operators?")),
    ("joint_operations", _("Did they carry out joint or coordinated inspections or operations?")),
    ("mechanism", _("Did a formal inter-agency mechanism (committee, agreement, focal-point network) work?")),
    ("industry", _("Did the authorities and the chemical industry cooperate (e.g. suspicious-order reports)?")),
)
MAX_ANSWER = max(Frequency.values)


def _answer_field(question):
    return models.PositiveSmallIntegerField(
        question, choices=Frequency.choices, validators=[MinValueValidator(0), MaxValueValidator(MAX_ANSWER)]
    )


class CoordinationResponse(models.Model):
    """How the country's agencies coordinated since the last round, answered once per round."""

    round = models.OneToOneField(
        FollowupRound, on_delete=models.CASCADE, related_name="coordination", verbose_name=_("round")
    )
    meetings = _answer_field(COORDINATION_QUESTIONS[0][1])
    information_exchange = _answer_field(COORDINATION_QUESTIONS[1][1])
    joint_operations = _answer_field(COORDINATION_QUESTIONS[2][1])
    mechanism = _answer_field(COORDINATION_QUESTIONS[3][1])
    industry = _answer_field(COORDINATION_QUESTIONS[4][1])
    comment = models.TextField(_("examples and comments"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    objects = scoped_manager(RoundPartQuerySet)

    class Meta:
        verbose_name = _("coordination questionnaire")
        verbose_name_plural = _("coordination questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *(Q(**{f"{field}__gte": 0, f"{field}__lte": MAX_ANSWER}) for field, _q in COORDINATION_QUESTIONS)
                ),
                name="coordination_answers_in_scale",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.score}"

    @property
    def score(self) -> float:
        total = sum(getattr(self, field) for field, _q in COORDINATION_QUESTIONS)
        return round(100 * total / (MAX_ANSWER * len(COORDINATION_QUESTIONS)), 1)


class ReminderKind:
    """Kinds of follow-up e-mail. ``before_<n>`` is sent n days before the due date (n from settings)."""

    OPENED = "opened"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    RETURNED = "returned"

    @staticmethod
    def before(days: int) -> str:
        return f"before_{days}"


class ReminderLogQuerySet(ScopedQuerySet):
    country_path = "round__engagement__country"
    read_roles = MANAGING_ROLES


class ReminderLog(models.Model):
    """One follow-up e-mail to one person, claimed before it is sent.

    The unique constraints are the guarantee that a (round, recipient, kind) is e-mailed at most
    once: a job claims its e-mails by inserting these rows, and a second job (or a second copy of
    the same job running at the same moment) finds them taken. The status records what happened.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        SKIPPED = "skipped", _("Not sent (no longer needed)")
        INTERRUPTED = "interrupted", _("Interrupted while sending (may not have arrived)")

    round = models.ForeignKey(FollowupRound, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followup_emails", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20)
    email = models.EmailField(_("address"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.UUIDField(_("claimed by run"), db_index=True)
    # Set with ``sending``: which worker's batch took the e-mail (see reminders.deliver).
    send_token = models.UUIDField(_("taken by batch"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = scoped_manager(ReminderLogQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up e-mail")
        verbose_name_plural = _("follow-up e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "recipient", "kind"],
                condition=Q(status_update__isnull=True),
                name="reminder_once_per_round_recipient_kind",
            ),
            models.UniqueConstraint(
                fields=["status_update", "recipient", "kind"],
                condition=Q(status_update__isnull=False),
                name="notice_once_per_update_recipient_kind",
            ),
            models.CheckConstraint(
                condition=Q(round__isnull=False) | Q(status_update__isnull=False), name="reminder_has_subject"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="reminder_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.status})"

    @property
    def kind_label(self) -> str:
        labels = {
            ReminderKind.OPENED: _("Round opened"),
            ReminderKind.OVERDUE: _("Overdue"),
            ReminderKind.ESCALATION: _("Escalation to the managers"),
            ReminderKind.RETURNED: _("Report returned"),
        }
        if self.kind in labels:
            return labels[self.kind]
        if self.kind.startswith("before_"):
            return _("%(days)s days before the due date") % {"days": self.kind.removeprefix("before_")}
        return self.kind
