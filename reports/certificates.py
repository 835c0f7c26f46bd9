"""Certificates, whatever they certify: one rendering path, one public check, one way of e-mailing.

An app that issues certificates (``trainings`` for sessions, ``network`` for events) keeps them in a
table of its own built on ``reports.models.IssuedCertificate`` and registers it here in its
``AppConfig.ready()`` with ``register(Model, visible_owners=…)``. The model answers:

- ``person``: the ``engagements.Person`` it is issued to;
- ``content()``: a ``CertificateContent``, in the active language (what the PDF prints and, in
  part, what the public check shows);
- ``default_language()``: the language of its PDF for someone without a preference.

From there this module renders every certificate with one template (``reports/certificate_pdf.html``,
through the shared Celery/WeasyPrint pipeline), finds any certificate by its code (the codes of all
tables live in ``CertificateCode``), and e-mails each certificate's PDF to its holder once.
"""

from __future__ import annotations

import dataclasses
import logging
import smtplib
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from ta_portal import datacache
from ta_portal import outbox
from ta_portal.mail import automatic_email
from ta_portal.mail import site_url
from ta_portal.qr import qr_data_uri

from . import registry
from .models import CertificateCode
from .models import CertificateKind
from .models import Report
from .services import fingerprint
from .services import report_request

logger = logging.getLogger(__name__)

# A certificate not yet e-mailed this long after it was issued lost its task (e.g. the broker was
# down): the sweep hands it to a worker again.
EMAIL_SWEEP_AFTER = timedelta(minutes=10)
# While its PDF is being rendered, the e-mail task waits and tries again after this many seconds.
PDF_WAIT_SECONDS = 5


@dataclass(frozen=True)
class CertificateContent:
    """What a certificate says. The public check shows only ``name``, ``title``, the dates and the issuer."""

    code: str
    kind: str  # CertificateKind
    name: str
    title: str  # the course or the event
    start: date
    end: date
    issued: date
    issuer: object  # engagements.certificates.Issuer: name, logo_uri, signatories
    details: str = ""  # e.g. "Workshop · In person"
    venue: str = ""
    hours: int | None = None
    event: bool = False  # a network event (attended), not a training session

    @property
    def heading(self) -> str:
        return str(CertificateKind(self.kind).label)

    def fingerprint(self) -> str:
        return fingerprint(dataclasses.asdict(self))


@dataclass(frozen=True)
class _Registered:
    model: type
    report_kind: str


_MODELS: dict[str, _Registered] = {}


def register(model, *, report_kind: str, visible_owners) -> None:
    """Make ``model``'s certificates renderable (reports of kind ``report_kind``), findable by code and
    e-mailable. ``visible_owners(user)`` is the queryset of its certificates whose PDF the user may
    download; a revoked certificate's PDF is never offered, whoever asks."""
    _MODELS[model._meta.label_lower] = _Registered(model=model, report_kind=report_kind)
    registry.register(
        registry.ReportKind(
            kind=report_kind,
            build=build_certificate,
            visible_owners=lambda user: visible_owners(user).filter(revoked_at__isnull=True),
        )
    )


def report_kind_of(certificate) -> str:
    return _MODELS[certificate._meta.label_lower].report_kind


def build_certificate(certificate, language: str) -> registry.RenderSpec:
    """The one rendering of every certificate (runs in the worker, in ``language``)."""
    content = certificate.content()
    verify_url = site_url(certificate.get_verify_url())
    return registry.RenderSpec(
        template="reports/certificate_pdf.html",
        context={"data": content, "verify_url": verify_url, "qr_uri": qr_data_uri(verify_url)},
        filename=f"certificate-{content.code}.pdf",
        stylesheets=["reports/certificate.css"],
    )


def pdf_language(certificate) -> str:
    """The holder's language: their account's preference when they have one, else the certificate's own."""
    user = certificate.person.user
    if user is not None and user.language:
        return user.language
    return certificate.default_language()


def certificate_request_pdf(*, certificate, by, language: str | None = None) -> Report:
    """The certificate's PDF (reused while what it prints is unchanged), rendered in a worker."""
    language = language or pdf_language(certificate)
    with translation.override(language):  # the data as the PDF will show it (the course title)
        content = certificate.content()
    return report_request(
        owner=certificate, kind=report_kind_of(certificate), language=language, fingerprint=content.fingerprint(), by=by
    )


