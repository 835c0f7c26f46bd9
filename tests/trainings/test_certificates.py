"""Certificates: who qualifies, issuing once, the PDF from the shared Celery/WeasyPrint pipeline,
and the public check that confirms a code without revealing anything else."""

import io
import re
import subprocess
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connections
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from engagements.models import Programme
from reports import certificates as shared
from reports.models import Report
from reports.services import report_latest
from reports.tasks import email_certificate
from ta_portal import outbox
from tests.factories import PersonFactory
from tests.factories import UserFactory
from tests.trainings.factories import CourseFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings import certificates
from trainings.models import Certificate
from trainings.services import certificates_issue


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def session(world):
    # five days, pass mark 35 of 50, 80 % attendance needed (four days); certificates in English
    return SessionFactory(
        engagement=world.engagement,
        language="en",
        trainers=[world.users["trainer"]],
        course=CourseFactory(title="Risk profiling of chemical shipments"),
    )


def participant(session, *, days, post, name=None, email=None):
    person = PersonFactory(**({"full_name": name} if name else {}), **({"email": email} if email is not None else {}))
    return EnrolmentFactory(session=session, person=person, days_attended=days, post_score=post)


def test_only_participants_who_attended_enough_and_passed_get_a_certificate(world, session):
    good = participant(session, days=4, post=Decimal(35))
    participant(session, days=Decimal("3.5"), post=Decimal(50))  # attended 70 %
    participant(session, days=5, post=Decimal("34.99"))  # failed the post exam
    participant(session, days=5, post=None)  # no post exam
    participant(session, days=None, post=Decimal(45))  # attendance not recorded

    issued = certificates_issue(session=session, by=world.users["trainer"])

    assert [c.enrolment for c in issued] == [good]
    assert Certificate.objects.get().issued_by == world.users["trainer"]


def test_issuing_again_issues_nothing_twice(world, session):
    participant(session, days=5, post=Decimal(40))
    certificates_issue(session=session, by=None)

    assert certificates_issue(session=session, by=None) == []
    assert Certificate.objects.count() == 1


def test_verification_codes_are_long_random_and_unambiguous(world, session):
    codes = {
        Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40))).code for _ in range(5)
    }

    assert len(codes) == 5
    assert all(len(code) == 12 and not set(code) & set("01OI") for code in codes)


def test_the_public_check_confirms_a_genuine_certificate_and_reveals_nothing_else(client, world, session):
    enrolment = participant(session, days=5, post=Decimal("41.5"), name="Rosa Quispe Mamani")
    certificate = Certificate.objects.create(enrolment=enrolment)

    response = client.get(reverse("reports:verify", args=[certificate.code]))  # nobody signed in

    assert response.status_code == 200
    text = response.content.decode()
    assert f"Certificate {certificate.code} is genuine." in text
    assert "Rosa Quispe Mamani" in text and "Risk profiling of chemical shipments" in text
    for secret in (enrolment.person.email, "41.5", "41,5", enrolment.agency.name, enrolment.agency.acronym):
        assert secret not in text
    assert response["X-Robots-Tag"] == "noindex"


def test_the_public_check_accepts_a_code_typed_loosely(client, session):
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40)))
    loose = f" {certificate.code[:4].lower()}-{certificate.code[4:8]} {certificate.code[8:]} "

    response = client.get(reverse("reports:verify_form"), {"code": loose}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reports:verify", args=[certificate.code])


def test_an_unknown_code_is_404_and_a_revoked_one_says_so(client, world, session):
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40)))
    certificates.certificate_revoke(certificate=certificate, by=None, reason="Issued by mistake")

    unknown = client.get(reverse("reports:verify", args=["ABCDEFGHJKLM"]))
    revoked = client.get(reverse("reports:verify", args=[certificate.code]))

    assert unknown.status_code == 404
    assert "No certificate has the code ABCDEFGHJKLM." in unknown.content.decode()
    assert "was revoked and is no longer valid" in revoked.content.decode()
    assert certificate.enrolment.person.full_name not in revoked.content.decode()


def _wait_until_done(report: Report, seconds: float = 60) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != Report.Status.PENDING:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report.pk} still pending after {seconds} s")


