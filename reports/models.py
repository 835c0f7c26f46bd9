"""Rendered PDFs (assessment reports, certificates, annual reports), stored privately.

A report belongs to an owner (any model, through contenttypes) and is identified by its kind,
language and the fingerprint of the data it was rendered from: the same data in the same
language gives the same file, so a ready report is reused until the data changes.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