def certificate_find(code: str):
    """The certificate with this code, in whichever table holds it; None for an unknown code."""
    holder = CertificateCode.objects.filter(code=code).values_list("holder", flat=True).first()
    if holder is None or holder not in _MODELS:
        return None
    return _MODELS[holder].model.objects.filter(code=code).first()


def certificate_revoke(*, certificate, by, reason: str) -> bool:
    """Revoke a valid certificate, saying why; False if it was revoked already (by someone else)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    model = type(certificate)
    changed = model.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revoked_reason=reason
    )
    datacache.changed(model)
    return bool(changed)


# ---- E-mail ------------------------------------------------------------------------------------


def email_on_commit(certificates) -> None:
    """Once the issuing transaction commits, hand each certificate whose holder has an address to a worker."""
    todo = [(c._meta.label_lower, c.pk) for c in certificates if c.person.email]
    if not todo:
        return

    def send():
        from .tasks import email_certificate  # noqa: PLC0415 (cycle: certificates -> tasks -> certificates)

        for label, pk in todo:
            try:
                email_certificate.delay(label, pk)
            except Exception:  # e.g. the broker is down: the sweep sends it later
                logger.exception("Could not hand certificate %s %s to a worker; the sweep will", label, pk)

    transaction.on_commit(send)


def _unsent(model):
    return model.objects.filter(emailed_at__isnull=True, revoked_at__isnull=True)


def certificate_email(label: str, pk: int) -> str:
    """E-mail one certificate's PDF to its holder, once: "sent", "done" (nothing to send: sent already,
    revoked, no address), "waiting" (its PDF is still being rendered), "locked" (another worker is
    sending it) or "failed" (the mail server refused; try again later)."""
    model = _MODELS[label].model
    certificate = _unsent(model).filter(pk=pk).first()
    if certificate is None or not certificate.person.email:
        return "done"
    language = pdf_language(certificate)
    report = certificate_request_pdf(certificate=certificate, by=None, language=language)
    report.refresh_from_db()  # rendered already when tasks run in-process
    if not report.is_ready:
        return "waiting"
    result = {"outcome": "locked"}

    def try_send(_pk, connection) -> bool | None:
        with transaction.atomic():
            row, outcome = outbox.lock_unsent(_unsent(model), pk)
            if row is None:
                result["outcome"] = "done" if outcome else "locked"
                return outcome
            try:
                _message(row, report, language, connection).send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("Certificate %s to %s failed: %s", row.code, row.person.email, exc)
                outbox.close_quietly(connection)
                result["outcome"] = "failed"
                return False
            model.objects.filter(pk=pk).update(emailed_at=timezone.now())
            result["outcome"] = "sent"
        return True

    outbox.deliver_each([pk], try_send)
    if result["outcome"] == "sent":
        datacache.changed(model)
    return result["outcome"]


def _message(certificate, report: Report, language: str, connection) -> EmailMessage:
    with translation.override(language):
        content = certificate.content()
        context = {"certificate": certificate, "data": content, "verify_url": site_url(certificate.get_verify_url())}
    message = automatic_email(
        "reports/email/certificate", context, to=certificate.person.email, language=language, connection=connection
    )
    with report.file.open("rb") as pdf:
        message.attach(report.filename, pdf.read(), "application/pdf")
    return message


def certificates_email_pending(*, now=None) -> int:
    """The sweep: hand to workers again the valid certificates issued a while ago and not yet e-mailed."""
    from .tasks import email_certificate  # noqa: PLC0415 (cycle: certificates -> tasks -> certificates)

    now = now or timezone.now()
    sent = 0
    for label, entry in _MODELS.items():
        pending = (
            _unsent(entry.model)
            .filter(issued_at__lt=now - EMAIL_SWEEP_AFTER)
            .exclude(**{f"{entry.model.PERSON_PATH}__email": ""})
            .order_by("issued_at")
            .values_list("pk", flat=True)[:200]
        )
        for pk in pending:
            try:
                email_certificate.delay(label, pk)
            except Exception:
                logger.exception("Could not hand certificate %s %s to a worker", label, pk)
                return sent
            sent += 1
    return sent