@pytest.mark.services
def test_a_real_worker_renders_the_certificate_and_only_those_who_run_the_session_download_it(
    celery_worker, pdftotext, client, world, session, tmp_path
):
    # given a participant who qualifies
    enrolment = participant(session, days=5, post=Decimal(44), name="Julio César Huamán Ccori")
    client.force_login(world.users["trainer"])
    # when the trainer issues the certificates (the PDF goes through Redis to the worker's pdf queue)
    response = client.post(reverse("trainings:certificates", args=[session.pk]))
    assert response.status_code == 302
    certificate = Certificate.objects.get(enrolment=enrolment)
    report = _wait_until_done(report_latest(owner=certificate, kind=certificates.KIND))
    # then the PDF is ready and names the participant, the course and the code
    assert report.status == Report.Status.READY, report.error
    download = client.get(report.get_download_url())
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Certificate of achievement", "Julio César Huamán Ccori", "Risk profiling of chemical shipments"):
        assert expected in text
    assert certificate.code in text and f"/verify/{certificate.code}/" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", pages)
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts", pages)  # A4 landscape
    # and readers who see figures only cannot download it
    for role in ("viewer", "counterpart"):
        client.force_login(world.users[role])
        assert client.get(report.get_download_url()).status_code == 404


def test_the_missing_pdfs_are_requested_together_and_ready_ones_reused(
    client, world, session, django_capture_on_commit_callbacks
):
    for _ in range(3):
        participant(session, days=5, post=Decimal(40))
    certificates_issue(session=session, by=None)  # issued without PDFs
    client.force_login(world.users["trainer"])
    url = reverse("trainings:certificates", args=[session.pk])
    assert client.get(url).context["missing_pdfs"] is True

    with django_capture_on_commit_callbacks(execute=True):  # the tasks run eagerly here
        client.post(url, {"action": "pdfs"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url, {"action": "pdfs"})
    assert callbacks == []  # nothing sent to render again

    reports = Report.objects.filter(kind=certificates.KIND)
    assert reports.count() == 3 and set(reports.values_list("status", flat=True)) == {"ready"}
    assert client.get(url).context["missing_pdfs"] is False


# ---- What the PDF prints: issuer, signatories, logo, QR code ----------------------------------


def _render(certificate, django_capture_on_commit_callbacks) -> Report:
    with django_capture_on_commit_callbacks(execute=True):  # the rendering runs eagerly here
        report = certificates.certificate_request_pdf(certificate=certificate, by=None)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    return report


def _text(report: Report, pdftotext) -> str:
    result = subprocess.run([pdftotext, "-layout", report.file.path, "-"], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def _logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 61, 99)).save(out, format="PNG")
    return out.getvalue()


