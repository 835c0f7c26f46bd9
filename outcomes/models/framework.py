"""The outcomes app only reads, except for this: what an annual progress report covers.

A rendered PDF (``reports.Report``) belongs to an owner; for the annual progress report the
owner is a programme, a year and the set of countries the report covers (those of the people
who asked for it), so a viewer of one country gets a report about that country only and people
with the same reach share the same rendered file.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.scoping import Scope
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Programme
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.validation import date_order_constraint
from trainings.models import TrainingSession

from ..facts import outcome_scope

EVERYWHERE_KEY = "*"


def scope_key(scope: Scope) -> str:
    """``*`` for every country, else the ISO codes in order, comma-separated."""
    return EVERYWHERE_KEY if scope.everywhere else ",".join(sorted(scope.countries))


def scope_of_key(key: str) -> Scope:
    if key == EVERYWHERE_KEY:
        return Scope(everywhere=True, countries=frozenset())
    return Scope(everywhere=False, countries=frozenset(code for code in key.split(",") if code))


class AnnualReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Global readers see every annual report; others those made for exactly their countries."""
        scope = outcome_scope(user)
        if scope.everywhere:
            return self.all()
        if scope.empty:
            return self.none()
        return self.filter(scope_key=scope_key(scope))


class AnnualProgressReport(models.Model):
    programme = models.ForeignKey(
        "engagements.Programme",
        on_delete=models.CASCADE,
        related_name="annual_reports",
        verbose_name=_("programme"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scope_key = models.CharField(_("countries covered"), max_length=1000, help_text=_("* means every country."))
    created_at = created_at_field()

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "programme_id"]
        verbose_name = _("annual progress report")
        verbose_name_plural = _("annual progress reports")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "scope_key"], name="annual_report_unique_scope")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} ({self.scope_key})"

    @property
    def scope(self) -> Scope:
        return scope_of_key(self.scope_key)


# --- The programme results framework: objectives, and targets whose actuals are computed ---------
# It lived in the engagements app until migration 0002 of outcomes moved it, its rows with it.
# Targets name a metric; the outcomes app computes its actual from what is recorded (sessions,
# engagements, measures, scores), so no figure is ever typed in twice.


