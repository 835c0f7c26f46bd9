"""Certificates of attendance of network events: issued to the participants marked as attended,
rendered, found and e-mailed through the path every certificate of the portal shares
(``reports.certificates``). Their PDFs are reports of kind ``event_certificate``, downloaded by
those who run the event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from reports import certificates as shared
from reports.models import Report
from ta_portal import datacache

from . import access
from .models import EventCertificate
from .models import NetworkEvent
from .models import Registration

KIND = "event_certificate"


def register() -> None:
    shared.register(EventCertificate, report_kind=KIND, visible_owners=EventCertificate.objects.editable_by)


def _attended(event: NetworkEvent):
    return Registration.objects.active().filter(event=event, attended=True)


def certificate_request_pdf(*, certificate: EventCertificate, by, language: str | None = None) -> Report:
    certificate = EventCertificate.objects.select_related(
        "registration__person__user", "registration__event__programme"
    ).get(pk=certificate.pk)
    return shared.certificate_request_pdf(certificate=certificate, by=by, language=language)


@transaction.atomic
def event_certificates_issue(*, event: NetworkEvent, by, deliver: bool = True) -> list[EventCertificate]:
    """A certificate of attendance for each attended participant without a valid one; their PDFs are
    asked for and, once committed, each is e-mailed to its holder (unless ``deliver`` is False: the
    demo records them only). The event row is locked, so two organisers pressing the button at once
    issue each certificate once."""
    if by is not None and not access.can_edit_event(by, event):
        raise PermissionDenied
    NetworkEvent.objects.select_for_update().filter(pk=event.pk).first()
    valid = EventCertificate.objects.filter(registration__event=event, revoked_at__isnull=True)
    registrations = (
        _attended(event)
        .exclude(pk__in=valid.values("registration_id"))
        .select_related("person__user")
        .order_by("person__full_name", "pk")
    )
    # One by one: saving registers each code among every certificate's (reports.models.CertificateCode).
    issued = [EventCertificate.objects.create(registration=r, issued_by=by) for r in registrations]
    datacache.changed(EventCertificate)
    if deliver:
        for certificate in issued:
            certificate_request_pdf(certificate=certificate, by=by)
        shared.email_on_commit(issued)
    return issued


def event_certificate_revoke(*, certificate: EventCertificate, by, reason: str) -> bool:
    if by is not None and not access.can_revoke_event_certificate(by, certificate.registration.event):
        raise PermissionDenied
    return shared.certificate_revoke(certificate=certificate, by=by, reason=reason)


def event_certificate_rows(event: NetworkEvent) -> list[dict]:
    """Each attended participant: their valid certificate, its latest PDF, and those revoked before."""
    registrations = list(_attended(event).select_related("person", "person__country").order_by("person__full_name"))
    certificates: dict[int, list[EventCertificate]] = {}
    for certificate in EventCertificate.objects.filter(registration__event=event).order_by("issued_at", "pk"):
        certificates.setdefault(certificate.registration_id, []).append(certificate)
    valid = {r.pk: next((c for c in certificates.get(r.pk, []) if c.is_valid), None) for r in registrations}
    latest = {}
    reports = Report.objects.filter(
        owner_type__model="eventcertificate", owner_type__app_label="network", kind=KIND
    ).filter(owner_id__in=[c.pk for c in valid.values() if c])
    for report in reports.order_by("created_at", "pk"):
        latest[report.owner_id] = report
    return [
        {
            "registration": registration,
            "certificate": valid[registration.pk],
            "revoked": [c for c in certificates.get(registration.pk, []) if not c.is_valid],
            "report": latest.get(valid[registration.pk].pk) if valid[registration.pk] else None,
        }
        for registration in registrations
    ]