def test_the_qr_code_of_the_pdf_opens_the_verification_page(
    world, session, django_capture_on_commit_callbacks, pdftoppm, zbarimg, tmp_path, settings
):
    settings.SITE_URL = "https://portal.example.org"
    participant(session, days=5, post=Decimal(40))
    [certificate] = certificates_issue(session=session, by=None)
    report = _render(certificate, django_capture_on_commit_callbacks)

    # the page as a phone camera would see it, decoded by zbar (not by the library that drew it)
    subprocess.run([pdftoppm, "-r", "150", "-png", "-singlefile", report.file.path, str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True, check=True
    ).stdout.split()

    assert decoded == [f"https://portal.example.org/verify/{certificate.code}/"]


def test_the_pdf_prints_the_programmes_issuer_signatories_and_logo(
    world, session, django_capture_on_commit_callbacks, pdftotext
):
    programme = Programme.objects.create(
        name="Precursor control in the Andes",
        code="andes",
        certificate_issuer="OAS · Inter-American Drug Abuse Control Commission",
        certificate_signatories=[
            {"name": "Adam Namm", "title": "Executive Secretary"},
            {"name": "Lucía Paredes", "title": "Programme coordinator"},
        ],
    )
    programme.certificate_logo.save("logo.png", ContentFile(_logo_png()))
    world.engagement.programme = programme
    world.engagement.save()
    participant(session, days=5, post=Decimal(40), name="Rosa Quispe Mamani")
    [certificate] = certificates_issue(session=session, by=None)

    report = _render(certificate, django_capture_on_commit_callbacks)
    text = _text(report, pdftotext)

    for expected in (
        "OAS · INTER-AMERICAN DRUG ABUSE CONTROL COMMISSION",  # printed in capitals
        "Adam Namm",
        "Executive Secretary",
        "Lucía Paredes",
        "Programme coordinator",
        "Rosa Quispe Mamani",
    ):
        assert expected in text, expected
    images = subprocess.run(["pdfimages", "-list", report.file.path], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) == 3  # two heading lines and the logo


def test_a_regional_session_falls_back_to_the_portals_default_issuer(
    world, django_capture_on_commit_callbacks, pdftotext, settings
):
    settings.CERTIFICATE_ISSUER = "Regional Precursor Office"
    settings.CERTIFICATE_SIGNATORIES = [("Marta Gómez", "Director")]
    regional = SessionFactory(engagement=None, countries=[world.own, world.other], language="en")
    participant(regional, days=5, post=Decimal(40))
    [certificate] = certificates_issue(session=regional, by=None)

    text = _text(_render(certificate, django_capture_on_commit_callbacks), pdftotext)

    assert "REGIONAL PRECURSOR OFFICE" in text and "Marta Gómez" in text and "Director" in text


# ---- Sessions without an exam: certificates of attendance --------------------------------------


def test_a_session_without_an_exam_certifies_attendance_alone(
    world, session, django_capture_on_commit_callbacks, pdftotext
):
    attended = participant(session, days=4, post=None, name="Carmen Flores")
    participant(session, days=3, post=None)  # 60 %: below the threshold
    participant(session, days=None, post=None)  # attendance not recorded

    issued = certificates_issue(session=session, by=None)

    assert [(c.enrolment, c.kind) for c in issued] == [(attended, "attendance")]
    text = _text(_render(issued[0], django_capture_on_commit_callbacks), pdftotext)
    assert "Certificate of attendance" in text and "attended" in text and "final exam" not in text


def test_once_anyone_has_a_score_the_session_certifies_achievement(world, session):
    participant(session, days=5, post=None)  # attended, no exam score
    scored = participant(session, days=5, post=Decimal(40))

    issued = certificates_issue(session=session, by=None)

    assert [(c.enrolment, c.kind) for c in issued] == [(scored, "achievement")]


# ---- Revocation ---------------------------------------------------------------------------------


def _revoke_url(certificate):
    return reverse("trainings:certificate_revoke", args=[certificate.enrolment.session_id, certificate.pk])


def test_a_manager_revokes_with_a_reason_and_the_public_check_says_when_and_why(client, world, session):
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40), name="Ana Ruiz"))
    client.force_login(world.users["manager"])

    response = client.post(_revoke_url(certificate), {"reason": "Issued to the wrong participant."})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == world.users["manager"] and certificate.revoked_at is not None
    client.logout()
    page = client.get(reverse("reports:verify", args=[certificate.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "was revoked and is no longer valid" in text
    assert "Issued to the wrong participant." in text
    assert f"Revoked on {date_format(timezone.localdate(certificate.revoked_at), 'DATE_FORMAT')}." in text
    assert "Ana Ruiz" not in text


def test_revoking_needs_a_reason_and_saves_nothing_without_one(client, world, session):
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40)))
    client.force_login(world.users["manager"])

    response = client.post(_revoke_url(certificate), {"reason": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revoked_reason == ""


def test_the_trainer_runs_the_session_but_does_not_revoke(client, world, session):
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40)))
    client.force_login(world.users["trainer"])

    assert client.get(reverse("trainings:certificates", args=[session.pk])).context["can_revoke"] is False
    assert client.post(_revoke_url(certificate), {"reason": "No."}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_a_revoked_certificates_pdf_is_no_longer_offered_and_reissuing_makes_a_new_code(
    client, world, session, django_capture_on_commit_callbacks
):
    enrolment = participant(session, days=5, post=Decimal(40))
    [first] = certificates_issue(session=session, by=None)
    report = _render(first, django_capture_on_commit_callbacks)
    client.force_login(world.users["manager"])
    assert client.get(report.get_download_url()).status_code == 200

    client.post(_revoke_url(first), {"reason": "The exam was retaken."})

    assert client.get(report.get_download_url()).status_code == 404
    page = client.get(reverse("trainings:certificates", args=[session.pk]))
    assert report.get_download_url() not in page.content.decode()
    [second] = certificates_issue(session=session, by=None)
    assert second.enrolment == enrolment and second.code != first.code
    assert client.get(reverse("reports:verify", args=[second.code])).context["data"].name == enrolment.person.full_name
    assert "was revoked" in client.get(reverse("reports:verify", args=[first.code])).content.decode()


def test_the_public_check_shows_the_issuer_and_the_dates(client, world, session, settings):
    settings.CERTIFICATE_ISSUER = "Regional Precursor Office"
    certificate = Certificate.objects.create(enrolment=participant(session, days=5, post=Decimal(40)))

    text = client.get(reverse("reports:verify", args=[certificate.code])).content.decode()

    assert "Regional Precursor Office" in text
    assert date_format(session.start_date, "DATE_FORMAT") in text and date_format(session.end_date, "DATE_FORMAT") in text


# ---- E-mailed once, in the holder's language ----------------------------------------------------


def _wait_for(predicate, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _attachments(message):
    return [part for part in message.walk() if part.get_content_disposition() == "attachment"]


@pytest.mark.services
def test_a_real_worker_emails_the_certificate_once_in_the_participants_language(
    celery_worker, smtp, pdftotext, client, world, tmp_path
):
    # given a participant with an account in French, in a session given in English
    course = CourseFactory(
        title="Risk profiling of chemical shipments",
        translations={"fr": {"title": "Profilage des risques des envois chimiques"}},
    )
    session = SessionFactory(engagement=world.engagement, language="en", trainers=[world.users["trainer"]], course=course)
    person = PersonFactory(full_name="Amélie Dubois", email="amelie@example.org", user=UserFactory(language="fr"))
    EnrolmentFactory(session=session, person=person, days_attended=5, post_score=Decimal(44))
    participant(session, days=5, post=Decimal(44), name="Nadie Sin Correo", email="")  # gets no e-mail
    client.force_login(world.users["trainer"])
    # when the trainer issues the certificates (PDF on the pdf queue, the e-mail on the default one)
    assert client.post(reverse("trainings:certificates", args=[session.pk])).status_code == 302
    certificate = Certificate.objects.get(enrolment__person=person)
    _wait_for(lambda: Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=False).exists())
    # then one message reached her, in French, with the PDF in French attached
    [message] = smtp.messages
    assert message["To"] == "amelie@example.org" and message["Content-Language"] == "fr"
    [attachment] = _attachments(message)
    assert attachment.get_content_type() == "application/pdf"
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_payload(decode=True))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    for expected in ("Amélie Dubois", "Profilage des risques des envois chimiques", "Certificat de réussite", "Délivré le"):
        assert expected in text, expected
    assert certificate.code in text
    # and asking again sends nothing more
    email_certificate.delay("trainings.certificate", certificate.pk).get(timeout=30)
    assert len(smtp.messages) == 1


