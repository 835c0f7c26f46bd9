"""Capacity building: a course catalogue, training sessions, enrolments, exams and their scores.

Who sees what (the scoping rules of this app):

- A session belongs to one or more countries (``countries``): the engagement's country when it
  is part of an engagement, the participating countries for a regional session (which has no
  engagement). The session service keeps the engagement's country among them.
- Admins see every session; managers, counterparts and viewers see the sessions of their
  countries; a trainer sees only the sessions they are assigned to (``trainers``), whatever
  countries their trainer role names.
- Assigned trainers and the managers of a session's countries run it (enrolment, attendance,
  exams, scores, certificates); only managers and admins change its countries, engagement and
  trainers, or create sessions.
- Participants' names are shown to those who run the session. Counterparts and viewers read the
  session, its figures and charts, without names (officials' names are personal data).
- The course catalogue is shared: every signed-in user with a role reads it, managers and admins
  edit it.
"""

from datetime import date
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.roles import Role
from accounts.scoping import has_role
from accounts.scoping import manages_somewhere
from accounts.scoping import scope_for
from engagements.certificates import issuer_for
from engagements.models import Agency
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from reports.certificates import CertificateContent
from reports.models import CertificateKind  # noqa: F401 (the kinds of certificate, named here too)
from reports.models import IssuedCertificate
from reports.models import new_verification_code  # noqa: F401 (migration 0001 names it here)
from ta_portal.models import MeetingModality
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.multilingual import localized
from ta_portal.multilingual import translations_field
from ta_portal.validation import date_order_constraint
from ta_portal.validation import date_order_errors

SCORE_DIGITS = {"max_digits": 7, "decimal_places": 2}


class CourseQuerySet(models.QuerySet):
    """The catalogue is not a country's data: any role reads it, managers and admins edit it."""

    read_roles = EVERY_ROLE
    write_roles = MANAGING_ROLES

    def visible_to(self, user):
        return self.none() if scope_for(user, self.read_roles).empty else self.all()

    def editable_by(self, user):
        return self.all() if self.creatable_by(user) else self.none()

    def creatable_by(self, user, country=None) -> bool:
        """Managers and admins anywhere add to the catalogue (a course has no country)."""
        return manages_somewhere(user)


class Course(models.Model):
    """A course of the catalogue; its topics name the assessment dimensions it strengthens."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    dimensions = models.ManyToManyField(
        "assessments.Dimension",
        blank=True,
        related_name="courses",
        verbose_name=_("topics (assessment dimensions)"),
        help_text=_("The assessment dimensions this course builds capacity in, so it can answer a gap."),
    )
    duration_hours = models.PositiveSmallIntegerField(_("duration (hours)"), null=True, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    application_survey_months = models.PositiveSmallIntegerField(
        _("application survey after (months)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("How long after a session its participants are asked whether they applied what they learned."),
    )
    created_at = created_at_field()
    # Title and description in the other languages (ta_portal/multilingual.py).
    translations = translations_field()

    TRANSLATED_FIELDS = {"title": "title", "description": "description"}
    local_title = localized("title")
    local_description = localized("description")

    objects = scoped_manager(CourseQuerySet)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.local_title

    def get_absolute_url(self) -> str:
        return reverse("trainings:course_detail", args=[self.pk])


def _sessions_in_countries(scope) -> Q:
    """Sessions linked to a country of ``scope`` (a subquery, so a session never appears twice)."""
    if scope.everywhere:
        return Q()
    if scope.empty:
        return Q(pk__in=[])
    through = TrainingSession.countries.through.objects.filter(country_id__in=sorted(scope.countries))
    return Q(pk__in=through.values("trainingsession_id"))


def _sessions_assigned_to(user) -> Q:
    if not has_role(user, Role.TRAINER):
        return Q(pk__in=[])
    return Q(pk__in=TrainingSession.trainers.through.objects.filter(user_id=user.pk).values("trainingsession_id"))


class TrainingSessionQuerySet(ScopedQuerySet):
    country_path = "countries"
    # Trainers are not here: they reach a session by being assigned to it, not by country.
    read_roles = (Role.ADMIN, Role.MANAGER, Role.COUNTERPART, Role.VIEWER)
    write_roles = MANAGING_ROLES
    session_path = ""  # the path from this model to its session ("" for the session itself)

    def _through_session(self, q: Q) -> Q:
        if not self.session_path:
            return q
        return Q(**{f"{self.session_path}__in": TrainingSession.objects.filter(q).values("pk")})

    def _filter(self, country_roles, user, *, with_trainers: bool):
        scope = scope_for(user, country_roles)
        if scope.everywhere:
            return self.all()
        q = _sessions_in_countries(scope)
        if with_trainers:
            q |= _sessions_assigned_to(user)
        return self.filter(self._through_session(q))

    def visible_to(self, user):
        return self._filter(self.read_roles, user, with_trainers=True)

    def editable_by(self, user):
        """Who runs the session: enrolment, attendance, exams, scores, certificates."""
        return self._filter(self.write_roles, user, with_trainers=True)

    def manageable_by(self, user):
        """Who plans it: countries, engagement, trainers (managers and admins of its countries)."""
        return self._filter(self.write_roles, user, with_trainers=False)


class AttemptPolicy(models.TextChoices):
    """Which attempt of an online quiz (several allowed) is the participant's score."""

    BEST = "best", _("The best attempt")
    LAST = "last", _("The last attempt")


