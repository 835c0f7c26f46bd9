"""Indicators of a programme's objectives: baseline, targets per period, actuals computed or reported.

An indicator either names a **metric** (its actuals are computed from what the portal records,
by the same functions the outcome API uses) or is **reported**: counterparts (for their country)
and managers enter a value per period and country, with evidence, and a manager verifies it in
the follow-up's review states (``followups.models.UpdateState``): awaiting verification,
verified, returned. Only verified values count.

Targets are given per period (``IndicatorPeriod``); an indicator with disaggregations (sex,
agency kind, country) may give a target per value of each dimension (``IndicatorPeriod.targets_by``).
The rules every writer keeps (no overlapping periods, disaggregations that add up) are
``indicator_period_errors`` and ``breakdown_errors`` below; the services, forms and serializers call them.
"""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for
from engagements.models import Agency
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from engagements.selectors import programmes_reached
from followups.models import REPORTING_ROLES
from followups.models import UpdateState
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import updated_at_field
from ta_portal.multilingual import translations_field
from ta_portal.validation import date_order_constraint
from trainings.models import TrainingSession

from .framework import ActivityTarget
from .framework import OutcomeTarget
from .framework import ProgrammeObjective

# Dimensions an indicator may be disaggregated by, and where their values come from.
SEX = "sex"
AGENCY_KIND = "agency_kind"
COUNTRY = "country"
DIMENSIONS = (SEX, AGENCY_KIND, COUNTRY)
DIMENSION_LABELS = {SEX: _("Sex"), AGENCY_KIND: _("Agency kind"), COUNTRY: _("Country")}


def dimension_values(dimension: str, *, countries=()) -> list[tuple[str, str]]:
    """(value, label) of a dimension; the country dimension's values are the ``countries`` given
    (``Country`` rows: those of the programme)."""
    if dimension == SEX:
        return list(Person.Sex.choices)
    if dimension == AGENCY_KIND:
        return list(Agency.Kind.choices)
    return [(country.pk, str(country)) for country in countries]


class Metric(models.TextChoices):
    """Every figure the outcome API computes, plus the coordination score and the share of women trained."""

    SESSIONS_HELD = ActivityTarget.Metric.SESSIONS_HELD.value, ActivityTarget.Metric.SESSIONS_HELD.label
    PEOPLE_TRAINED = ActivityTarget.Metric.PEOPLE_TRAINED.value, ActivityTarget.Metric.PEOPLE_TRAINED.label
    ENGAGEMENTS_STARTED = (
        ActivityTarget.Metric.ENGAGEMENTS_STARTED.value,
        ActivityTarget.Metric.ENGAGEMENTS_STARTED.label,
    )
    ENGAGEMENTS_REACHING_PHASE = (
        ActivityTarget.Metric.ENGAGEMENTS_REACHING_PHASE.value,
        ActivityTarget.Metric.ENGAGEMENTS_REACHING_PHASE.label,
    )
    ASSESSMENTS_COMPLETED = (
        ActivityTarget.Metric.ASSESSMENTS_COMPLETED.value,
        ActivityTarget.Metric.ASSESSMENTS_COMPLETED.label,
    )
    ROUNDTABLES_HELD = ActivityTarget.Metric.ROUNDTABLES_HELD.value, ActivityTarget.Metric.ROUNDTABLES_HELD.label
    MEASURES_AGREED = ActivityTarget.Metric.MEASURES_AGREED.value, ActivityTarget.Metric.MEASURES_AGREED.label
    POST_MEAN_PCT = OutcomeTarget.Metric.POST_MEAN_PCT.value, OutcomeTarget.Metric.POST_MEAN_PCT.label
    MEAN_GAIN_PCT = OutcomeTarget.Metric.MEAN_GAIN_PCT.value, OutcomeTarget.Metric.MEAN_GAIN_PCT.label
    NORMALIZED_GAIN = OutcomeTarget.Metric.NORMALIZED_GAIN.value, OutcomeTarget.Metric.NORMALIZED_GAIN.label
    POST_PASS_RATE = OutcomeTarget.Metric.POST_PASS_RATE.value, OutcomeTarget.Metric.POST_PASS_RATE.label
    IMPLEMENTATION_RATE = (
        OutcomeTarget.Metric.IMPLEMENTATION_RATE.value,
        OutcomeTarget.Metric.IMPLEMENTATION_RATE.label,
    )
    IMPLEMENTED_WITHIN = (
        OutcomeTarget.Metric.IMPLEMENTED_WITHIN.value,
        OutcomeTarget.Metric.IMPLEMENTED_WITHIN.label,
    )
    FOLLOWUP_COMPLIANCE = (
        OutcomeTarget.Metric.FOLLOWUP_COMPLIANCE.value,
        OutcomeTarget.Metric.FOLLOWUP_COMPLIANCE.label,
    )
    MATURITY_CHANGE = OutcomeTarget.Metric.MATURITY_CHANGE.value, OutcomeTarget.Metric.MATURITY_CHANGE.label
    COORDINATION_SCORE = "coordination_score", _("Coordination questionnaire score (0–100)")
    WOMEN_TRAINED_SHARE = "women_trained_share", _("Women among the people trained (%)")


