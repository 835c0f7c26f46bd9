"""Status updates on measures, their review, and the evidence files attached to them."""

import uuid
from datetime import date

from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGING_ROLES
from accounts.scoping import scope_for
from engagements.models import ScopedQuerySet
from engagements.models import scoped_manager
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field

from .measures import EVIDENCE_ROLES
from .measures import REPORTING_ROLES
from .measures import Measure
from .measures import MeasureStatus
from .rounds import FollowupRound


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting verification")
    ACCEPTED = "accepted", _("Verified")
    RETURNED = "returned", _("Returned")


# States that count as "reported" for a round (a draft does not; a returned report does).
REPORTED_STATES = (UpdateState.SUBMITTED, UpdateState.ACCEPTED, UpdateState.RETURNED)


def report_date_errors(*, round_: FollowupRound | None, submitted_on: date | None, reviewed_on: date | None = None):
    """The order a report's dates must keep, for reports of the past (recorded by hand or imported):
    not submitted before its round opened, nor reviewed before it was submitted, nor either in the
    future. ``{field: [message]}``, empty when the dates are in order.
    """
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if submitted_on is not None:
        if submitted_on > today:
            errors["submitted_on"] = [_("A report of the past cannot be dated in the future.")]
        elif round_ is not None and submitted_on < round_.opens_on:
            errors["submitted_on"] = [
                _("The report cannot be submitted before its round opened (%(day)s).") % {"day": round_.opens_on}
            ]
    if reviewed_on is not None:
        if reviewed_on > today:
            errors["reviewed_on"] = [_("A review of the past cannot be dated in the future.")]
        elif submitted_on is not None and reviewed_on < submitted_on:
            errors["reviewed_on"] = [_("The report cannot be verified before it was submitted.")]
    return errors


class StatusUpdateQuerySet(ScopedQuerySet):
    country_path = "measure__engagement__country"
    write_roles = REPORTING_ROLES

    def visible_to(self, user):
        # Drafts are work in progress of the country's counterparts: managers may help with them,
        # donors and trainers see only what was reported.
        visible = self.filter(scope_for(user, self.read_roles).q(self.country_path))
        drafts = scope_for(user, REPORTING_ROLES)
        if drafts.everywhere:  # (an empty Q() would vanish from the OR below)
            return visible
        return visible.filter(~Q(state=UpdateState.DRAFT) | drafts.q(self.country_path))

    def verifiable_by(self, user):
        return self.filter(scope_for(user, MANAGING_ROLES).q(self.country_path))

    def reported(self):
        return self.filter(state__in=REPORTED_STATES)


class StatusUpdate(models.Model):
    """A report on a measure: its status and progress, a narrative and evidence, and its review."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates", verbose_name=_("measure"))
    round = optional_link(FollowupRound, on_delete=models.PROTECT, related_name="updates", verbose_name=_("round"))
    state = models.CharField(_("state"), max_length=12, choices=UpdateState.choices, default=UpdateState.DRAFT)
    status = models.CharField(_("status"), max_length=24, choices=MeasureStatus.choices)
    progress_pct = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("what was done"), blank=True)
    created_by = acting_user_field(_("started by"), blank=False)
    created_at = created_at_field()
    updated_at = updated_at_field()
    submitted_by = acting_user_field(_("reported by"), related_name="followup_updates")
    submitted_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reviewed_by = acting_user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    # A report of the past (recorded after the fact, by hand or from a history workbook): its
    # submission and review dates are as given.
    recorded_by = acting_user_field(_("recorded after the fact by"))
    recorded_at = models.DateTimeField(_("recorded after the fact at"), null=True, blank=True)

    objects = scoped_manager(StatusUpdateQuerySet)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_pct__gte=0) & Q(progress_pct__lte=100), name="update_progress_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(state=UpdateState.DRAFT) | Q(submitted_at__isnull=False), name="update_reported_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.DRAFT) | Q(round__isnull=False), name="update_draft_in_round"
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.RETURNED) | ~Q(review_comment=""), name="update_returned_has_comment"
            ),
            # One draft per measure and round, shared by the country's counterparts.
            models.UniqueConstraint(
                fields=["measure", "round"], condition=Q(state=UpdateState.DRAFT), name="update_one_draft"
            ),
            # One report waiting for verification per measure: the next waits for the review.
            models.UniqueConstraint(
                fields=["measure"], condition=Q(state=UpdateState.SUBMITTED), name="update_one_pending"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["round", "measure", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.get_status_display()} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("followups:update_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == UpdateState.DRAFT

    @property
    def is_pending(self) -> bool:
        return self.state == UpdateState.SUBMITTED

    @property
    def is_recorded_after_the_fact(self) -> bool:
        return self.recorded_at is not None


def evidence_upload_to(instance, filename: str) -> str:
    # Never the uploader's file name in the path: a random name with the extension of the type
    # found in the content (see evidence.py).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    now = timezone.now()
    return f"followups/evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"


class EvidenceQuerySet(ScopedQuerySet):
    country_path = "status_update__measure__engagement__country"
    read_roles = EVIDENCE_ROLES
    write_roles = REPORTING_ROLES


class Evidence(models.Model):
    """A file attached to a status update: stored privately, served only through an access check."""

    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("status update")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = acting_user_field(_("uploaded by"), blank=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = scoped_manager(EvidenceQuerySet)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("followups:evidence_download", args=[self.pk])
