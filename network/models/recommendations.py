"""Recommendations a country receives from evaluation mechanisms and meetings."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Country
from engagements.models import Engagement
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field

from .events import NetworkEvent


class ExternalRecommendationQuerySet(ScopedQuerySet):
    country_path = "country"


class ExternalRecommendation(models.Model):
    """A recommendation a country received from an evaluation mechanism or a meeting.

    Followed up like an assessment recommendation: measures may point at it.
    """

    class Source(models.TextChoices):
        CICAD_MEM = "cicad_mem", _("CICAD Multilateral Evaluation Mechanism (MEM)")
        HONLEA = "honlea", _("HONLEA meeting")
        INCB = "incb", _("International Narcotics Control Board (INCB)")
        CND = "cnd", _("Commission on Narcotic Drugs (CND)")
        NETWORK_MEETING = "network_meeting", _("Network meeting")
        OTHER = "other", _("Other")

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="external_recommendations", verbose_name=_("country")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    round = models.CharField(
        _("round or session"), max_length=120, help_text=_("e.g. Eighth evaluation round (2019–2023), HONLEA 32.")
    )
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=40, blank=True, help_text=_("e.g. Recommendation 12."))
    text = models.TextField(_("text"))
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    topic = optional_link(
        "assessments.Dimension",
        on_delete=models.SET_NULL,
        related_name="external_recommendations",
        verbose_name=_("topic"),
    )
    event = optional_link(
        NetworkEvent, on_delete=models.SET_NULL, related_name="external_recommendations", verbose_name=_("adopted at")
    )
    engagement = optional_link(
        Engagement,
        on_delete=models.SET_NULL,
        related_name="external_recommendations",
        verbose_name=_("followed up under"),
        help_text=_("The engagement whose follow-up tracks the measures answering it."),
    )
    review_cycle_months = models.PositiveSmallIntegerField(
        _("review cycle (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How often the source reviews implementation, e.g. 24 for a biennial review."),
    )
    created_by = acting_user_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(ExternalRecommendationQuerySet)

    # What its editors write, in the order the page's form and the API show it.
    EDITABLE_FIELDS = (
        "country",
        "source",
        "round",
        "date",
        "reference",
        "text",
        "theme",
        "topic",
        "event",
        "engagement",
        "review_cycle_months",
    )

    class Meta:
        ordering = ["country__name", "-date", "reference"]
        verbose_name = _("external recommendation")
        verbose_name_plural = _("external recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_cycle_months__gte=1) & Q(review_cycle_months__lte=120),
                name="external_recommendation_cycle_range",
            )
        ]
        indexes = [models.Index(fields=["country", "source"])]

    def __str__(self) -> str:
        label = self.reference or self.text[:60]
        return f"{self.get_source_display()} · {self.round} · {label}"

    def get_absolute_url(self) -> str:
        return reverse("network:external_recommendation_detail", args=[self.pk])

    def clean(self) -> None:
        if self.engagement_id and self.country_id and self.engagement.country_id != self.country_id:
            raise ValidationError({"engagement": _("The engagement belongs to another country.")})

    def next_review(self, today: dt.date | None = None) -> dt.date | None:
        """The first review date on the cycle (from the recommendation's date) not yet passed."""
        if not self.date or not self.review_cycle_months:
            return None
        today = today or timezone.localdate()
        step = relativedelta(months=self.review_cycle_months)
        review = self.date + step
        while review < today:
            review += step
        return review
