import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.roles import Role
from accounts.scoping import scope_for
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.multilingual import localized
from ta_portal.multilingual import translations_field
from ta_portal.validation import date_order_constraint
from ta_portal.validation import date_order_errors
from ta_portal.validation import past_day_errors

DUPLICATE_EMAIL = _("A person with this e-mail already exists.")
AGENCY_WITH_PEOPLE_CANNOT_MOVE = _("This agency has people recorded; it cannot move to another country.")
FOCAL_POINTS_OF_ANOTHER_COUNTRY = _("Focal points must be people of the engagement's country: %(names)s")
FOCAL_POINTS_LEFT_BEHIND = _("Remove the focal points of the other country before moving the engagement.")


class Country(models.Model):
    """An ISO 3166-1 country; referred to everywhere by its alpha-2 code."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=40, blank=True)
    subregion = models.CharField(_("subregion"), max_length=60, blank=True)
    oas_member = models.BooleanField(_("OAS member state"), default=False)
    translations = translations_field()

    TRANSLATED_FIELDS = {"name": "name"}
    local_name = localized("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.local_name


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a country reached through ``country_path``."""

    country_path = "country"
    read_roles: tuple[str, ...] = EVERY_ROLE
    write_roles: tuple[str, ...] = MANAGING_ROLES

    def visible_to(self, user):
        return self.filter(scope_for(user, self.read_roles).q(self.country_path))

    def editable_by(self, user):
        return self.filter(scope_for(user, self.write_roles).q(self.country_path))

    def readable_by(self, user) -> bool:
        """Whether the user may read such rows in some country (a menu entry, a dataset to offer)."""
        return not scope_for(user, self.read_roles).empty

    def creatable_by(self, user, country=None) -> bool:
        """Whether the user may create such a row: in ``country`` when given, else in some country."""
        scope = scope_for(user, self.write_roles)
        if country is None:
            return not scope.empty
        return scope.allows(getattr(country, "pk", country))


class ScopedManager(models.Manager):
    """Exposes the queryset's roles, so callers can ask ``Model.objects.write_roles``."""

    @property
    def read_roles(self) -> tuple[str, ...]:
        return self._queryset_class.read_roles

    @property
    def write_roles(self) -> tuple[str, ...]:
        return self._queryset_class.write_roles


def scoped_manager(queryset_class):
    return ScopedManager.from_queryset(queryset_class)()


class Agency(models.Model):
    class Kind(models.TextChoices):
        REGULATORY = "regulatory", _("Licensing / regulatory authority")
        CUSTOMS = "customs", _("Customs")
        POLICE = "police", _("Police / drug law enforcement")
        PROSECUTION = "prosecution", _("Prosecution / judiciary")
        HEALTH = "health", _("Health / pharmaceutical regulator")
        FORENSIC = "forensic", _("Forensic laboratory")
        INDUSTRY = "industry", _("Industry association")
        OTHER = "other", _("Other")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("country"))
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)

    objects = scoped_manager(ScopedQuerySet)

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("national agency")
        verbose_name_plural = _("national agencies")
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="agency_unique_name_per_country")]

    def __str__(self) -> str:
        return f"{self.acronym or self.name} ({self.country_id})"

    def clean(self) -> None:
        # People are recorded in the agency's country; moving the agency would leave them behind.
        if self.pk is None or self.country_id is None:
            return
        stored = Agency.objects.filter(pk=self.pk).values_list("country_id", flat=True).first()
        if stored is not None and stored != self.country_id and self.people.exists():
            raise ValidationError({"country": AGENCY_WITH_PEOPLE_CANNOT_MOVE})


class PersonQuerySet(ScopedQuerySet):
    # Names and e-mails of officials are personal data: viewers (donors, analysts) get figures, not people.
    read_roles = (Role.ADMIN, Role.MANAGER, Role.TRAINER, Role.COUNTERPART)
    write_roles = (Role.ADMIN, Role.MANAGER, Role.TRAINER)


class Person(models.Model):
    """Someone the portal records: participant, interviewee, focal point. Not necessarily a user."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "undisclosed", _("Undisclosed")

    full_name = models.CharField(_("full name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    agency = optional_link(Agency, on_delete=models.PROTECT, related_name="people", verbose_name=_("agency"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="people", verbose_name=_("country"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    created_at = created_at_field()

    objects = scoped_manager(PersonQuerySet)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # Imports match people by e-mail, so one address names one person of a country. Per
            # country, not worldwide: a register that refused an address used in a country the user
            # cannot see would tell them it is there.
            models.UniqueConstraint(
                "country", Lower("email"), condition=~Q(email=""), name="person_unique_email_per_country"
            ),
        ]
        indexes = [models.Index(fields=["country", "full_name"])]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        errors = {}
        if self.agency_id and self.country_id and self.agency.country_id != self.country_id:
            errors["agency"] = _("The agency belongs to another country.")
        # The unique constraint says the same, but only as "constraint violated": say it plainly.
        same_email = Person.objects.filter(country_id=self.country_id, email__iexact=self.email)
        if self.email and same_email.exclude(pk=self.pk).exists():
            errors["email"] = DUPLICATE_EMAIL
        if errors:
            raise ValidationError(errors)


class ControlledSubstanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The Convention's tables are public knowledge: every signed-in user reads them. A national or
        regional listing is read by those with a role in one of its countries."""
        if user is None or not user.is_authenticated:
            return self.none()
        convention = Q(listing__in=ControlledSubstance.CONVENTION_LISTINGS)
        scope = scope_for(user, EVERY_ROLE)
        if scope.everywhere:
            return self.all()
        if scope.empty:
            return self.filter(convention)
        listed_here = ControlledSubstance.countries.through.objects.filter(country_id__in=sorted(scope.countries))
        return self.filter(convention | Q(pk__in=listed_here.values("controlledsubstance_id")))


