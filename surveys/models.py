"""Evaluation surveys of training sessions: what participants thought of a session (reaction) and,
months later, whether they applied it at work (application).

- The **question bank** (``SurveyQuestion``) and the **templates** (``SurveyTemplate``, an ordered
  list of questions for one purpose) are shared like the course catalogue: every role reads them,
  managers and admins edit them. Texts are in English with the other languages in ``translations``
  (``ta_portal/multilingual.py``); a choice question's options are a list, translated item by item.
- A **survey** (``Survey``) is one purpose asked of one session's participants, at most one per
  session and purpose. It is seen and run as its session is (``trainings`` scoping).
- Each participant with an e-mail gets an **invitation** (``Invitation``): the personal link is a
  signed token naming the invitation and its random ``nonce``; ``answered`` says that the link has
  been used, so reminders go only to the others.
- A **response** (``SurveyResponse``) holds the respondent's sex, agency and country (the
  disaggregations) and the answers. In an anonymous survey it has no invitation and no time: its
  primary key is random, so neither a link nor an order ties it to a participant, and the audit
  trail records neither it nor the moment an invitation was answered (``apps.py``).
"""

from __future__ import annotations

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from engagements.models import Agency
from engagements.models import Country
from engagements.models import Person
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.multilingual import localized
from ta_portal.multilingual import source_language
from ta_portal.multilingual import translations_field
from ta_portal.outbox import ClaimedEmail
from trainings.models import CourseQuerySet
from trainings.models import Enrolment
from trainings.models import SessionPartQuerySet
from trainings.models import TrainingSession

LIKERT_VALUES = (1, 2, 3, 4, 5)
# A Likert answer at or above this agrees ("satisfied", "applied").
AGREES_FROM = 4