ACTIVITY_METRICS = frozenset(ActivityTarget.Metric.values)
PERCENT_METRICS = frozenset({*OutcomeTarget.PERCENT_METRICS, Metric.COORDINATION_SCORE, Metric.WOMEN_TRAINED_SHARE})
# Metrics computed from exam results, which carry the participant's sex: these can be split by sex.
SEX_METRICS = frozenset(
    {
        Metric.PEOPLE_TRAINED,
        Metric.POST_MEAN_PCT,
        Metric.MEAN_GAIN_PCT,
        Metric.NORMALIZED_GAIN,
        Metric.POST_PASS_RATE,
    }
)
# Metrics that may be limited to a kind of training session.
SESSION_METRICS = frozenset({*ActivityTarget.SESSION_METRICS, *OutcomeTarget.SESSION_METRICS})


class IndicatorQuerySet(models.QuerySet):
    """Indicators belong to a programme, not to a country: every reader of outcomes sees the
    programme's framework (its values are scoped by country, see ``IndicatorValue``); managers
    (of any country, or global) edit it."""

    def visible_to(self, user):
        """Indicators of the programmes working in a country the user reaches (all for global roles)."""
        return self.filter(objective__programme__in=programmes_reached(scope_for(user, EVERY_ROLE)))

    def editable_by(self, user):
        return self.filter(objective__programme__in=programmes_reached(scope_for(user, MANAGING_ROLES)))


