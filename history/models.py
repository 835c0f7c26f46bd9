"""A programme's past, brought in from a workbook: the imports, and the refs that tie rows to records.

An import is a file and what was done with it: a dry run (nothing saved, every error listed) or the
real import (all or nothing). Its summary and errors stay viewable after the work is done.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ta_portal.models import created_at_field


def import_upload_to(instance: "HistoryImport", filename: str) -> str:
    # Private (MEDIA_ROOT is never served) and never the uploader's file name in the path.
    return f"history/imports/{uuid.uuid4().hex}.xlsx"


class HistoryImport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Whoever imports owns the import: only they (and administrators) see it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="history_imports", verbose_name=_("by")
    )
    created_at = created_at_field()
    file = models.FileField(_("workbook"), upload_to=import_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the workbook"), max_length=64, db_index=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("rows to read"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    # {sheet: {"created": n, "updated": n, "unchanged": n}}
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # [{"sheet", "row", "column", "message"}], every error of every row
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The language of the messages in ``errors``: the importer's when the import was made.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A real import made from a dry run's workbook points at that dry run; one per dry run.
    confirms = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmation",
        verbose_name=_("dry run confirmed"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("history:import_detail", args=[self.pk])

    @property
    def progress_pct(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class HistoryRef(models.Model):
    """An importer's own key for a record ("E1" on the engagements sheet of Peru's workbook).

    Keyed by sheet and country, so two programmes' workbooks may both say "E1"; importing the same
    workbook again finds its records through these and creates nothing new.
    """

    sheet = models.CharField(_("sheet"), max_length=40)
    country = models.ForeignKey("engagements.Country", on_delete=models.CASCADE, related_name="+")
    ref = models.CharField(_("ref"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = created_at_field()

    class Meta:
        verbose_name = _("history ref")
        verbose_name_plural = _("history refs")
        constraints = [models.UniqueConstraint(fields=["sheet", "country", "ref"], name="history_ref_unique")]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.sheet}:{self.country_id}:{self.ref}"
