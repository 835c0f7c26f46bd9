from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.http import Http404
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ta_portal.params import text_param
from ta_portal.uploads import stored_file_response

from . import registry
from .certificates import certificate_find
from .forms import CertificateRevokeForm
from .models import Report


def report_get_for_user(*, user, pk: int) -> Report:
    """A report whose owner the user may see; anything else is 404, like the owner's own pages."""
    report = get_object_or_404(Report, pk=pk)
    try:
        kind = registry.get(report.kind)
    except LookupError:
        raise Http404 from None
    if not kind.visible_owners(user).filter(pk=report.owner_id).exists():
        raise Http404
    return report


def report_file_response(*, user, pk: int) -> FileResponse:
    """The rendered PDF of a report the user may see, as a private download; 404 until it is ready.
    The page and the API (``reports.api``) both answer a download with it."""
    report = report_get_for_user(user=user, pk=pk)
    if not report.is_ready or not report.file:
        raise Http404
    return stored_file_response(report.file, filename=report.filename, content_type="application/pdf")


@login_required
@require_GET
def report_download(request, pk: int):
    return report_file_response(user=request.user, pk=pk)


@login_required
@require_GET
def report_status(request, pk: int):
    """The report's state, polled by the page that requested it."""
    report = report_get_for_user(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "download_url": request.build_absolute_uri(report.get_download_url()) if report.is_ready else None,
        }
    )


def verify_certificate(request, code: str = ""):
    """Public: confirms a certificate is genuine, whatever it certifies, showing only what is printed
    on it (name, course or event, dates, issuer), or that it was revoked, when and why."""
    code = text_param(code or request.GET.get("code")).strip().upper().replace("-", "").replace(" ", "")
    if not code:
        return render(request, "reports/verify.html", {"searched": False})
    if request.GET.get("code"):
        return redirect("reports:verify", code=code)
    certificate = certificate_find(code)
    content = certificate.content() if certificate is not None and certificate.is_valid else None
    response = render(
        request,
        "reports/verify.html",
        {"searched": True, "code": code, "certificate": certificate, "data": content},
        status=200 if certificate else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def certificate_revoke_page(request, *, certificate, holder: str, occasion: str, back_url: str, revoke):
    """The page that revokes any kind of certificate with a reason: the apps check who may and
    say whose it is; ``revoke(reason)`` is their service."""
    if not certificate.is_valid:
        messages.info(request, _("Certificate %(code)s is revoked already.") % {"code": certificate.code})
        return redirect(back_url)
    form = CertificateRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revoke(form.cleaned_data["reason"])
        messages.success(request, _("Certificate %(code)s was revoked.") % {"code": certificate.code})
        return redirect(back_url)
    return render(
        request,
        "reports/certificate_revoke.html",
        {"form": form, "certificate": certificate, "holder": holder, "occasion": occasion, "back_url": back_url},
    )
