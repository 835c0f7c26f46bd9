"""Certificates of a session: issue, prepare PDFs, revoke."""

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

from .. import certificates
from ..access import can_plan_session
from ..access import can_revoke_certificate
from ..models import Certificate
from .common import session_for_editing


@login_required
def session_certificates(request, pk: int):
    session = session_for_editing(request, pk)
    if request.method == "POST" and request.POST.get("action") == "pdfs":
        certificates.certificates_request_missing_pdfs(session=session, by=request.user)
        messages.info(request, _("The certificates' PDFs are being prepared."))
        return redirect("trainings:certificates", pk=session.pk)
    if request.method == "POST":
        issued = certificates.certificates_issue_and_render(session=session, by=request.user)
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
            messages.info(request, _("No new participant qualifies for a certificate."))
        return redirect("trainings:certificates", pk=session.pk)
    rows = certificates.certificate_rows(session)
    missing_pdfs = any(r["certificate"] and not r["report"] for r in rows)
    return render(
        request,
        "trainings/certificates.html",
        {
            "session": session,
            "rows": rows,
            "n_eligible_without": sum(1 for r in rows if r["eligible"] and not r["certificate"]),
            "missing_pdfs": missing_pdfs,
            "can_revoke": can_plan_session(request.user, session),
        },
    )


def _certificate_of(request, pk: int, certificate_pk: int):
    session = session_for_editing(request, pk)
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__person"), enrolment__session=session, pk=certificate_pk
    )
    return session, certificate


@login_required
@require_POST
def certificate_action(request, pk: int, certificate_pk: int, action: str):
    """Prepare a certificate's PDF again (after a failure)."""
    session, certificate = _certificate_of(request, pk, certificate_pk)
    if action != "pdf" or not certificate.is_valid:
        raise Http404
    certificates.certificate_request_pdf(certificate=certificate, by=request.user)
    messages.info(request, _("The certificate's PDF is being prepared."))
    return redirect("trainings:certificates", pk=session.pk)


@login_required
def certificate_revoke(request, pk: int, certificate_pk: int):
    """Revoke a certificate, saying why (managers of the session's countries and admins)."""
    session, certificate = _certificate_of(request, pk, certificate_pk)
    if not can_revoke_certificate(request.user, certificate):
        raise PermissionDenied
    return certificate_revoke_page(
        request,
        certificate=certificate,
        holder=certificate.enrolment.person.full_name,
        occasion=session.title,
        back_url=reverse("trainings:certificates", args=[session.pk]),
        revoke=lambda reason: certificates.certificate_revoke(certificate=certificate, by=request.user, reason=reason),
    )
