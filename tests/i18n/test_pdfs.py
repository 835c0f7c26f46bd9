"""The PDFs (assessment report, certificate, annual progress report) in Portuguese and French read
back from the file (pdftotext) as native text, accents included, with the reference data (country,
framework dimensions, course) in that language too."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from outcomes.models import AnnualProgressReport
from reports.models import Report
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.outcomes.factories import generate
from tests.trainings.factories import CourseFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings import certificates
from trainings.services import certificates_issue

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf_text(report: Report, pdftotext) -> str:
    assert report.status == Report.Status.READY, report.error
    raw = subprocess.run([pdftotext, "-raw", report.file.path, "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", " ", raw.stdout)


ASSESSMENT_REPORT = {
    "pt": [
        "Avaliação nacional do controle de precursores químicos",
        "1. Resumo executivo",
        "3. Maturidade por dimensão",
        "Marco legal e regulatório",
        "Gestão e destinação de substâncias químicas apreendidas",
        "3 de Março de 2025",
        "Página",
    ],
    "fr": [
        "Évaluation nationale du contrôle des précurseurs chimiques",
        "1. Synthèse",
        "3. Maturité par dimension",
        "Cadre juridique et réglementaire",
        "Gestion et élimination des substances chimiques saisies",
        "3 mars 2025",
        "Pérou",
    ],
}


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_the_assessment_report_reads_in_portuguese_and_french(
    client, django_capture_on_commit_callbacks, pdftotext, language
):
    # given a manager who works in the language, and a scored assessment with a recommendation
    manager = make_user("manager", "PE", language=language)
    levels = {d.code: 1 + i % 5 for i, d in enumerate(default_framework().dimensions.all())}
    assessment = make_assessment(title="Peru 2025", levels=levels, by=manager)
    add_recommendation(add_finding(assessment, code="legal", text="Gap"), text="Amend the law")
    client.force_login(manager)

    # when they ask for the PDF report
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:report", args=[assessment.pk]))

    # then the PDF is in that language, with the dimensions' own names and local dates
    report = Report.objects.get(kind="assessment")
    assert report.language == language
    text = _pdf_text(report, pdftotext)
    for expected in ASSESSMENT_REPORT[language]:
        assert expected in text, expected
    assert "Executive summary" not in text and "Legal and regulatory framework" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt", ["Certificado de aprovação", "Perfis de risco de remessas químicas", "Emitido em", "Código de verificação"]),
        ("fr", ["Certificat de réussite", "Profilage des risques des envois chimiques", "Délivré le", "Code de vérification"]),
    ],
)
def test_a_certificate_reads_in_portuguese_and_french(world, django_capture_on_commit_callbacks, pdftotext, language, expected):
    course = CourseFactory(
        title="Risk profiling of chemical shipments",
        translations={
            "pt": {"title": "Perfis de risco de remessas químicas"},
            "fr": {"title": "Profilage des risques des envois chimiques"},
        },
    )
    session = SessionFactory(engagement=world.engagement, course=course, language=language)
    EnrolmentFactory(session=session, person=PersonFactory(full_name="Inês Conceição"), days_attended=5, post_score=Decimal(45))
    [certificate] = certificates_issue(session=session, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        certificates.certificate_request_pdf(certificate=certificate, by=None)
    text = _pdf_text(Report.objects.get(kind=certificates.KIND), pdftotext)
    for phrase in [*expected, "Inês Conceição"]:
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt", ["Relatório anual de progresso 2025", "1. Resumo", "Metas versus valores reais", "Peru"]),
        ("fr", ["Rapport annuel d'avancement 2025", "1. Résumé", "Cibles et valeurs réelles", "Pérou"]),
    ],
)
def test_the_annual_progress_report_reads_in_portuguese_and_french(
    client, django_capture_on_commit_callbacks, pdftotext, language, expected
):
    data = generate(size=1, seed=53)
    viewer = make_user("viewer", "PE", language=language)
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outcomes:annual_report", args=[data.programme.code]), {"year": "2025"})
    owner = AnnualProgressReport.objects.get()
    text = _pdf_text(Report.objects.get(owner_id=owner.pk, kind="annual_progress"), pdftotext)
    for phrase in expected:
        assert phrase in text, phrase
    assert date(2025, 1, 1).year == 2025
