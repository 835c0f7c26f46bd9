"""Certificates of attendance of an event: issue, prepare PDFs, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reports.views import certificate_revoke_page
from ta_portal.pages import fetch_for_editing

from .. import access
from .. import certificates
from .. import selectors
from ..models import EventCertificate
from ..models import NetworkEvent


def _event_for_editing(request, pk: int) -> NetworkEvent:
    return fetch_for_editing(request, selectors.event_get_for_user, NetworkEvent.objects, pk)


@login_required
def event_certificates(request, pk: int):
    event = _event_for_editing(request, pk)
    here = reverse("network:event_certificates", args=[event.pk])
    if request.method == "POST" and request.POST.get("action") == "pdfs":
        for row in certificates.event_certificate_rows(event):
            if row["certificate"] is not None:
                certificates.certificate_request_pdf(certificate=row["certificate"], by=request.user)
        messages.info(request, _("The certificates' PDFs are being prepared."))
        return redirect(here)
    if request.method == "POST":
        issued = certificates.event_certificates_issue(event=event, by=request.user)
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(n)s certificate issued; its PDF is being prepared and e-mailed to the participant.",
                    "%(n)s certificates issued; their PDFs are being prepared and e-mailed to the participants.",
                    len(issued),
                )
                % {"n": len(issued)},
            )
        else:
            messages.info(request, _("Every participant marked as attended has a certificate."))
        return redirect(here)
    rows = certificates.event_certificate_rows(event)
    return render(
        request,
        "network/event_certificates.html",
        {
            "event": event,
            "rows": rows,
            "n_without": sum(1 for r in rows if r["certificate"] is None),
            "missing_pdfs": any(r["certificate"] and not r["report"] for r in rows),
            "can_revoke": access.can_revoke_event_certificate(request.user, event),
        },
    )


def _certificate_of(request, pk: int, certificate_pk: int):
    event = _event_for_editing(request, pk)
    certificate = get_object_or_404(
        EventCertificate.objects.select_related("registration__person"), registration__event=event, pk=certificate_pk
    )
    return event, certificate


@login_required
@require_POST
def event_certificate_pdf(request, pk: int, certificate_pk: int):
    """Prepare a certificate's PDF again (after a failure)."""
    event, certificate = _certificate_of(request, pk, certificate_pk)
    if not certificate.is_valid:
        raise Http404
    certificates.certificate_request_pdf(certificate=certificate, by=request.user)
    messages.info(request, _("The certificate's PDF is being prepared."))
    return redirect("network:event_certificates", pk=event.pk)


@login_required
def event_certificate_revoke(request, pk: int, certificate_pk: int):
    event, certificate = _certificate_of(request, pk, certificate_pk)
    if not access.can_revoke_event_certificate(request.user, event):
        raise PermissionDenied
    return certificate_revoke_page(
        request,
        certificate=certificate,
        holder=certificate.registration.person.full_name,
        occasion=event.title,
        back_url=reverse("network:event_certificates", args=[event.pk]),
        revoke=lambda reason: certificates.event_certificate_revoke(
            certificate=certificate, by=request.user, reason=reason
        ),
    )
