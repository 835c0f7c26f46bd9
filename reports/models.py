"""Rendered PDFs (assessment reports, certificates, annual reports), stored privately, and what
every certificate records.

A report belongs to an owner (any model, through contenttypes) and is identified by its kind,
language and the fingerprint of the data it was rendered from: the same data in the same
language gives the same file, so a ready report is reused until the data changes.
"""

import secrets

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError
from django.db import models
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import updated_at_field


def report_upload_to(report: "Report", filename: str) -> str:
    return f"reports/{report.kind}/{report.owner_id}/{report.pk or 'new'}-{report.language}-{filename}"


class Report(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    owner_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    language = models.CharField(_("language"), max_length=8)
    fingerprint = models.CharField(_("data fingerprint"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    # Private: MEDIA_ROOT is never served; files leave only through the access-checked download view.
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time (s)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = acting_user_field(_("requested by"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = created_at_field(_("requested at"))
    updated_at = updated_at_field()
    dispatched_at = models.DateTimeField(_("sent to the queue at"), null=True, blank=True)
    started_at = models.DateTimeField(_("rendering started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rendered report")
        verbose_name_plural = _("rendered reports")
        constraints = [
            # One live (pending or ready) report per owner, kind, language and data: two requests
            # racing for the same report end up sharing one row instead of rendering twice.
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "kind", "language", "fingerprint"],
                condition=~Q(status="failed"),
                name="report_unique_live_rendering",
            )
        ]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "kind"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.owner_id} ({self.language}, {self.status})"

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


def new_verification_code() -> str:
    """12 characters from an alphabet without look-alikes (0/O, 1/I): about 60 bits, unguessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class CertificateCode(models.Model):
    """Every verification code the portal has given a certificate, whatever it certifies (a training
    session, a network event): one table, so a code is unique across all certificates and the public
    check finds any of them. ``holder`` names the certificate table that holds the code."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    holder = models.CharField(_("certificate table"), max_length=60)
    created_at = created_at_field()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate code")
        verbose_name_plural = _("certificate codes")

    def __str__(self) -> str:
        return self.code


class CertificateKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("Certificate of achievement")
    ATTENDANCE = "attendance", _("Certificate of attendance")


class IssuedCertificate(models.Model):
    """What every certificate records, whatever it certifies (see ``reports.certificates``).

    Saving a new one registers its code in ``CertificateCode`` (drawing another code in the unlikely
    event it is taken), so certificates are created one by one, never with ``bulk_create``.
    """

    code = models.CharField(_("verification code"), max_length=16, unique=True, default=new_verification_code)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CertificateKind.choices, default=CertificateKind.ACHIEVEMENT
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = acting_user_field(_("issued by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = acting_user_field(_("revoked by"))
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    # Set once, when the PDF was e-mailed to the participant (never sent twice).
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        if self._state.adding:
            with transaction.atomic():
                self._register_code()
                super().save(*args, **kwargs)
        else:
            super().save(*args, **kwargs)

    def _register_code(self) -> None:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    CertificateCode.objects.create(code=self.code, holder=self._meta.label_lower)
                return
            except IntegrityError:
                self.code = new_verification_code()
        raise IntegrityError("No free verification code was found.")

    def get_verify_url(self) -> str:
        return reverse("reports:verify", args=[self.code])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
