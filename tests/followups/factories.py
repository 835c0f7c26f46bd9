"""Follow-up data built through the real services, on the standard world or alone."""

import io
import zipfile
from datetime import date
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from engagements.models import Engagement
from followups import services
from followups.demo import tiny_pdf
from followups.demo import tiny_png
from followups.models import Evidence
from followups.models import FollowupRound
from followups.models import Indicator
from followups.models import Measure
from followups.models import StatusUpdate
from tests.factories import EngagementFactory
from tests.factories import make_user


def pdf_upload(name: str = "evidence.pdf", text: str = "Evidence") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(text), content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png("photo"), content_type="image/png")


def docx_bytes() -> bytes:
    """A minimal Office Open XML word document (what Word writes, reduced to its required parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def make_measure(engagement: Engagement, *, title: str = "Adopt an inspection plan", by=None, **fields) -> Measure:
    by = by or make_user(Role.ADMIN)
    return services.measure_save(measure=Measure(engagement=engagement, title=title, **fields), by=by)


def open_round(engagement: Engagement, *, opens_on: date | None = None, due_date: date | None = None) -> FollowupRound:
    opens_on = opens_on or timezone.localdate()
    return services.round_open(
        engagement=engagement, opens_on=opens_on, due_date=due_date or opens_on + timedelta(days=30), notify=False
    )


def report(measure, round_, by, *, status="in_progress", pct=40, narrative="Work started.", files=(), submit=True):
    return services.status_update_save(
        measure=measure,
        round_=round_,
        by=by,
        status=status,
        progress_pct=pct,
        narrative=narrative,
        files=files,
        submit=submit,
    )


def stored_evidence(update: StatusUpdate, *, name: str) -> Evidence:
    """Evidence whose file has a fixed name, so repeated test runs reuse one file."""
    path = f"followups/evidence/tests/{name}.pdf"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(tiny_pdf(name)))
    return Evidence.objects.create(
        status_update=update,
        file=path,
        original_name=f"{name}.pdf",
        content_type="application/pdf",
        size=default_storage.size(path),
        sha256="0" * 64,
        uploaded_by=update.created_by,
    )


def setup_followups(world) -> None:
    """On the standard world, for own (PE) and other (CO): a measure, an open round, a report
    waiting for verification with a file, a draft, an indicator. ``world.users`` are PE users."""
    world.other_counterpart = make_user(Role.COUNTERPART, world.other, username="counterpart_co")
    for side, engagement, counterpart in (
        ("", world.engagement, world.users["counterpart"]),
        ("other_", world.other_engagement, world.other_counterpart),
    ):
        engagement.phase = Engagement.Phase.FOLLOW_UP
        engagement.save(update_fields=["phase"])
        measure = make_measure(engagement, title=f"Measure {side or 'own'}", by=world.users["admin"])
        second = make_measure(engagement, title=f"Second measure {side or 'own'}", by=world.users["admin"])
        round_ = open_round(engagement)
        update = report(measure, round_, counterpart)
        draft = report(second, round_, counterpart, submit=False)
        setattr(world, f"{side}measure", measure)
        setattr(world, f"{side}second_measure", second)
        setattr(world, f"{side}round", round_)
        setattr(world, f"{side}update", update)
        setattr(world, f"{side}draft", draft)
        setattr(world, f"{side}evidence", stored_evidence(update, name=f"authz-{side or 'own'}"))
        setattr(world, f"{side}draft_evidence", stored_evidence(draft, name=f"authz-draft-{side or 'own'}"))
        setattr(world, f"{side}indicator", Indicator.objects.create(engagement=engagement, name="Inspections"))


def other_engagement(country: str = "PE", **fields) -> Engagement:
    return EngagementFactory(country_id=country, phase=Engagement.Phase.FOLLOW_UP, **fields)
