"""Outcome indicators reported per round, and the coordination questionnaire."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import optional_link

from .measures import REPORTING_ROLES
from .measures import EngagementPartQuerySet
from .rounds import FollowupRound


class Indicator(models.Model):
    """An outcome indicator of an engagement, reported per round (e.g. pre-export notifications sent)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("engagement")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. notifications, inspections, kg"))
    description = models.TextField(_("how it is counted"), blank=True)
    substance = optional_link(
        ControlledSubstance,
        on_delete=models.PROTECT,
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

    def clean(self) -> None:
        # The constraint tells "Seizures" from "seizures"; people do not.
        if self.engagement_id and self.name:
            clash = Indicator.objects.filter(engagement_id=self.engagement_id, name__iexact=self.name.strip())
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"name": _("This engagement already has an indicator with this name.")})


class RoundPartQuerySet(ScopedQuerySet):
    country_path = "round__engagement__country"
    write_roles = REPORTING_ROLES


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    round = models.ForeignKey(FollowupRound, on_delete=models.CASCADE, related_name="indicator_values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = acting_user_field(blank=False)
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


def unanswered_questions(answers: dict) -> list[str]:
    """The questions left blank beside answered ones: the questionnaire is answered whole, or not yet
    (all blank). The fields below cannot be empty, so a half-answered questionnaire has no row to go to."""
    blank = [field for field, _q in COORDINATION_QUESTIONS if answers.get(field) in (None, "")]
    return blank if len(blank) < len(COORDINATION_QUESTIONS) else []


UNANSWERED_MESSAGE = _("Answer every question, or none to answer later.")


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
    answered_by = acting_user_field(blank=False)
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