class ControlledSubstance(models.Model):
    """A precursor chemical under control: UN 1988 Convention Tables I/II, or a national/regional list."""

    class Listing(models.TextChoices):
        TABLE_I = "I", _("1988 Convention, Table I")
        TABLE_II = "II", _("1988 Convention, Table II")
        REGIONAL = "regional", _("Regional list")
        NATIONAL = "national", _("National list")

    name = models.CharField(_("name"), max_length=200, unique=True)
    listing = models.CharField(_("listing"), max_length=10, choices=Listing.choices)
    cas_number = models.CharField(_("CAS number"), max_length=20, blank=True)
    used_for = models.CharField(_("chiefly diverted for"), max_length=100, blank=True)
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="national_substances",
        verbose_name=_("countries"),
        help_text=_("For national or regional listings: where the substance is controlled."),
    )
    translations = translations_field()

    TRANSLATED_FIELDS = {"name": "name", "used_for": "used_for"}
    local_name = localized("name")
    local_used_for = localized("used_for")
    CONVENTION_LISTINGS = (Listing.TABLE_I, Listing.TABLE_II)

    objects = ControlledSubstanceQuerySet.as_manager()

    class Meta:
        ordering = ["listing", "name"]
        verbose_name = _("controlled substance")
        verbose_name_plural = _("controlled substances")

    def __str__(self) -> str:
        return self.local_name


def logo_upload_to(instance, filename: str) -> str:
    # Never the uploader's name in the path: a random name with the extension of the type found in
    # the content (ta_portal.uploads).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"programmes/logos/{uuid.uuid4().hex}.{extension}"


class Programme(models.Model):
    """A funded programme (e.g. a CICAD precursor TA programme) under which engagements run."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # What its certificates print (engagements/certificates.py); empty: the portal-wide default.
    certificate_issuer = models.CharField(
        _("issuing organisation"),
        max_length=200,
        blank=True,
        help_text=_("Printed at the top of the certificates; empty for the portal's default."),
    )
    # Private like every upload (MEDIA_ROOT is never served): the PDF embeds it as a data: URI.
    certificate_logo = models.FileField(_("logo"), upload_to=logo_upload_to, blank=True, max_length=200)
    # Up to three {"name": …, "title": …}, in the order they sign.
    certificate_signatories = models.JSONField(_("signatories"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class EngagementQuerySet(ScopedQuerySet):
    pass


class Engagement(models.Model):
    """Technical assistance to one country: assessment, roundtable, capacity building, follow-up."""

    class Phase(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ASSESSMENT = "assessment", _("Assessment")
        ROUNDTABLE = "roundtable", _("Roundtable")
        CAPACITY_BUILDING = "capacity_building", _("Capacity building")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("country")
    )
    title = models.CharField(_("title"), max_length=200)
    programme = optional_link(
        Programme, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("programme")
    )
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.PLANNING)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_engagements", verbose_name=_("managers")
    )
    focal_points = models.ManyToManyField(
        Person, blank=True, related_name="focal_point_of", verbose_name=_("counterpart focal points")
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = scoped_manager(EngagementQuerySet)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [date_order_constraint("engagement_end_after_start", optional=("end_date",))]
        indexes = [models.Index(fields=["country", "phase"]), models.Index(fields=["start_date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.country_id})"

    def get_absolute_url(self) -> str:
        return reverse("engagements:detail", args=[self.pk])

    def clean(self) -> None:
        if errors := date_order_errors(self.start_date, self.end_date):
            raise ValidationError(errors)

    def phase_change_day_errors(self, day, *, previous_phase: str) -> dict:
        """``{"phase_changed_on": [message]}`` when ``day`` cannot date the move from ``previous_phase``
        to the engagement's phase: the phase does not change, or the day is in the future or before
        the engagement started. ``{}`` when no day is given (the change is dated now).

        The engagement's values are those about to be saved, so the form and the API call this
        with them; the service checks it again as it records the change.
        """
        if day is None:
            return {}
        if previous_phase == self.phase:
            return {"phase_changed_on": [_("The phase does not change: leave the day of the change empty.")]}
        return past_day_errors(
            day,
            field="phase_changed_on",
            not_before=self.start_date,
            not_before_message=_("The phase cannot change before the engagement started (%(day)s)."),
        )

    def check_focal_points(self, *, country, focal_points=None) -> None:
        """Focal points are people of the engagement's country: raise ValidationError unless the
        engagement, in ``country`` (a Country or its code), may have ``focal_points``; None means it
        keeps the ones it has, which then must not be left behind in the country it leaves.

        Focal points are saved after the engagement, so ``clean()`` cannot see the ones chosen: the
        form and the API call this with what they are about to save.
        """
        code = getattr(country, "pk", country)
        if focal_points is None:
            moving = self.pk is not None and code != self.country_id
            if moving and self.focal_points.exclude(country_id=code).exists():
                raise ValidationError({"country": FOCAL_POINTS_LEFT_BEHIND})
            return
        strangers = [person.full_name for person in focal_points if person.country_id != code]
        if strangers:
            raise ValidationError({"focal_points": FOCAL_POINTS_OF_ANOTHER_COUNTRY % {"names": ", ".join(strangers)}})


class PhaseChange(models.Model):
    """History of an engagement's phase: who moved it, when, from what to what."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(_("from"), max_length=20, choices=Engagement.Phase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=20, choices=Engagement.Phase.choices)
    changed_by = acting_user_field(related_name=None)
    # Now, unless the change is of the past (a history workbook gives its date).
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # Why it moved on, when the change was made for a reason (e.g. the activities that suggested it).
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["changed_at"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.engagement_id}: {self.from_phase} → {self.to_phase}"