class TrainingSession(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        MENTORING = "mentoring", _("Mentoring")
        WEBINAR = "webinar", _("Webinar")
        WORKSHOP = "workshop", _("Workshop")
        STUDY_VISIT = "study_visit", _("Study visit")

    Modality = MeetingModality

    course = optional_link(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    engagement = optional_link(
        Engagement,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("engagement"),
        help_text=_("Empty for a regional session spanning several countries."),
    )
    countries = models.ManyToManyField(
        Country,
        related_name="training_sessions",
        verbose_name=_("countries"),
        help_text=_("The engagement's country, or the participating countries of a regional session."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TRAINING)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices, default=Modality.IN_PERSON)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="es")
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_sessions", verbose_name=_("trainers")
    )
    max_score = models.DecimalField(
        _("maximum exam score"), **SCORE_DIGITS, default=100, validators=[MinValueValidator(1)]
    )
    pass_mark = models.DecimalField(
        _("pass mark"), **SCORE_DIGITS, default=70, help_text=_("The post-exam score needed to pass.")
    )
    attendance_threshold_pct = models.PositiveSmallIntegerField(
        _("attendance needed for a certificate (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    attempt_policy = models.CharField(
        _("attempt that counts"),
        max_length=4,
        choices=AttemptPolicy.choices,
        default=AttemptPolicy.BEST,
        help_text=_("When an online quiz allows several attempts: the best one or the last one."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(TrainingSessionQuerySet)

    # What the page's form and the API write, in the order the form shows it (the page adds the notes).
    EDITABLE_FIELDS = (
        "course",
        "title",
        "kind",
        "modality",
        "start_date",
        "end_date",
        "venue",
        "language",
        "engagement",
        "countries",
        "trainers",
        "max_score",
        "pass_mark",
        "attendance_threshold_pct",
        "attempt_policy",
    )
    # Where and by whom the session is given: only managers of the session's countries change these.
    PLANNING_FIELDS = ("engagement", "countries", "trainers")

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            date_order_constraint("session_end_after_start"),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=models.F("max_score")),
                name="session_pass_mark_within_max",
            ),
        ]
        indexes = [models.Index(fields=["start_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trainings:session_detail", args=[self.pk])

    def clean(self) -> None:
        errors = date_order_errors(self.start_date, self.end_date)
        if self.max_score is not None and self.pass_mark is not None and not 0 <= self.pass_mark <= self.max_score:
            errors["pass_mark"] = _("The pass mark must lie between 0 and the maximum score.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def place_errors(*, engagement, countries) -> dict:
        """A session takes place somewhere: in its engagement's country, or in the countries named.

        Not part of ``clean()``: the countries are a many-to-many, known only once the form or the
        serializer has them; both, and the service that saves, call this.
        """
        if engagement is None and not countries:
            return {"countries": _("Choose the session's countries, or an engagement.")}
        return {}

    @property
    def days(self) -> int:
        """Calendar days the session spans (what per-day attendance counts against)."""
        return (self.end_date - self.start_date).days + 1

    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]

    def days_attended_error(self, days_attended) -> str | None:
        """Why a participant's days attended cannot be recorded for this session, if it cannot."""
        if days_attended is not None and not 0 <= days_attended <= self.days:
            return _("Days attended must lie between 0 and %(days)s.") % {"days": self.days}
        return None


class SessionPartQuerySet(TrainingSessionQuerySet):
    """Rows of one session (its exam forms, its enrolments): visible and editable as the session is."""

    country_path = "session__countries"
    session_path = "session"


class ExamForm(models.Model):
    """One version of the exam (A, B, …). With two forms, half the group takes A as pre and B as
    post and the other half the reverse, so the post exam does not repeat questions they saw."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="exam_forms", verbose_name=_("session")
    )
    code = models.CharField(_("form"), max_length=8, help_text=_("A short label such as A or B."))

    objects = scoped_manager(SessionPartQuerySet)

    class Meta:
        ordering = ["session", "code"]
        verbose_name = _("exam form")
        verbose_name_plural = _("exam forms")
        constraints = [models.UniqueConstraint(fields=["session", "code"], name="exam_form_unique_code")]

    def __str__(self) -> str:
        return _("Form %(code)s") % {"code": self.code}

    def clean(self):
        # Forms are named in capitals ("a" is form A), so the same letter cannot stand twice.
        self.code = self.code.strip().upper()
        others = ExamForm.objects.filter(session_id=self.session_id).exclude(pk=self.pk)
        if self.session_id and others.filter(code=self.code).exists():
            raise ValidationError({"code": _("This session has a form %(code)s already.") % {"code": self.code}})


class Question(models.Model):
    form = models.ForeignKey(ExamForm, on_delete=models.CASCADE, related_name="questions", verbose_name=_("form"))
    number = models.PositiveSmallIntegerField(_("number"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    dimension = optional_link(
        "assessments.Dimension",
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("assessment dimension"),
    )
    points = models.DecimalField(_("points"), **SCORE_DIGITS, validators=[MinValueValidator(0.01)])

    class Meta:
        ordering = ["form", "number"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="question_unique_number"),
            models.CheckConstraint(condition=Q(points__gt=0), name="question_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.form.code}{self.number}"


class Enrolment(models.Model):
    """A person taking part in a session, with their attendance and their pre/post exam scores.

    Scores live here (not in a table of their own) so that every statistic reads one row per
    participant in one query; their history is in ``ScoreChange``.
    """

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("session")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("person"))
    # The agency at the time of the session: figures by agency must not move when someone changes job.
    agency = optional_link(Agency, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("agency"))
    days_attended = models.DecimalField(
        _("days attended"), max_digits=4, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    completed = models.BooleanField(_("completed"), default=False)
    pre_form = optional_link(ExamForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("pre-exam form"))
    post_form = optional_link(ExamForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("post-exam form"))
    pre_score = models.DecimalField(_("pre-exam score"), **SCORE_DIGITS, null=True, blank=True)
    post_score = models.DecimalField(_("post-exam score"), **SCORE_DIGITS, null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = scoped_manager(SessionPartQuerySet)

    class Meta:
        ordering = ["session", "person__full_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="enrolment_unique_person"),
            models.CheckConstraint(condition=Q(pre_score__gte=0) | Q(pre_score__isnull=True), name="pre_score_ge_0"),
            models.CheckConstraint(condition=Q(post_score__gte=0) | Q(post_score__isnull=True), name="post_score_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"

    def attendance_pct(self, session_days: int) -> float | None:
        if self.days_attended is None or not session_days:
            return None
        return min(100.0, 100.0 * float(self.days_attended) / session_days)


class AttendanceDay(models.Model):
    """Presence on one day of the session (per-day attendance); ``days_attended`` is their count."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance_days", verbose_name=_("enrolment")
    )
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["enrolment", "day"]
        verbose_name = _("day attended")
        verbose_name_plural = _("days attended")
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_unique_day")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.day}"


class Phase(models.TextChoices):
    PRE = "pre", _("Pre-exam")
    POST = "post", _("Post-exam")


class ItemScore(models.Model):
    """Points a participant earned on one question of the form they took in one phase."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="item_scores", verbose_name=_("enrolment")
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices)
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="item_scores", verbose_name=_("question")
    )
    points = models.DecimalField(_("points"), **SCORE_DIGITS)

    class Meta:
        ordering = ["enrolment", "phase", "question__number"]
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "phase", "question"], name="item_score_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="item_score_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.phase} {self.question_id}: {self.points}"


class ScoreChange(models.Model):
    """Every change of a pre/post score, with its author and where it came from."""

    class Source(models.TextChoices):
        GRID = "grid", _("Score grid")
        IMPORT = "import", _("File import")
        API = "api", _("API")
        ITEMS = "items", _("Question scores")
        QUIZ = "quiz", _("Online quiz import")

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="score_changes", verbose_name=_("enrolment")
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices)
    old_score = models.DecimalField(_("old score"), **SCORE_DIGITS, null=True, blank=True)
    new_score = models.DecimalField(_("new score"), **SCORE_DIGITS, null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    changed_by = acting_user_field(_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.phase}: {self.old_score} → {self.new_score}"


class CertificateQuerySet(TrainingSessionQuerySet):
    country_path = "enrolment__session__countries"
    session_path = "enrolment__session"

    def revocable_by(self, user):
        """Revoking is for the managers of the session's countries (and admins), not its trainers."""
        return self._filter(self.write_roles, user, with_trainers=False)


class Certificate(IssuedCertificate):
    """Issued to a participant who met the attendance threshold and passed the post exam; in a
    session without an exam, on attendance alone (a certificate of attendance). A revoked certificate
    stays (its code then says so); issuing again makes another with a new code."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("enrolment")
    )

    objects = scoped_manager(CertificateQuerySet)

    PERSON_PATH = "enrolment__person"

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(revoked_at__isnull=True), name="certificate_one_valid_per_enrolment"
            )
        ]

    @property
    def person(self) -> Person:
        return self.enrolment.person

    def default_language(self) -> str:
        return self.enrolment.session.language

    def content(self) -> CertificateContent:
        """What the certificate prints, in the active language."""
        session = self.enrolment.session
        course = session.course
        title = course.local_title if course else session.title
        details = [session.title] if session.title != title else []
        details += [str(session.get_kind_display()), str(session.get_modality_display())]
        programme = session.engagement.programme if session.engagement_id else None
        return CertificateContent(
            code=self.code,
            kind=self.kind,
            name=self.enrolment.person.full_name,
            title=title,
            start=session.start_date,
            end=session.end_date,
            issued=timezone.localdate(self.issued_at),
            issuer=issuer_for(programme),
            details=" · ".join(details),
            venue=session.venue,
            hours=course.duration_hours if course else None,
        )
