"""Network events: meetings beyond one engagement, their agenda, registrations and outcomes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.scoping import is_admin
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.models import Person
from engagements.models import Programme
from ta_portal.models import MeetingModality
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.validation import date_order_constraint
from ta_portal.validation import date_order_errors

from .networks import Network


class NetworkEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins; users of a participating or host country; organisers; the network; participants."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        scope = scope_for(user, EVERY_ROLE)
        condition = Q(pk__in=NetworkEvent.organisers.through.objects.filter(user=user).values("networkevent"))
        condition |= Q(network__in=Network.objects.with_member(user))
        condition |= Q(pk__in=Registration.objects.active().filter(person__user=user).values("event"))
        if scope.everywhere:
            return self.all()
        if scope.countries:
            codes = sorted(scope.countries)
            condition |= Q(host_country__in=codes)
            condition |= Q(
                pk__in=NetworkEvent.countries.through.objects.filter(country__in=codes).values("networkevent")
            )
        return self.filter(condition)

    def editable_by(self, user):
        """Admins, the organisers, the network's coordinators and managers of the host country."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        condition = Q(pk__in=NetworkEvent.organisers.through.objects.filter(user=user).values("networkevent"))
        condition |= Q(network__in=Network.objects.editable_by(user))
        managing = scope_for(user, MANAGING_ROLES)
        if managing.everywhere:
            return self.all()
        if managing.countries:
            condition |= Q(host_country__in=sorted(managing.countries))
        return self.filter(condition)


class NetworkEvent(models.Model):
    """A meeting of the network beyond one engagement: annual meeting, conference, seminar, webinar."""

    class Kind(models.TextChoices):
        ANNUAL_MEETING = "annual_meeting", _("Annual meeting")
        CONFERENCE = "conference", _("Conference")
        BI_REGIONAL_SEMINAR = "bi_regional_seminar", _("Bi-regional seminar")
        DIALOGUE_FORUM = "dialogue_forum", _("Dialogue forum")
        WEBINAR = "webinar", _("Webinar")
        OTHER = "other", _("Other meeting")

    Modality = MeetingModality

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.ANNUAL_MEETING)
    network = optional_link(Network, on_delete=models.PROTECT, related_name="events", verbose_name=_("network"))
    # Whose certificates of attendance these are (issuer, logo, signatories); empty: the portal's default.
    programme = optional_link(
        Programme, on_delete=models.PROTECT, related_name="network_events", verbose_name=_("programme")
    )
    modality = models.CharField(_("modality"), max_length=12, choices=Modality.choices, default=Modality.IN_PERSON)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    host_country = optional_link(
        Country, on_delete=models.PROTECT, related_name="hosted_network_events", verbose_name=_("host country")
    )
    online_url = models.URLField(_("online meeting link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="network_events",
        verbose_name=_("participating countries"),
        help_text=_("Users of these countries see the event and may nominate participants."),
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_network_events", verbose_name=_("organisers")
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    # Raised whenever the date or place changes, so calendars replace the invitation they hold.
    sequence = models.PositiveIntegerField(_("invitation revision"), default=0, editable=False)
    created_by = acting_user_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = NetworkEventQuerySet.as_manager()

    # What its organisers write, in the order the page's form and the API show it.
    EDITABLE_FIELDS = (
        "title",
        "kind",
        "network",
        "programme",
        "modality",
        "start_date",
        "end_date",
        "venue",
        "city",
        "host_country",
        "online_url",
        "countries",
        "registration_open",
        "description",
    )

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("network event")
        verbose_name_plural = _("network events")
        constraints = [date_order_constraint("network_event_end_after_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:event_detail", args=[self.pk])

    def clean(self) -> None:
        errors = date_order_errors(self.start_date, self.end_date)
        if self.modality in (self.Modality.VIRTUAL, self.Modality.HYBRID) and not self.online_url:
            errors["online_url"] = _("A virtual or hybrid event needs its online meeting link.")
        if errors:
            raise ValidationError(errors)


class AgendaItem(models.Model):
    event = models.ForeignKey(NetworkEvent, on_delete=models.CASCADE, related_name="agenda_items")
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("starts"), null=True, blank=True)
    end_time = models.TimeField(_("ends"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["day", "start_time", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            date_order_constraint(
                "agenda_item_end_after_start", start="start_time", end="end_time", optional=("start_time", "end_time")
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        event = self.event if self.event_id else None
        if event and self.day and not (event.start_date <= self.day <= event.end_date):
            errors["day"] = _("The day must fall within the event's dates.")
        if self.start_time and self.end_time and self.end_time < self.start_time:
            errors["end_time"] = _("The end must not be before the start.")
        if errors:
            raise ValidationError(errors)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(models.Model):
    """A person registered for an event (possibly from another country than the organisers')."""

    class ParticipantRole(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")
        ORGANISER = "organiser", _("Organiser")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(NetworkEvent, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="network_registrations", verbose_name=_("person")
    )
    role = models.CharField(
        _("role"), max_length=12, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    attended = models.BooleanField(_("attended"), default=False)
    registered_by = acting_user_field()
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # Set when the invitation e-mail is claimed for sending (see services.registration_send_invitation).
    invitation_sent_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    invitation_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["person__country__name", "person__full_name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="registration_unique_person")]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.event}"


class EventOutcome(models.Model):
    """A conclusion or recommendation adopted by the meeting."""

    class Kind(models.TextChoices):
        CONCLUSION = "conclusion", _("Conclusion")
        RECOMMENDATION = "recommendation", _("Recommendation")

    event = models.ForeignKey(NetworkEvent, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CONCLUSION)
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("conclusion or recommendation")
        verbose_name_plural = _("conclusions and recommendations")
        constraints = [models.UniqueConstraint(fields=["event", "kind", "number"], name="event_outcome_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        # The unique constraint says the same, but only as "constraint violated", and a form that
        # leaves the event out does not check it: say it plainly, on the number.
        if self.event_id is None or not self.kind or self.number is None:
            return
        others = EventOutcome.objects.filter(event_id=self.event_id, kind=self.kind, number=self.number)
        if others.exclude(pk=self.pk).exists():
            raise ValidationError({"number": _("This number is already used.")})
