"""Certificates of attendance of network events: who gets one, their codes among all certificates'
codes, the public check, the PDF through the shared rendering, revoking."""

import subprocess
from decimal import Decimal

from django.urls import reverse

from engagements.models import Programme
from network import certificates
from network.models import EventCertificate
from network.models import Registration
from reports.models import Report
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.models import Certificate


def _registration(event, *, attended=True, status=Registration.Status.REGISTERED, name=None):
    person = PersonFactory(**({"full_name": name} if name else {}))
    return Registration.objects.create(event=event, person=person, attended=attended, status=status)


def test_only_attended_active_participants_get_a_certificate_of_attendance(world):
    event = EventFactory(title="Annual meeting of the network")
    attended = _registration(event)
    _registration(event, attended=False)
    _registration(event, attended=True, status=Registration.Status.CANCELLED)

    issued = certificates.event_certificates_issue(event=event, by=world.users["admin"])

    assert [(c.registration, c.kind) for c in issued] == [(attended, "attendance")]
    assert certificates.event_certificates_issue(event=event, by=world.users["admin"]) == []


def test_codes_are_unique_across_sessions_and_events(world):
    session = SessionFactory(engagement=world.engagement)
    training = Certificate.objects.create(
        enrolment=EnrolmentFactory(session=session, days_attended=5, post_score=Decimal(40))
    )
    registration = _registration(EventFactory())

    event_certificate = EventCertificate(registration=registration, code=training.code)
    event_certificate.save()  # the code is taken by the training certificate: another is drawn

    assert event_certificate.code != training.code
    assert EventCertificate.objects.get().code == event_certificate.code


def test_the_public_check_finds_an_event_certificate(client, world):
    event = EventFactory(title="Bi-regional seminar on precursor diversion")
    certificate = EventCertificate.objects.create(registration=_registration(event, name="Tomás Herrera"))

    response = client.get(reverse("reports:verify", args=[certificate.code]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Tomás Herrera" in text and "Bi-regional seminar on precursor diversion" in text


def test_the_pdf_is_a_certificate_of_attendance_with_the_events_programme(
    world, django_capture_on_commit_callbacks, pdftotext
):
    programme = Programme.objects.create(
        name="COPOLAD III", code="copolad", certificate_issuer="COPOLAD III · European Union"
    )
    event = EventFactory(title="Dialogue forum on chemical precursors", programme=programme)
    certificate = EventCertificate.objects.create(registration=_registration(event, name="Inés Rojas"))

    with django_capture_on_commit_callbacks(execute=True):
        certificates.certificate_request_pdf(certificate=certificate, by=None, language="en")
    report = Report.objects.get(kind=certificates.KIND)
    assert report.status == Report.Status.READY, report.error
    text = " ".join(
        subprocess.run([pdftotext, report.file.path, "-"], capture_output=True, text=True, check=True).stdout.split()
    )

    for expected in ("Certificate of attendance", "Inés Rojas", "attended the event", "Dialogue forum on chemical precursors"):
        assert expected in text, expected
    assert "COPOLAD III · EUROPEAN UNION" in text


def test_an_organiser_issues_but_only_a_manager_revokes(client, world):
    organiser = make_user("counterpart", "PE")
    event = EventFactory(organisers=[organiser])
    certificate = EventCertificate.objects.create(registration=_registration(event))
    url = reverse("network:event_certificate_revoke", args=[event.pk, certificate.pk])

    client.force_login(organiser)
    assert client.get(reverse("network:event_certificates", args=[event.pk])).status_code == 200
    assert client.post(url, {"reason": "Left early."}).status_code == 403
    client.force_login(world.users["manager"])
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is needed
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert client.post(url, {"reason": "Left on the first morning."}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Left on the first morning."
    assert "Left on the first morning." in client.get(reverse("reports:verify", args=[certificate.code])).content.decode()
