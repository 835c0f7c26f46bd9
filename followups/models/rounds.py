"""Schedules and rounds: when the counterparts are asked for updates, and on which measures."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.validation import date_order_constraint

from .measures import EngagementPartQuerySet
from .measures import Measure


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    updated_by = acting_user_field()
    updated_at = updated_at_field()

    objects = scoped_manager(EngagementPartQuerySet)

    class Meta:
        verbose_name = _("follow-up schedule")
        verbose_name_plural = _("follow-up schedules")
        constraints = [
            date_order_constraint("schedule_end_after_start", optional=("end_date",)),
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

    def taking_reports_of_the_past(self):
        """Rounds a report recorded after the fact may go into (``FollowupRound.takes_reports_of_the_past``)."""
        return self.filter(Q(closed_at__isnull=True) | Q(recorded_at__isnull=False))

    def with_status(self, today: date):
        """Annotate ``round_status`` as of ``today`` (overdue is a matter of the calendar, not stored).

        The one derivation of a round's status: ``FollowupRound.status`` and ``status_on`` read it.
        """
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
    schedule = optional_link(
        FollowupSchedule, on_delete=models.SET_NULL, related_name="rounds", verbose_name=_("schedule")
    )
    period = models.PositiveIntegerField(_("period of the schedule"), null=True, blank=True)
    opens_on = models.DateField(_("opens on"))
    due_date = models.DateField(_("due date"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = acting_user_field()
    # Set once, when the last measure of the round gets its update (a submission after the due
    # date is late: compliance compares this with due_date).
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A round of the past (recorded after the fact, by hand or from a history workbook): its dates
    # are as given, and it never sends reminders or escalations.
    recorded_by = acting_user_field(_("recorded after the fact by"))
    recorded_at = models.DateTimeField(_("recorded after the fact at"), null=True, blank=True)
    measures = models.ManyToManyField(
        Measure, through="RoundMeasure", related_name="rounds", verbose_name=_("measures asked about")
    )

    objects = scoped_manager(FollowupRoundQuerySet)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")
        constraints = [
            date_order_constraint("round_due_after_opening", start="opens_on", end="due_date"),
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
        """The round's status on ``today``, as ``FollowupRoundQuerySet.with_status`` derives it."""
        return FollowupRound.objects.with_status(today).values_list("round_status", flat=True).get(pk=self.pk)

    @property
    def status(self) -> str:
        """Today's status: the ``with_status`` annotation when the round was fetched with it."""
        return getattr(self, "round_status", None) or self.status_on(timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.submitted_at is None and self.closed_at is None

    @property
    def is_recorded_after_the_fact(self) -> bool:
        return self.recorded_at is not None

    @property
    def takes_reports_of_the_past(self) -> bool:
        """A report recorded after the fact goes into a round still open, or into a round of the past
        (closed as it was recorded); never into a round the portal ran and closed."""
        return self.closed_at is None or self.is_recorded_after_the_fact

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
