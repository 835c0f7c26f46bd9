"""The PDF assessment report: rendered by a real worker, reused while the data is unchanged,
rendered anew once it changes, in the requester's language."""

import re
import subprocess
import time
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from assessments.report import KIND
from assessments.report import assessment_report_fingerprint
from assessments.report import build_assessment_report
from reports.models import Report
from reports.services import report_request
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.assessments.factories import make_roundtable
from tests.factories import make_user

RECOMMENDATIONS = [
    "Adopt a legal clause allowing the competent authority to place substances under emergency control within sixty days.",
    "Reactivate the inter-agency committee with quarterly meetings and named focal points.",
    "Contract licensed facilities for the environmentally sound disposal of seized chemicals.",
]


def _scored_assessment(**kwargs):
    levels = {d.code: 1 + i % 5 for i, d in enumerate(default_framework().dimensions.all())}
    assessment = make_assessment(title="Peru: national assessment of precursor control 2025", levels=levels, **kwargs)
    for code, text in zip(("legal", "institutional", "seized_chemicals"), RECOMMENDATIONS, strict=True):
        add_recommendation(add_finding(assessment, code=code, text=f"Finding on {code}"), text=text)
    return assessment


def _pdf_text(path, pdftotext) -> str:
    raw = subprocess.run([pdftotext, "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", raw)


def _wait_until_done(report: Report, seconds: float = 90) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != Report.Status.PENDING:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report {report.pk} still pending after {seconds} s")


@pytest.mark.services
def test_a_real_worker_renders_a_pdf_with_the_title_every_dimension_and_every_recommendation(celery_worker, pdftotext):
    # given a scored assessment with findings and recommendations
    assessment = _scored_assessment()
    # when the report is requested (the task goes through Redis to the worker's pdf queue)
    report = report_request(
        owner=assessment,
        kind=KIND,
        language="en",
        fingerprint=assessment_report_fingerprint(assessment, "en"),
        by=None,
    )
    report = _wait_until_done(report)
    # then
    assert report.status == Report.Status.READY, report.error
    assert report.file.name.endswith(".pdf") and report.size > 10_000
    text = _pdf_text(report.file.path, pdftotext)
    assert assessment.title in text
    for dimension in default_framework().dimensions.all():
        assert dimension.name in text, dimension.name
    for recommendation in RECOMMENDATIONS:
        assert recommendation in text, recommendation
    assert "Page 2 / " in text and "Peru" in text


@pytest.mark.django_db
def test_a_ready_report_is_reused_while_the_data_is_unchanged_and_rendered_anew_after_a_change(
    django_capture_on_commit_callbacks,
):
    assessment = _scored_assessment()

    def request():
        with django_capture_on_commit_callbacks(execute=True):
            return report_request(
                owner=assessment,
                kind=KIND,
                language="en",
                fingerprint=assessment_report_fingerprint(assessment, "en"),
                by=None,
            )

    first = request()
    first.refresh_from_db()
    assert first.status == Report.Status.READY, first.error
    # unchanged data: the same report, nothing rendered again
    again = request()
    assert again.pk == first.pk and Report.objects.count() == 1
    # a changed recommendation: a new rendering
    recommendation = assessment.findings.first().recommendations.first()
    recommendation.text = "A reworded recommendation"
    recommendation.save()
    changed = request()
    changed.refresh_from_db()
    assert changed.pk != first.pk and changed.status == Report.Status.READY
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_the_fingerprint_follows_every_part_of_the_report():
    assessment = _scored_assessment()
    base = assessment_report_fingerprint(assessment, "en")
    assert assessment_report_fingerprint(assessment, "en") == base
    assert assessment_report_fingerprint(assessment, "es") != base
    score = assessment.scores.get(dimension__code="legal")
    score.rationale = "New evidence"
    score.save()
    after_score = assessment_report_fingerprint(assessment, "en")
    assert after_score != base
    assessment.meetings.create(date=date(2025, 3, 9), notes="Site visit")
    assert assessment_report_fingerprint(assessment, "en") != after_score


@pytest.mark.django_db
def test_the_report_follows_the_requesters_language(client, django_capture_on_commit_callbacks, pdftotext):
    # given a manager who works in Spanish
    manager = make_user("manager", "PE", language="es")
    assessment = _scored_assessment(by=manager)
    client.force_login(manager)
    # when they ask for the report without choosing a language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:report", args=[assessment.pk]))
    # then it is made in Spanish, with the Spanish names of the dimensions and Spanish dates
    report = Report.objects.get()
    assert response.status_code == 302 and report.language == "es" and report.status == "ready"
    text = _pdf_text(report.file.path, pdftotext)
    assert "Marco legal y normativo" in text
    assert "de 2025" in text  # "3 de marzo de 2025"
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert reverse("reports:download", args=[report.pk]) in page
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_report_context_shows_the_roundtables_held_with_their_agreed_measures():
    assessment = _scored_assessment()
    roundtable = make_roundtable(assessment)
    apps.get_model("followups", "Measure").objects.create(
        engagement=assessment.engagement, roundtable=roundtable, title="Reactivate the committee"
    )
    with translation.override("en"):
        spec = build_assessment_report(assessment, "en")
    [(held, attended, measures)] = spec.context["roundtables"]
    assert held == roundtable and [m.title for m in measures] == ["Reactivate the committee"]
    assert spec.filename == f"assessment-PE-2025-{assessment.pk}-en.pdf"


@pytest.mark.django_db
def test_the_api_queues_the_report_and_tells_its_status(django_capture_on_commit_callbacks):
    manager = make_user("manager", "PE")
    assessment = _scored_assessment(by=manager)
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/assessments/{assessment.pk}/report/"
    assert api.get(url + "?language=en").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post(url, {"language": "en"}, format="json")
    assert queued.status_code == 202
    assert queued.json()["status"] == "pending" and queued.json()["url"].endswith("?language=en")
    status = api.get(url + "?language=en").json()
    assert status["status"] == "ready" and status["up_to_date"] is True
    download = api.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert api.post(url, {"language": "xx"}, format="json").status_code == 400


@pytest.mark.django_db
def test_a_pdf_requested_in_another_language_is_downloaded_from_the_assessment_page(
    client, django_capture_on_commit_callbacks
):
    # given a manager reading the page in English
    manager = make_user("manager", "PE", language="en")
    assessment = make_assessment(by=manager)
    client.force_login(manager)
    # when they ask for the PDF in French (rendered eagerly here)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:report", args=[assessment.pk]), {"language": "fr"})
    report = Report.objects.get()
    assert (report.language, report.status) == ("fr", "ready")
    # then the English page offers the French PDF, and the link downloads it
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "No report has been made in this language yet." in page
    assert f'href="{reverse("reports:download", args=[report.pk])}" hreflang="fr"' in page
    assert "Download the PDF in French" in page
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_a_pdf_being_prepared_in_another_language_is_polled_for(client):
    manager = make_user("manager", "PE", language="en")
    assessment = make_assessment(by=manager)
    pending = report_request(owner=assessment, kind=KIND, language="es", fingerprint="x", by=manager)
    client.force_login(manager)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert f'data-status-url="{reverse("reports:status", args=[pending.pk])}"' in page
    assert "The report in Spanish is being prepared…" in page
