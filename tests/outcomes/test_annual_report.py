"""The annual progress report: rendered by a real worker through the shared PDF path, with the
targets, the countries and the figures; reused while unchanged; only for the countries asked."""

import re
import subprocess
import time
from datetime import date

import pytest
from django.urls import reverse

from accounts.scoping import EVERYWHERE
from outcomes import services
from outcomes.models import ActivityTarget
from outcomes.models import AnnualProgressReport
from outcomes.models import OutcomeTarget
from reports.models import Report
from tests.factories import make_user
from tests.outcomes.factories import generate

pytestmark = pytest.mark.clock_sensitive


def _targets(programme):
    ActivityTarget.objects.create(
        programme=programme,
        title="Twelve national trainings held",
        metric="sessions_held",
        target_value=12,
        period_start=date(2023, 1, 1),
        period_end=date(2027, 12, 31),
    )
    OutcomeTarget.objects.create(
        programme=programme,
        title="Post-test mean of at least seventy percent",
        metric="post_mean_pct",
        comparator="gte",
        target_value=70,
        period_start=date(2023, 1, 1),
        period_end=date(2027, 12, 31),
    )


def _pdf_text(path, pdftotext) -> str:
    raw = subprocess.run([pdftotext, "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", raw)


def _wait(report: Report, seconds: float = 120) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != Report.Status.PENDING:
            return report
        time.sleep(0.3)
    raise AssertionError(f"report {report.pk} still pending after {seconds} s")


@pytest.mark.services
def test_a_real_worker_renders_the_annual_report_with_targets_countries_and_figures(celery_worker, pdftotext):
    # given a programme with data and targets
    data = generate(size=1, seed=51)
    _targets(data.programme)
    # when the report is requested (the task goes through Redis to the worker's pdf queue)
    started = time.monotonic()
    report = services.annual_report_request(
        programme=data.programme, year=2025, scope=EVERYWHERE, by=None, language="en"
    )
    assert report.status == Report.Status.PENDING  # the request returns at once
    report = _wait(report)
    # then
    assert report.status == Report.Status.READY, report.error
    assert report.size > 10_000 and report.filename == f"annual-progress-{data.programme.code}-2025.pdf"
    text = _pdf_text(report.file.path, pdftotext)
    for expected in (
        data.programme.name,
        "Annual progress report 2025",
        "Twelve national trainings held",
        "Post-test mean of at least seventy percent",
        "Peru",
        "Colombia",
        "Targets against actuals",
        "Trends by year",
    ):
        assert expected in text, expected
    assert "Page 2 / " in text
    print(
        f"annual report: {report.size} bytes, rendered in {report.render_seconds:.2f} s "
        f"({time.monotonic() - started:.2f} s from request to file)"
    )


@pytest.mark.django_db
def test_the_report_is_reused_while_figures_are_unchanged_and_rendered_anew_after_a_change(
    django_capture_on_commit_callbacks,
):
    data = generate(size=1, seed=52)
    _targets(data.programme)

    def request():
        with django_capture_on_commit_callbacks(execute=True):
            return services.annual_report_request(
                programme=data.programme, year=2025, scope=EVERYWHERE, by=None, language="en"
            )

    first = request()
    first.refresh_from_db()
    assert first.status == Report.Status.READY, first.error
    assert request().pk == first.pk  # nothing changed: the same file
    # a new target changes what the report shows
    OutcomeTarget.objects.create(
        programme=data.programme,
        title="Pass rate",
        metric="post_pass_rate",
        comparator="gte",
        target_value=60,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    assert request().pk != first.pk


@pytest.mark.django_db
def test_the_report_covers_only_the_countries_of_who_asked_and_others_cannot_download_it(
    client, django_capture_on_commit_callbacks, pdftotext
):
    # given a Peru viewer's report
    data = generate(size=1, seed=53)
    _targets(data.programme)
    viewer = make_user("viewer", "PE")
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outcomes:annual_report", args=[data.programme.code]), {"year": "2025"})
    assert response.status_code == 302
    owner = AnnualProgressReport.objects.get()
    assert owner.scope_key == "PE"
    report = Report.objects.get(owner_id=owner.pk, kind="annual_progress")
    assert report.status == Report.Status.READY, report.error
    text = _pdf_text(report.file.path, pdftotext)
    assert "Peru" in text and "Colombia" not in text
    # the dashboard offers the download
    page = client.get(reverse("outcomes:programme", args=[data.programme.code]) + "?year=2025").content.decode()
    assert reverse("reports:download", args=[report.pk]) in page
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200
    # a Colombian viewer and a viewer of both countries do not reach it; a global reader does
    for user, status in (
        (make_user("viewer", "CO"), 404),
        (make_user("viewer", "PE", "CO"), 404),
        (make_user("manager"), 200),
    ):
        client.force_login(user)
        assert client.get(reverse("reports:download", args=[report.pk])).status_code == status
        assert client.get(reverse("reports:status", args=[report.pk])).status_code == status


@pytest.mark.django_db
def test_a_report_request_for_a_year_outside_the_programme_uses_the_shown_year(
    client, django_capture_on_commit_callbacks
):
    data = generate(size=1, seed=54)
    client.force_login(make_user("admin"))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("outcomes:annual_report", args=[data.programme.code]) + "?year=2024", {"year": "1700"}
        )
    assert response.status_code == 302
    assert AnnualProgressReport.objects.get().year == 2024