class Indicator(models.Model):
    class Unit(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENT = "percent", _("Percent")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the portal's data")
        REPORTED = "reported", _("Reported per country")

    TRANSLATED_FIELDS = {"name": "name", "description": "description"}

    objective = models.ForeignKey(
        ProgrammeObjective, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("objective")
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("Short reference, e.g. 1.1."))
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    source = models.CharField(_("source of actuals"), max_length=10, choices=Source.choices, default=Source.REPORTED)
    metric = models.CharField(
        _("metric"),
        max_length=40,
        choices=Metric.choices,
        blank=True,
        help_text=_("Computed indicators: the figure of the portal that gives the actuals."),
    )
    session_kind = models.CharField(
        _("kind of session"),
        max_length=20,
        choices=TrainingSession.Kind.choices,
        blank=True,
        help_text=_("Training metrics only: count or pool only this kind of session."),
    )
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=Engagement.Phase.choices,
        blank=True,
        help_text=_("For “engagements that reached a phase”: the phase."),
    )
    within_months = models.PositiveSmallIntegerField(
        _("within months"),
        null=True,
        blank=True,
        help_text=_("For “implemented within N months”: N, counted from the day the measure was agreed."),
    )
    disaggregations = models.JSONField(
        _("disaggregations"), default=list, blank=True, help_text=_("Any of: sex, agency kind, country.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    translations = translations_field()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["objective__order", "objective__code", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["objective", "code"], name="indicator_unique_code_per_objective"),
            models.CheckConstraint(
                condition=Q(source="reported", metric="") | (Q(source="computed") & ~Q(metric="")),
                name="indicator_metric_iff_computed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def programme_id(self) -> int:
        return self.objective.programme_id

    @property
    def is_computed(self) -> bool:
        return self.source == self.Source.COMPUTED

    def clean(self) -> None:
        errors: dict[str, list] = {}
        dimensions = self.disaggregations or []
        if not isinstance(dimensions, list) or any(d not in DIMENSIONS for d in dimensions):
            errors["disaggregations"] = [_("Disaggregate by sex, agency kind or country only.")]
        elif len(set(dimensions)) != len(dimensions):
            errors["disaggregations"] = [_("Name each disaggregation once.")]
        if self.source == self.Source.COMPUTED:
            if not self.metric:
                errors["metric"] = [_("A computed indicator names the figure that gives its actuals.")]
            else:
                if SEX in dimensions and self.metric not in SEX_METRICS:
                    errors.setdefault("disaggregations", []).append(
                        _("This figure cannot be split by sex: only figures of exam results can.")
                    )
                if AGENCY_KIND in dimensions:
                    errors.setdefault("disaggregations", []).append(
                        _("Computed figures cannot be split by agency kind; report the indicator instead.")
                    )
                if self.session_kind and self.metric not in SESSION_METRICS:
                    errors["session_kind"] = [_("Only training metrics can be limited to a kind of session.")]
                if self.metric == Metric.IMPLEMENTED_WITHIN and not self.within_months:
                    errors["within_months"] = [_("Say within how many months the measures count.")]
                if self.metric == Metric.ENGAGEMENTS_REACHING_PHASE and not self.phase:
                    errors["phase"] = [_("Choose the phase the engagements must reach.")]
                expected = self.Unit.PERCENT if self.metric in PERCENT_METRICS else None
                if expected and self.unit != expected:
                    errors["unit"] = [_("This figure is a percentage: choose the unit “percent”.")]
        elif self.metric:
            errors["metric"] = [_("A reported indicator names no metric: its values are reported.")]
        if self.session_kind and self.session_kind not in TrainingSession.Kind.values:
            errors["session_kind"] = [_("Choose a kind of session of the list.")]
        if self.baseline_date and self.baseline_value is None:
            errors["baseline_value"] = [_("Give the baseline value of the baseline date.")]
        if (
            self.unit == self.Unit.PERCENT
            and self.baseline_value is not None
            and not Decimal(0) <= self.baseline_value <= Decimal(100)
        ):
            errors["baseline_value"] = [_("A percentage lies between 0 and 100.")]
        if errors:
            raise ValidationError(errors)


class IndicatorPeriod(models.Model):
    """A period of an indicator with its target (total, and per value of each disaggregation)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="periods", verbose_name=_("indicator")
    )
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    # {dimension: {value: "decimal"}}: the target of each value (a country code, "female", …).
    targets_by = models.JSONField(_("targets by disaggregation"), default=dict, blank=True)

    class Meta:
        ordering = ["indicator_id", "start"]
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")
        constraints = [date_order_constraint("indicator_period_order", start="start", end="end")]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"

    def target_of(self, dimension: str, value: str) -> Decimal | None:
        raw = (self.targets_by or {}).get(dimension, {}).get(value)
        return None if raw in (None, "") else Decimal(str(raw))


def as_decimal(raw) -> Decimal:
    """A number given as text or number (JSON), as a Decimal; ValueError when it is none."""
    try:
        value = Decimal(str(raw).strip())
    except Exception as exc:  # decimal.InvalidOperation and friends
        raise ValueError(raw) from exc
    if not value.is_finite():
        raise ValueError(raw)
    return value


def breakdown_errors(*, indicator: Indicator, total, breakdown: dict, what: str) -> list[str]:
    """What is wrong with a breakdown ``{dimension: {value: number}}`` of ``total``.

    Only the indicator's dimensions are accepted, every number must be one (not negative, at most
    100 for a percent indicator), and for a ``number`` indicator the values given for a dimension
    must add up to the total: this is an error, not a warning (a donor reads the split as the
    whole). Percent values are rates of their own group and are not added up.
    """
    errors: list[str] = []
    if not breakdown:
        return errors
    if not isinstance(breakdown, dict):
        return [str(_("The disaggregation must map each dimension to its values."))]
    for dimension, values in breakdown.items():
        if dimension not in (indicator.disaggregations or []):
            errors.append(str(_("The indicator is not disaggregated by “%(dimension)s”.") % {"dimension": dimension}))
            continue
        if not isinstance(values, dict):
            errors.append(str(_("Give the values of “%(dimension)s” one by one.") % {"dimension": dimension}))
            continue
        parsed = {}
        for value, amount in values.items():
            if amount in (None, ""):
                continue
            try:
                number = as_decimal(amount)
            except ValueError:
                errors.append(str(_("“%(amount)s” (%(value)s) is not a number.") % {"amount": amount, "value": value}))
                continue
            if number < 0:
                errors.append(str(_("%(value)s: a value cannot be negative.") % {"value": value}))
            elif indicator.unit == Indicator.Unit.PERCENT and number > 100:
                errors.append(str(_("%(value)s: a percentage lies between 0 and 100.") % {"value": value}))
            parsed[value] = number
        if (
            parsed
            and indicator.unit == Indicator.Unit.NUMBER
            and total is not None
            and sum(parsed.values()) != Decimal(str(total))
        ):
            errors.append(
                str(
                    _(
                        "The %(what)s by %(dimension)s add up to %(sum)s, not to the total %(total)s: "
                        "correct the values so that they add up."
                    )
                    % {
                        "what": what,
                        "dimension": DIMENSION_LABELS[dimension],
                        "sum": sum(parsed.values()),
                        "total": total,
                    }
                )
            )
    return errors


def clean_breakdown(breakdown: dict) -> dict:
    """The breakdown as stored: numbers as decimal strings, empty values left out."""
    return {
        dimension: {value: str(as_decimal(amount)) for value, amount in values.items() if amount not in (None, "")}
        for dimension, values in (breakdown or {}).items()
    }


def indicator_period_errors(period: IndicatorPeriod, *, others=None) -> dict[str, list]:
    """The rules of a period: dates in order, no overlap with the indicator's other periods, a
    percentage target within 0–100, and per-value targets that add up (``breakdown_errors``)."""
    errors: dict[str, list] = {}
    indicator = period.indicator
    if period.start is None or period.end is None:
        errors["start" if period.start is None else "end"] = [_("A target needs a period: give its start and end.")]
        return errors
    if period.end < period.start:
        errors["end"] = [_("The period must not end before it starts.")]
        return errors
    if others is None:
        others = IndicatorPeriod.objects.filter(indicator=indicator).exclude(pk=period.pk)
    for other in others:
        if other.pk != period.pk and other.start <= period.end and period.start <= other.end:
            errors["start"] = [
                _("The period overlaps the period %(start)s – %(end)s of this indicator.")
                % {"start": other.start, "end": other.end}
            ]
            break
    if period.target is not None:
        if period.target < 0:
            errors["target"] = [_("A target cannot be negative.")]
        elif indicator.unit == Indicator.Unit.PERCENT and period.target > 100:
            errors["target"] = [_("A percentage lies between 0 and 100.")]
    problems = breakdown_errors(
        indicator=indicator, total=period.target, breakdown=period.targets_by, what=_("targets")
    )
    if period.targets_by and period.target is None and indicator.unit == Indicator.Unit.NUMBER:
        problems.append(str(_("Give the total target the targets by disaggregation add up to.")))
    if problems:
        errors["targets_by"] = problems
    return errors


class IndicatorValueQuerySet(ScopedQuerySet):
    country_path = "country"
    write_roles = REPORTING_ROLES

    def verifiable_by(self, user):
        return self.filter(scope_for(user, MANAGING_ROLES).q(self.country_path))

    def verified(self):
        return self.filter(state=UpdateState.ACCEPTED)


def indicator_evidence_upload_to(instance, filename: str) -> str:
    # A random name with the extension of the type found in the content, never the uploader's name.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    now = timezone.now()
    return f"outcomes/evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"


class IndicatorValue(models.Model):
    """A value of a reported indicator for a period and a country, with its evidence and review.

    Its review uses the follow-up's states: a counterpart's value awaits verification (submitted),
    a manager accepts it (verified) or returns it with a comment; a manager's own value is
    verified as it is entered, as a manager's status update is.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    period = models.ForeignKey(
        IndicatorPeriod, on_delete=models.CASCADE, related_name="values", verbose_name=_("period")
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    # {dimension: {value: "decimal"}} (no country dimension: a value is already one country's).
    by = models.JSONField(_("by disaggregation"), default=dict, blank=True)
    comment = models.TextField(_("how it was measured"), blank=True)
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=indicator_evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(_("file name"), max_length=180, blank=True)
    evidence_content_type = models.CharField(_("content type"), max_length=120, blank=True)
    evidence_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=UpdateState.choices, default=UpdateState.SUBMITTED)
    submitted_by = acting_user_field(_("reported by"))
    submitted_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reviewed_by = acting_user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(IndicatorValueQuerySet)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.CheckConstraint(condition=~Q(state=UpdateState.DRAFT), name="indicator_value_reported"),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.RETURNED) | ~Q(review_comment=""),
                name="indicator_value_returned_has_comment",
            ),
            # One value waiting for verification per indicator, period and country.
            models.UniqueConstraint(
                fields=["indicator", "period", "country"],
                condition=Q(state=UpdateState.SUBMITTED),
                name="indicator_value_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "state", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.country_id} {self.period}: {self.value}"

    @property
    def is_pending(self) -> bool:
        return self.state == UpdateState.SUBMITTED
