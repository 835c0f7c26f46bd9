"""The restricted document library: documents with an audience, and their file versions."""

import uuid
from pathlib import PurePath

from django.conf import global_settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import EVERY_ROLE
from accounts.roles import MANAGING_ROLES
from accounts.scoping import has_role
from accounts.scoping import is_admin
from accounts.scoping import scope_for
from engagements.models import ControlledSubstance
from engagements.models import Country
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field

from .events import NetworkEvent
from .events import Registration
from .networks import Network


def _document_file_name(instance, filename: str) -> str:
    # Stored names are random: the uploader's name is kept in the database only, so it can never
    # choose or guess a path on disk. The extension comes from the checked content type.
    suffix = PurePath(filename).suffix.lower()
    return f"network/documents/{uuid.uuid4().hex}{suffix}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        A = Document.Audience  # noqa: N806
        condition = Q(audience=A.EVERYONE) | Q(created_by=user)
        condition |= Q(audience=A.NETWORK, audience_network__in=Network.objects.with_member(user))
        condition |= Q(audience=A.EVENT, audience_event__in=_events_of_member(user))
        country_scope = scope_for(user, EVERY_ROLE)
        if country_scope.everywhere:
            condition |= Q(audience=A.COUNTRY)
        elif country_scope.countries:
            condition |= Q(audience=A.COUNTRY, audience_country__in=sorted(country_scope.countries))
        if has_role(user, *MANAGING_ROLES):
            condition |= Q(audience=A.MANAGERS)
        return self.filter(condition)

    def editable_by(self, user):
        """Of the documents the user sees: admins, the uploader, managers, the network's coordinators."""
        visible = self.visible_to(user)
        if is_admin(user) or has_role(user, *MANAGING_ROLES):
            return visible
        return visible.filter(Q(created_by=user) | Q(audience_network__in=Network.objects.editable_by(user)))


def _events_of_member(user):
    """Events whose members the user is: active participants, and whoever may change the event."""
    return NetworkEvent.objects.filter(
        Q(pk__in=NetworkEvent.objects.editable_by(user).values("pk"))
        | Q(pk__in=Registration.objects.active().filter(person__user=user).values("event"))
    )


class Document(models.Model):
    """A library document; its file is one or more versions, the newest being current."""

    class Kind(models.TextChoices):
        CONFERENCE_PAPER = "conference_paper", _("Conference paper")
        ASSESSMENT_REPORT = "assessment_report", _("Assessment report")
        TRAINING_MATERIAL = "training_material", _("Training material")
        LEGISLATION = "legislation", _("Legislation")
        GOOD_PRACTICE = "good_practice", _("Good-practice guide")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone signed in")
        NETWORK = "network", _("Members of a network")
        EVENT = "event", _("Participants of an event")
        COUNTRY = "country", _("Users of one country")
        MANAGERS = "managers", _("Managers only")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    authors = models.CharField(_("authors"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    language = models.CharField(_("language"), max_length=10, choices=global_settings.LANGUAGES, default="en")
    published_on = models.DateField(_("published on"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    audience_network = optional_link(
        Network, on_delete=models.PROTECT, related_name="restricted_documents", verbose_name=_("network")
    )
    audience_event = optional_link(
        NetworkEvent, on_delete=models.PROTECT, related_name="restricted_documents", verbose_name=_("event")
    )
    audience_country = optional_link(
        Country,
        on_delete=models.PROTECT,
        related_name="restricted_documents",
        verbose_name=_("country of the audience"),
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="library_documents", verbose_name=_("countries concerned")
    )
    topics = models.ManyToManyField(
        "assessments.Dimension", blank=True, related_name="library_documents", verbose_name=_("topics")
    )
    substances = models.ManyToManyField(
        ControlledSubstance, blank=True, related_name="library_documents", verbose_name=_("substances")
    )
    events = models.ManyToManyField(
        NetworkEvent,
        blank=True,
        related_name="documents",
        verbose_name=_("events"),
        help_text=_("Meetings where the document was presented or adopted."),
    )
    current_version = optional_link("DocumentVersion", on_delete=models.SET_NULL, related_name="+", editable=False)
    # The words of the current file (PDF, office documents), read by a worker after each upload
    # (services.document_read_text); ``text_sha256`` names the file they were read from.
    text = models.TextField(_("text of the file"), blank=True, editable=False)
    text_sha256 = models.CharField(_("text read from"), max_length=64, blank=True, editable=False)
    # Title, description, authors and text, as PostgreSQL indexes them for search (in the document's
    # language and word for word, see ta_portal/fulltext.py); kept by the services, never edited.
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = acting_user_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "title"]
        verbose_name = _("library document")
        verbose_name_plural = _("library documents")
        constraints = [
            # Exactly the reference the audience needs, and no other: a stale network left on a
            # document opened to everyone would otherwise be misleading.
            models.CheckConstraint(
                condition=(
                    (Q(audience="network") & Q(audience_network__isnull=False))
                    | (~Q(audience="network") & Q(audience_network__isnull=True))
                )
                & (
                    (Q(audience="event") & Q(audience_event__isnull=False))
                    | (~Q(audience="event") & Q(audience_event__isnull=True))
                )
                & (
                    (Q(audience="country") & Q(audience_country__isnull=False))
                    | (~Q(audience="country") & Q(audience_country__isnull=True))
                ),
                name="document_audience_reference",
            )
        ]
        indexes = [
            models.Index(fields=["audience", "kind"]),
            GinIndex(fields=["search_vector"], name="document_search_vector"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:document_detail", args=[self.pk])

    def clean(self) -> None:
        needed = {
            self.Audience.NETWORK: ("audience_network", _("Choose the network whose members may read it.")),
            self.Audience.EVENT: ("audience_event", _("Choose the event whose participants may read it.")),
            self.Audience.COUNTRY: ("audience_country", _("Choose the country whose users may read it.")),
        }
        errors = {}
        for audience, (field, message) in needed.items():
            if self.audience == audience and getattr(self, f"{field}_id") is None:
                errors[field] = message
            elif self.audience != audience:
                setattr(self, field, None)
        if errors:
            raise ValidationError(errors)

    @property
    def audience_label(self) -> str:
        target = {
            self.Audience.NETWORK: self.audience_network,
            self.Audience.EVENT: self.audience_event,
            self.Audience.COUNTRY: self.audience_country,
        }.get(self.audience)
        return f"{self.get_audience_display()}: {target}" if target else str(self.get_audience_display())


class DocumentVersion(models.Model):
    """One uploaded file of a document. Versions are kept when a document is replaced."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_document_file_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = acting_user_field()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"
