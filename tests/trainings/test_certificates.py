"""Certificates: who qualifies, issuing once, the PDF from the shared Celery/WeasyPrint pipeline,
and the public check that confirms a code without revealing anything else."""

import re
import subprocess
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import Report
from reports.services import report_latest
from tests.factories import PersonFactory
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


def participant(session, *, days, post, name=None):
    person = PersonFactory(**({"full_name": name} if name else {}))
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