class Purpose(models.TextChoices):
    REACTION = "reaction", _("Reaction (at the end of the session)")
    APPLICATION = "application", _("Application (months later)")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement, 1 to 5")
    CHOICE = "choice", _("Single choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


class Headline(models.TextChoices):
    """The question whose answers are a purpose's headline figure in the outcome statistics."""

    SATISFACTION = "satisfaction", _("Overall satisfaction (the reaction figure)")
    APPLICATION = "application", _("Applied at work (the application figure)")


class CatalogueQuerySet(CourseQuerySet):
    """The question bank and the templates are not a country's data: any role reads them, managers
    and admins edit them, exactly as the course catalogue."""


class SurveyQuestion(models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("A short name that stays when the text changes.")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("The choices of a single-choice question, in order.")
    )
    required = models.BooleanField(_("answer required"), default=False)
    min_value = models.DecimalField(_("smallest number"), max_digits=9, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest number"), max_digits=9, decimal_places=2, null=True, blank=True)
    headline = models.CharField(
        _("headline figure"),
        max_length=12,
        choices=Headline.choices,
        blank=True,
        help_text=_("At most one agreement question is each purpose's headline figure."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = created_at_field()
    # {"es": {"text": "…", "options": ["…", …]}, …}
    translations = translations_field()

    TRANSLATED_FIELDS = {"text": "text"}
    local_text = localized("text")

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.UniqueConstraint(
                fields=["headline"], condition=~Q(headline=""), name="survey_question_one_headline"
            ),
            models.CheckConstraint(
                condition=Q(headline="") | Q(kind="likert"), name="survey_question_headline_is_likert"
            ),
        ]

    def __str__(self) -> str:
        return self.local_text

    def clean(self) -> None:
        errors = {}
        if self.kind == QuestionKind.CHOICE and len([o for o in self.options or [] if str(o).strip()]) < 2:
            errors["options"] = _("A single-choice question needs at least two options.")
        if self.kind != QuestionKind.CHOICE and self.options:
            errors["options"] = _("Only a single-choice question has options.")
        if self.headline and self.kind != QuestionKind.LIKERT:
            errors["headline"] = _("Only an agreement question can be a headline figure.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("The largest number must not be smaller than the smallest.")
        if errors:
            raise ValidationError(errors)

    def option_labels(self, language: str | None = None) -> list[str]:
        """The options in ``language`` (the active one by default), each falling back to English."""
        options = list(self.options or [])
        language = (language or get_language() or source_language())[:2]
        if language == source_language():
            return options
        given = ((self.translations or {}).get(language) or {}).get("options") or []
        return [given[i] if i < len(given) and given[i] else option for i, option in enumerate(options)]


class SurveyTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    is_default = models.BooleanField(
        _("default for its purpose"),
        default=False,
        help_text=_("Used for the surveys created automatically at the end of each session."),
    )
    questions = models.ManyToManyField(
        SurveyQuestion, through="TemplateQuestion", related_name="templates", verbose_name=_("questions")
    )
    created_at = created_at_field()
    translations = translations_field()

    TRANSLATED_FIELDS = {"name": "name"}
    local_name = localized("name")

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(is_default=True), name="survey_template_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.local_name

    def get_absolute_url(self) -> str:
        return reverse("surveys:template_edit", args=[self.pk])

    def ordered_questions(self) -> list[SurveyQuestion]:
        return [item.question for item in self.items.select_related("question").order_by("position")]


class TemplateQuestion(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("question of a template")
        verbose_name_plural = _("questions of a template")
        constraints = [
            models.UniqueConstraint(fields=["template", "question"], name="template_question_once"),
            models.UniqueConstraint(fields=["template", "position"], name="template_question_position"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}.{self.position}"


class SurveyQuerySet(SessionPartQuerySet):
    """Surveys are seen as their session is, and run by those who run it."""


class Survey(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("session")
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("template")
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("No answer is linked to a name: not in the pages, the exports, the API or the audit trail."),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The personal links stop working after this day."))
    created_by = acting_user_field(_("created by"))
    created_at = created_at_field()

    objects = scoped_manager(SurveyQuerySet)

    class Meta:
        ordering = ["-opens_on", "purpose", "pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["session", "purpose"], name="survey_once_per_session_purpose"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_purpose_display()}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.closes_on


class InvitationQuerySet(SessionPartQuerySet):
    country_path = "survey__session__countries"
    session_path = "survey__session"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """One participant asked to answer one survey. The link's token is signed and names this row and
    its nonce; ``answered`` is set once, when the link is used (for reminders; never a time when the
    survey is anonymous)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey"))
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="survey_invitations", verbose_name=_("participant")
    )
    email = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=8)
    nonce = models.CharField(_("secret"), max_length=32, default=new_nonce)
    answered = models.BooleanField(_("answered"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = created_at_field()

    objects = scoped_manager(InvitationQuerySet)

    class Meta:
        ordering = ["survey", "pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "enrolment"], name="invitation_once_per_participant")]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.email}"


class ResponseQuerySet(SessionPartQuerySet):
    country_path = "survey__session__countries"
    session_path = "survey__session"


class SurveyResponse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey"))
    # Empty in an anonymous survey: nothing ties the response to a participant.
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Person.Sex.choices, default=Person.Sex.UNDISCLOSED)
    agency = optional_link(Agency, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agency"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    # Empty in an anonymous survey (the moment would tie it to the invitation's e-mails).
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = scoped_manager(ResponseQuerySet)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return str(self.pk)


class AnswerQuerySet(SessionPartQuerySet):
    country_path = "response__survey__session__countries"
    session_path = "response__survey__session"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    likert = models.PositiveSmallIntegerField(
        _("agreement"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    choice = models.PositiveSmallIntegerField(_("option"), null=True, blank=True)
    number = models.DecimalField(_("number"), max_digits=11, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = scoped_manager(AnswerQuerySet)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question"),
            models.CheckConstraint(
                condition=Q(likert__isnull=True) | Q(likert__gte=1, likert__lte=5), name="answer_likert_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class EmailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
    LAST_CALL = "last_call", _("Last reminder")


class SurveyEmailQuerySet(SessionPartQuerySet):
    country_path = "invitation__survey__session__countries"
    session_path = "invitation__survey__session"


class SurveyEmail(ClaimedEmail):
    """One e-mail of a survey to one participant, claimed before it is sent (``ta_portal.outbox``):
    the unique constraint is the guarantee that an invitation gets each kind of e-mail at most once."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(_("kind"), max_length=12, choices=EmailKind.choices)

    objects = scoped_manager(SurveyEmailQuerySet)

    class Meta(ClaimedEmail.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey e-mail")
        verbose_name_plural = _("survey e-mails")
        constraints = [models.UniqueConstraint(fields=["invitation", "kind"], name="survey_email_once_per_kind")]
        indexes = [
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="survey_email_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.status})"