@pytest.mark.services
@pytest.mark.parametrize("smtp", [1], indirect=True)
def test_a_refused_send_is_tried_again_and_arrives_once(celery_worker, smtp, world, session, monkeypatch):
    monkeypatch.setattr(outbox, "RETRY_BASE_SECONDS", 0.05)
    person = PersonFactory(full_name="Rosa Quispe", email="rosa@example.org")
    EnrolmentFactory(session=session, person=person, days_attended=5, post_score=Decimal(40))

    certificates.certificates_issue_and_render(session=session, by=None)
    certificate = Certificate.objects.get(enrolment__person=person)
    _wait_for(lambda: Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=False).exists())

    assert smtp.attempts == 2 and [m["To"] for m in smtp.messages] == ["rosa@example.org"]


def test_a_certificate_another_worker_is_sending_is_left_to_it(
    transactional_db, world, session, django_capture_on_commit_callbacks
):
    # committed data (transactional), so that the other worker's connection sees the row
    participant(session, days=5, post=Decimal(40), email="maria@example.org")
    [certificate] = certificates_issue(session=session, by=None)
    _render(certificate, django_capture_on_commit_callbacks)
    holding, done = threading.Event(), threading.Event()

    def other_worker():
        with connections["default"].cursor() as cursor, transaction.atomic():
            cursor.execute("SELECT 1 FROM trainings_certificate WHERE id = %s FOR UPDATE", [certificate.pk])
            holding.set()
            done.wait(10)
        connections["default"].close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    holding.wait(10)
    try:
        outcome = shared.certificate_email("trainings.certificate", certificate.pk)
    finally:
        done.set()
        thread.join()

    assert outcome == "locked" and len(mail.outbox) == 0
    certificate.refresh_from_db()
    assert certificate.emailed_at is None
    assert shared.certificate_email("trainings.certificate", certificate.pk) == "sent"
    assert shared.certificate_email("trainings.certificate", certificate.pk) == "done"
    assert len(mail.outbox) == 1


def test_a_revoked_certificate_is_never_emailed(world, session):
    participant(session, days=5, post=Decimal(40), email="maria@example.org")
    [certificate] = certificates_issue(session=session, by=None)
    certificates.certificate_revoke(certificate=certificate, by=None, reason="Duplicate")

    assert shared.certificate_email("trainings.certificate", certificate.pk) == "done"
    assert len(mail.outbox) == 0
