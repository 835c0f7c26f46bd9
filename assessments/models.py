"""National assessments of precursor control: frameworks, scores, findings, recommendations, roundtables.

A framework is versioned: once an assessment uses a framework version, that version and its
dimensions are frozen (see ``Framework.in_use`` and ``Dimension.save``); admins change the
framework by making a new version, so a finished assessment never changes under its readers.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import scope_for
from engagements.models import Agency
from engagements.models import ControlledSubstance
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.multilingual import localized
from ta_portal.multilingual import translated
from ta_portal.multilingual import translations_field
from ta_portal.validation import date_order_constraint
from ta_portal.validation import date_order_errors

LEVELS = (1, 2, 3, 4, 5)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: give an IANA name such as America/Lima."))


class FrameworkQuerySet(models.QuerySet):
    def latest_versions(self):
        """The newest version of each framework (what a new assessment is offered)."""
        newest = Framework.objects.filter(code=models.OuterRef("code")).order_by("-version").values("version")[:1]
        return self.filter(version=models.Subquery(newest))


class Framework(models.Model):
    """One version of an assessment framework: a set of dimensions, each with a 1–5 maturity scale."""

    code = models.SlugField(_("code"), max_length=60, help_text=_("Stable across versions."))
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = created_at_field()
    # Name and description in the other languages (ta_portal/multilingual.py); editable on a frozen
    # version too, since a better translation does not change what was assessed.
    translations = translations_field()

    TRANSLATED_FIELDS = {"name": "name", "description": "description"}
    local_name = localized("name")
    local_description = localized("description")

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("assessment framework")
        verbose_name_plural = _("assessment frameworks")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_unique_version")]

    def __str__(self) -> str:
        return f"{self.local_name} (v{self.version})"

    def save(self, *args, **kwargs):
        if self.in_use:
            stored = Framework.objects.filter(pk=self.pk).values("code", "version", "name", "description").first()
            current = {"code": self.code, "version": self.version, "name": self.name, "description": self.description}
            if stored != current:
                raise ValidationError(
                    _("This framework version is used by an assessment; make a new version to edit it.")
                )
        super().save(*args, **kwargs)

    @property
    def in_use(self) -> bool:
        """Frozen: an assessment was made with this version."""
        return self.pk is not None and Assessment.objects.filter(framework_id=self.pk).exists()


class Dimension(models.Model):
    """A dimension of a framework version, with a described maturity level 1 (weakest) to 5."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("framework")
    )
    code = models.SlugField(_("code"), max_length=40, help_text=_("Stable across framework versions."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level_1 = models.TextField(_("level 1"))
    level_2 = models.TextField(_("level 2"))
    level_3 = models.TextField(_("level 3"))
    level_4 = models.TextField(_("level 4"))
    level_5 = models.TextField(_("level 5"))
    # Other languages of the texts: {"es": {"name": …, "description": …, "levels": {"1": …}}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    TRANSLATED_FIELDS = {
        "name": "name",
        "description": "description",
        **{f"level_{level}": f"levels.{level}" for level in LEVELS},
    }

    class Meta:
        ordering = ["framework", "order", "code"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="dimension_unique_code")]

    def __str__(self) -> str:
        return self.local_name()

    # What an assessment was scored against: frozen once the framework version is used. The
    # translations stay editable (a better translation does not change what was assessed).
    FROZEN_FIELDS = ("framework_id", "code", "order", "name", "description", *(f"level_{n}" for n in LEVELS))

    def save(self, *args, **kwargs):
        # The framework version is frozen once used; a change goes into a new version.
        if self.framework_id and Assessment.objects.filter(framework_id=self.framework_id).exists():
            stored = Dimension.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first() if self.pk else None
            if stored != {field: getattr(self, field) for field in self.FROZEN_FIELDS}:
                raise ValidationError(
                    _("This framework version is used by an assessment; make a new version to edit it.")
                )
        super().save(*args, **kwargs)

    @property
    def levels(self) -> dict[str, str]:
        return {str(level): getattr(self, f"level_{level}") for level in LEVELS}

    def local_name(self, language: str | None = None) -> str:
        return translated(self, "name", language)

    def local_description(self, language: str | None = None) -> str:
        return translated(self, "description", language)

    def local_levels(self, language: str | None = None) -> dict[str, str]:
        return {str(level): translated(self, f"level_{level}", language) for level in LEVELS}