class ProgrammeObjective(models.Model):
    """An objective of a programme's results framework (e.g. "Personnel capacity strengthened")."""

    class Area(models.TextChoices):
        CAPACITY = "capacity", _("Personnel capacity")
        CONTROL = "control", _("Control efficiency")
        COORDINATION = "coordination", _("National coordination")
        DELIVERY = "delivery", _("Delivery of assistance")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("Short reference, e.g. O1."))
    title = models.CharField(_("title"), max_length=300)
    area = models.CharField(_("outcome area"), max_length=20, choices=Area.choices, default=Area.DELIVERY)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme_id", "order", "code"]
        verbose_name = _("programme objective")
        verbose_name_plural = _("programme objectives")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="objective_unique_code_per_programme")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programme-wide targets, and country targets of the countries the user reaches."""
        scope = scope_for(user, EVERY_ROLE)
        if scope.everywhere:  # (Q() | Q(…) would keep only the right-hand side)
            return self.all()
        return self.filter(Q(country__isnull=True) | scope.q("country"))

    def overlapping(self, start, end):
        return self.filter(period_start__lte=end, period_end__gte=start)


class ProgrammeTarget(models.Model):
    """What a programme promised for a period; the actual comes from the recorded data."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("programme")
    )
    objective = optional_link(
        ProgrammeObjective, on_delete=models.SET_NULL, related_name="+", verbose_name=_("objective")
    )
    country = optional_link(
        Country,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("country"),
        help_text=_("Empty: the target is for the whole programme."),
    )
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    session_kind = models.CharField(
        _("kind of session"),
        max_length=20,
        choices=TrainingSession.Kind.choices,
        blank=True,
        help_text=_("Training metrics only: count or pool only this kind of session."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["programme_id", "order", "period_start", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title_under_country(self) -> str:
        """The title where the country is already named (a country's row in a list): a country target's
        title without its leading "<country>:" ("Peru: 2 national trainings" reads "2 national trainings")."""
        if not self.country_id:
            return self.title
        names = {
            self.country.name,
            self.country.local_name,
            *(t.get("name", "") for t in self.country.translations.values()),
        }
        for name in filter(None, names):
            for separator in (":", " –", " -"):
                prefix = f"{name}{separator}"
                if self.title.casefold().startswith(prefix.casefold()) and self.title[len(prefix) :].strip():
                    return self.title[len(prefix) :].strip()
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period must not end before it starts.")
        if self.objective_id and self.programme_id and self.objective.programme_id != self.programme_id:
            errors["objective"] = _("The objective belongs to another programme.")
        if self.session_kind and self.metric not in self.SESSION_METRICS:
            errors["session_kind"] = _("Only training metrics can be limited to a kind of session.")
        if errors:
            raise ValidationError(errors)


class ActivityTarget(ProgrammeTarget):
    """A count of things done in a period: "8 training webinars", "30 technical assistance actions"."""

    class Metric(models.TextChoices):
        SESSIONS_HELD = "sessions_held", _("Training sessions held")
        PEOPLE_TRAINED = "people_trained", _("People trained (distinct participants)")
        ENGAGEMENTS_STARTED = "engagements_started", _("Technical assistance actions started")
        ENGAGEMENTS_REACHING_PHASE = "engagements_reaching_phase", _("Engagements that reached a phase")
        ASSESSMENTS_COMPLETED = "assessments_completed", _("National assessments completed")
        ROUNDTABLES_HELD = "roundtables_held", _("Roundtables held")
        MEASURES_AGREED = "measures_agreed", _("Measures agreed")

    SESSION_METRICS = (Metric.SESSIONS_HELD, Metric.PEOPLE_TRAINED)

    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices)
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=Engagement.Phase.choices,
        blank=True,
        help_text=_("For “engagements that reached a phase”: the phase."),
    )
    target_value = models.PositiveIntegerField(_("target"))

    class Meta(ProgrammeTarget.Meta):
        verbose_name = _("activity target")
        verbose_name_plural = _("activity targets")
        constraints = [date_order_constraint("activity_target_period_order", start="period_start", end="period_end")]

    def clean(self) -> None:
        super().clean()
        if self.metric == self.Metric.ENGAGEMENTS_REACHING_PHASE and not self.phase:
            raise ValidationError({"phase": _("Choose the phase the engagements must reach.")})
        if self.phase and self.metric != self.Metric.ENGAGEMENTS_REACHING_PHASE:
            raise ValidationError({"phase": _("A phase applies only to “engagements that reached a phase”.")})


class OutcomeTarget(ProgrammeTarget):
    """A level to reach: "post-test mean ≥ 70 %", "60 % of agreed measures implemented within 18 months"."""

    class Metric(models.TextChoices):
        POST_MEAN_PCT = "post_mean_pct", _("Post-test mean (%)")
        MEAN_GAIN_PCT = "mean_gain_pct", _("Mean pre/post gain (percentage points)")
        NORMALIZED_GAIN = "normalized_gain", _("Normalized gain (0–1)")
        POST_PASS_RATE = "post_pass_rate", _("Post-test pass rate (%)")
        IMPLEMENTATION_RATE = "implementation_rate", _("Measure implementation rate (%)")
        IMPLEMENTED_WITHIN = "implemented_within", _("Agreed measures implemented within N months (%)")
        FOLLOWUP_COMPLIANCE = "followup_compliance", _("Follow-up rounds submitted on time (%)")
        MATURITY_CHANGE = "maturity_change", _("Mean maturity change since baseline (levels)")

    class Comparator(models.TextChoices):
        AT_LEAST = "gte", "≥"
        AT_MOST = "lte", "≤"

    SESSION_METRICS = (Metric.POST_MEAN_PCT, Metric.MEAN_GAIN_PCT, Metric.NORMALIZED_GAIN, Metric.POST_PASS_RATE)
    PERCENT_METRICS = (
        Metric.POST_MEAN_PCT,
        Metric.POST_PASS_RATE,
        Metric.IMPLEMENTATION_RATE,
        Metric.IMPLEMENTED_WITHIN,
        Metric.FOLLOWUP_COMPLIANCE,
    )

    metric = models.CharField(_("metric"), max_length=40, choices=Metric.choices)
    comparator = models.CharField(_("comparison"), max_length=3, choices=Comparator.choices, default="gte")
    target_value = models.DecimalField(_("target"), max_digits=8, decimal_places=2)
    within_months = models.PositiveSmallIntegerField(
        _("within months"),
        null=True,
        blank=True,
        help_text=_("For “implemented within N months”: N, counted from the day the measure was agreed."),
    )

    class Meta(ProgrammeTarget.Meta):
        verbose_name = _("outcome target")
        verbose_name_plural = _("outcome targets")
        constraints = [date_order_constraint("outcome_target_period_order", start="period_start", end="period_end")]

    def clean(self) -> None:
        super().clean()
        if self.metric == self.Metric.IMPLEMENTED_WITHIN and not self.within_months:
            raise ValidationError({"within_months": _("Say within how many months the measures count.")})
        if self.within_months and self.metric != self.Metric.IMPLEMENTED_WITHIN:
            raise ValidationError({"within_months": _("Months apply only to “implemented within N months”.")})
        if self.target_value is not None and self.metric in self.PERCENT_METRICS and not 0 <= self.target_value <= 100:
            raise ValidationError({"target_value": _("A percentage lies between 0 and 100.")})
