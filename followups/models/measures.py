"""Measures: what a country agreed to do, their statuses and who reports on them."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.validation import past_day_errors

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


def agreed_day():
    """The day a measure was agreed, as an expression: the day given (measures of the past), else
    the day of the roundtable that agreed it, else the day it was entered (in the portal's time
    zone). Every figure that dates a measure reads it through this."""
    return Coalesce("agreed_on", "roundtable__date", TruncDate("created_at"))


class EngagementPartQuerySet(ScopedQuerySet):
    """Rows of one engagement: read by every role of its country, changed by its managers."""

    country_path = "engagement__country"


class MeasureQuerySet(EngagementPartQuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, today: date):
        """Open measures past their due date: ``Measure.is_overdue`` for a whole queryset."""
        return self.open().filter(due_date__lt=today)

    def with_agreed_day(self):
        """Annotate ``agreed_day`` (see ``agreed_day``)."""
        return self.annotate(agreed_day=agreed_day())


def _source_field(model: str, verbose_name, **options) -> models.ForeignKey:
    """A measure's optional link to where it comes from (one of ``Measure.SOURCE_FIELDS``)."""
    return optional_link(
        model, on_delete=models.SET_NULL, related_name="measures", verbose_name=verbose_name, **options
    )


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
    recommendation = _source_field("assessments.Recommendation", _("recommendation"))
    roundtable = _source_field("assessments.Roundtable", _("agreed at roundtable"))
    external_recommendation = _source_field(
        "network.ExternalRecommendation",
        _("external recommendation"),
        help_text=_("A recommendation the country received from an evaluation mechanism or meeting."),
    )
    responsible_agency = optional_link(
        Agency, on_delete=models.PROTECT, related_name="measures", verbose_name=_("responsible agency")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Given for measures of the past (a history workbook); otherwise the day of the roundtable that
    # agreed it, or the day it was entered (outcomes.facts derives it in that order).
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
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
    latest_update = optional_link(
        "StatusUpdate",
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("latest update"),
    )
    created_by = acting_user_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

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
        errors.update(past_day_errors(self.agreed_on, field="agreed_on"))
        errors.update(self.due_date_errors())
        if errors:
            raise ValidationError(errors)

    def due_date_errors(self) -> dict:
        """A measure is not due before it was agreed: not before its ``agreed_on`` day, nor before the
        roundtable that agreed it. The page, the API and the history import all judge by this."""
        if self.due_date is None:
            return {}
        if self.agreed_on is not None and self.due_date < self.agreed_on:
            return {"due_date": [_("The due date must not be before the day the measure was agreed.")]}
        if self.roundtable_id and self.due_date < self.roundtable.date:
            message = _("The due date must not be before the roundtable that agreed the measure (%(day)s).")
            return {"due_date": [message % {"day": date_format(self.roundtable.date, "SHORT_DATE_FORMAT")}]}
        return {}

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date (``MeasureQuerySet.overdue`` says the same in SQL)."""
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