class AssessmentQuerySet(ScopedQuerySet):
    """Managers and admins of the country; its counterparts once the assessment leaves draft."""

    country_path = "engagement__country"
    read_roles = (Role.ADMIN, Role.MANAGER, Role.COUNTERPART)
    assessment_path = ""  # the path from this model to its assessment ("" for Assessment itself)

    def _status_field(self) -> str:
        return f"{self.assessment_path}__status" if self.assessment_path else "status"

    def visible_to(self, user):
        managing = scope_for(user, self.write_roles)
        if managing.everywhere:
            return self.all()
        counterpart = scope_for(user, (Role.COUNTERPART,))
        condition = managing.q(self.country_path)
        if not counterpart.empty:
            shared = counterpart.q(self.country_path) & Q(
                **{f"{self._status_field()}__in": [Assessment.Status.IN_REVIEW, Assessment.Status.FINAL]}
            )
            condition = condition | shared
        return self.filter(condition)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        FINAL = "final", _("Final")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("engagement")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("framework")
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="assessments", verbose_name=_("agencies assessed")
    )
    lead_assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_assessments", verbose_name=_("lead assessors")
    )
    executive_summary = models.TextField(_("executive summary"), blank=True)
    method = models.TextField(
        _("method"), blank=True, help_text=_("How the assessment was made: scope, sources, limitations.")
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(AssessmentQuerySet)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [date_order_constraint("assessment_end_after_start", optional=("end_date",))]
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    def clean(self) -> None:
        if errors := date_order_errors(self.start_date, self.end_date):
            raise ValidationError(errors)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def country(self):
        return self.engagement.country


class StatusChange(models.Model):
    """History of an assessment's status: who moved it, when, and why (a reopening needs a reason)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, choices=Assessment.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Assessment.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = acting_user_field(_("changed by"), related_name=None)
    # Now, unless the change is of the past (a history workbook gives its date).
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class AssessmentPartQuerySet(AssessmentQuerySet):
    """Rows that belong to one assessment: visible and editable as the assessment is."""

    country_path = "assessment__engagement__country"
    assessment_path = "assessment"


class EvidenceMeeting(models.Model):
    """A meeting, interview, site visit or document review held for the assessment."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        INTERVIEW = "interview", _("Interview")
        SITE_VISIT = "site_visit", _("Site visit")
        DOCUMENT_REVIEW = "document_review", _("Document review")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("assessment")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    agency = optional_link(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    people = models.ManyToManyField(
        Person, blank=True, related_name="assessment_meetings", verbose_name=_("people met")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = scoped_manager(AssessmentPartQuerySet)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("meeting or interview")
        verbose_name_plural = _("meetings and interviews")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class LegalInstrument(models.Model):
    """A law, decree, regulation or procedure reviewed during the assessment."""

    class Kind(models.TextChoices):
        LAW = "law", _("Law")
        DECREE = "decree", _("Decree")
        REGULATION = "regulation", _("Regulation")
        PROCEDURE = "procedure", _("Procedure")

    class State(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        DRAFT = "draft", _("Draft")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="instruments", verbose_name=_("assessment")
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.LAW)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    state = models.CharField(_("in force or draft"), max_length=10, choices=State.choices, default=State.IN_FORCE)
    gaps = models.TextField(_("gaps noted"), blank=True)

    objects = scoped_manager(AssessmentPartQuerySet)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("legal instrument")
        verbose_name_plural = _("legal instruments")

    def __str__(self) -> str:
        return self.title


class DimensionScore(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="scores", verbose_name=_("dimension")
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    rationale = models.TextField(_("rationale"), blank=True)

    objects = scoped_manager(AssessmentPartQuerySet)

    class Meta:
        ordering = ["dimension__order", "dimension__code"]
        verbose_name = _("dimension score")
        verbose_name_plural = _("dimension scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="score_unique_per_dimension"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="score_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.level}"


class Finding(models.Model):
    class Kind(models.TextChoices):
        CHALLENGE = "challenge", _("Challenge")
        OPPORTUNITY = "opportunity", _("Opportunity")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="findings", verbose_name=_("assessment")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="findings", verbose_name=_("dimension")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHALLENGE)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    text = models.TextField(_("finding"))
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="assessment_findings", verbose_name=_("agencies concerned")
    )
    substances = models.ManyToManyField(
        ControlledSubstance, blank=True, related_name="assessment_findings", verbose_name=_("substances concerned")
    )
    created_at = created_at_field()

    objects = scoped_manager(AssessmentPartQuerySet)

    class Meta:
        ordering = ["dimension__order", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:80]


class RecommendationQuerySet(AssessmentQuerySet):
    country_path = "finding__assessment__engagement__country"
    assessment_path = "finding__assessment"


class Recommendation(models.Model):
    class Timeframe(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate (within 6 months)")
        SHORT = "short", _("Short term (6–12 months)")
        MEDIUM = "medium", _("Medium term (1–2 years)")
        LONG = "long", _("Long term (more than 2 years)")

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("finding")
    )
    text = models.TextField(_("recommendation"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Finding.Priority.choices, default=Finding.Priority.MEDIUM
    )
    responsible_agency = optional_link(
        Agency,
        on_delete=models.PROTECT,
        related_name="assessment_recommendations",
        verbose_name=_("responsible agency"),
    )
    timeframe = models.CharField(_("suggested timeframe"), max_length=12, choices=Timeframe.choices, blank=True)
    created_at = created_at_field()

    objects = scoped_manager(RecommendationQuerySet)

    class Meta:
        ordering = ["finding__dimension__order", "finding_id", "pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def assessment(self) -> Assessment:
        return self.finding.assessment


class RoundtableQuerySet(ScopedQuerySet):
    """Managers and admins of the country run roundtables; its counterparts attend and may read them."""

    country_path = "engagement__country"
    read_roles = (Role.ADMIN, Role.MANAGER, Role.COUNTERPART)


class Roundtable(models.Model):
    """The meeting where an assessment is presented to the national entities and measures are agreed."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="roundtables", verbose_name=_("engagement")
    )
    assessment = optional_link(
        Assessment, on_delete=models.PROTECT, related_name="roundtables", verbose_name=_("assessment presented")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Where the times are meant, e.g. America/Bogota (used by calendar invitations)."),
    )
    online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(_("venue or meeting link"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="roundtables", verbose_name=_("participating agencies")
    )
    attendees = models.ManyToManyField(
        Person, through="RoundtableAttendance", blank=True, related_name="roundtables", verbose_name=_("attendees")
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(RoundtableQuerySet)

    # What its planners write, in the order the page's form and the API show it.
    EDITABLE_FIELDS = (
        "engagement",
        "assessment",
        "title",
        "date",
        "start_time",
        "end_time",
        "time_zone",
        "online",
        "venue",
        "agencies",
        "agenda",
        "minutes",
    )

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("roundtable")
        verbose_name_plural = _("roundtables")
        constraints = [
            date_order_constraint(
                "roundtable_ends_after_start",
                start="start_time",
                end="end_time",
                optional=("end_time", "start_time"),
                strict=True,
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:roundtable_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if self.assessment_id and self.engagement_id and self.assessment.engagement_id != self.engagement_id:
            errors["assessment"] = _("The assessment belongs to another engagement.")
        if not self.online and not self.venue:
            errors["venue"] = _("Give the venue, or tick “online” and give the meeting link.")
        if errors:
            raise ValidationError(errors)


class RoundtableAttendance(models.Model):
    roundtable = models.ForeignKey(
        Roundtable, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("roundtable")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="roundtable_attendance", verbose_name=_("person")
    )
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["person__full_name"]
        verbose_name = _("roundtable attendee")
        verbose_name_plural = _("roundtable attendees")
        constraints = [models.UniqueConstraint(fields=["roundtable", "person"], name="attendance_unique_person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.roundtable_id}"
