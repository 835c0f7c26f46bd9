"""Certificates, and the public page that checks one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ta_portal.params import text_param

from .. import certificates
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
                request, _("%(n)s certificates issued; their PDFs are being prepared.") % {"n": len(issued)}
            )
        else:
            messages.info(request, _("No new participant qualifies for a certificate."))
        return redirect("trainings:certificates", pk=session.pk)
    rows = certificates.certificate_rows(session)
    missing_pdfs = any(r["certificate"] and not r["certificate"].revoked_at and not r["report"] for r in rows)
    return render(
        request,
        "trainings/certificates.html",
        {
            "session": session,
            "rows": rows,
            "n_eligible_without": sum(1 for r in rows if r["eligible"] and not r["certificate"]),
            "missing_pdfs": missing_pdfs,
        },
    )


@login_required
@require_POST
def certificate_action(request, pk: int, certificate_pk: int, action: str):
    """Prepare a certificate's PDF again (after a failure) or revoke it."""
    session = session_for_editing(request, pk)
    certificate = get_object_or_404(Certificate, enrolment__session=session, pk=certificate_pk)
    if action == "revoke":
        certificates.certificate_revoke(certificate=certificate)
        messages.success(request, _("Certificate %(code)s was revoked.") % {"code": certificate.code})
    elif action == "pdf":
        certificates.certificate_request_pdf(certificate=certificate, by=request.user)
        messages.info(request, _("The certificate's PDF is being prepared."))
    else:
        raise Http404
    return redirect("trainings:certificates", pk=session.pk)


def verify_certificate(request, code: str = ""):
    """Public: confirms a certificate is genuine, showing only what is printed on it."""
    code = text_param(code or request.GET.get("code")).strip().upper().replace("-", "").replace(" ", "")
    if not code:
        return render(request, "trainings/verify.html", {"searched": False})
    if request.GET.get("code"):
        return redirect("trainings:verify", code=code)
    certificate = (
        Certificate.objects.filter(code=code).select_related("enrolment__person", "enrolment__session__course").first()
    )
    response = render(
        request,
        "trainings/verify.html",
        {"searched": True, "code": code, "certificate": certificate},
        status=200 if certificate else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
