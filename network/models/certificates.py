"""Certificates of attendance of network events: one for each participant marked as attended.

They are certificates like those of training sessions (``reports.models.IssuedCertificate``): their
codes live among all the portal's codes, the public check finds them, and they are rendered and
e-mailed by the same path (``reports.certificates``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.certificates import issuer_for
from engagements.models import Person
from reports.certificates import CertificateContent
from reports.models import CertificateKind
from reports.models import IssuedCertificate

from .events import NetworkEvent
from .events import Registration


class EventCertificateQuerySet(models.QuerySet):
    def editable_by(self, user):
        """Those who run the event issue its certificates and download their PDFs."""
        return self.filter(registration__event__in=NetworkEvent.objects.editable_by(user))


class EventCertificate(IssuedCertificate):
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("registration")
    )

    objects = EventCertificateQuerySet.as_manager()

    PERSON_PATH = "registration__person"

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("event certificate")
        verbose_name_plural = _("event certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="event_certificate_one_valid_per_registration",
            )
        ]

    def save(self, *args, **kwargs):
        self.kind = CertificateKind.ATTENDANCE
        super().save(*args, **kwargs)

    @property
    def person(self) -> Person:
        return self.registration.person

    def default_language(self) -> str:
        return settings.LANGUAGE_CODE

    def content(self) -> CertificateContent:
        event = self.registration.event
        details = [str(event.get_kind_display()), str(event.get_modality_display())]
        place = ", ".join(part for part in (event.venue, event.city) if part)
        return CertificateContent(
            code=self.code,
            kind=CertificateKind.ATTENDANCE,
            name=self.registration.person.full_name,
            title=event.title,
            start=event.start_date,
            end=event.end_date,
            issued=timezone.localdate(self.issued_at),
            issuer=issuer_for(event.programme),
            details=" · ".join(details),
            venue=place,
            event=True,
        )
