"""Measurements made inside the portal's own process, against one bench database.

``python -m bench.offline <what> [json arguments]`` prints one line ``BENCH_JSON {...}``. Every
measurement that writes does so inside a transaction it rolls back, so the bench databases stay
as generated. ``<what>``:

- ``queries``: SQL queries of each page and endpoint (first request, then again), as served.
- ``pdf``: the assessment report at about 10, 15 and 20 pages against a plain 20-page document (the
  floor of WeasyPrint: headings, paragraphs, one table per page), same stylesheet, same function.
- ``import``: 2 000 exam rows through the import page (a new session, new people), then again.
- ``reminders``: one reminder run over 100 and over 10 000 due rounds: queries and seconds.
- ``history``: a history workbook of 10 000 rows (``history.samples``) into Peru, as the command
  line runs it, audit triggers on: a dry run, the import, then the same workbook again (unchanged).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.db import transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test import TestCase  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.apitokens import api_token_create  # noqa: E402
from accounts.models import User  # noqa: E402
from assessments.models import Assessment  # noqa: E402
from assessments.models import DimensionScore  # noqa: E402
from assessments.models import EvidenceMeeting  # noqa: E402
from assessments.models import Finding  # noqa: E402
from assessments.models import Framework  # noqa: E402
from assessments.models import LegalInstrument  # noqa: E402
from assessments.models import Recommendation  # noqa: E402
from assessments.models import Roundtable  # noqa: E402
from engagements.models import Agency  # noqa: E402
from engagements.models import Engagement  # noqa: E402
from followups.models import FollowupRound  # noqa: E402
from followups.models import Measure  # noqa: E402
from followups.models import ReminderLog  # noqa: E402
from followups.reminders import send_followup_reminders  # noqa: E402
from history import services as history_services  # noqa: E402
from history.samples import sample_workbook  # noqa: E402
from reports import registry  # noqa: E402
from reports.services import html_to_pdf  # noqa: E402
from trainings.models import Enrolment  # noqa: E402
from trainings.models import TrainingSession  # noqa: E402

BENCH_USER = "scale_manager"


class RollbackError(Exception):
    """Raised to undo what a measurement wrote."""


def _user():
    return User.objects.get(username=BENCH_USER)


def _client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


# ---- queries per page ------------------------------------------------------------------------

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured) -> int:
    """Queries that read or write data; BEGIN/COMMIT around the session's save are not counted."""
    sqls = (query["sql"].lstrip().upper() for query in captured.captured_queries)
    return sum(1 for sql in sqls if not sql.startswith(TRANSACTION_CONTROL))


def queries(urls: dict[str, str]) -> dict:
    user = _user()
    _token, key = api_token_create(user=user, name="bench query count", ttl=timedelta(hours=1))
    pages = _client(user)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    found = {}
    for name, url in urls.items():
        client = api if url.startswith("/api/") else pages
        counts, totals = [], []
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            counts.append(statements(captured))
            totals.append(len(captured))
        found[name] = {
            "status": response.status_code,
            "queries_first": counts[0],  # computed: nothing cached yet
            "queries": counts[1],  # served: as every later request
            "statements_with_transaction_control": totals[1],
        }
    return found


# ---- PDF -----------------------------------------------------------------------------------------

LOREM = (
    "The competent authority keeps a register of operators, but customs cannot consult it at the border, "
    "so declarations of controlled chemicals are checked against paper licences that may have expired. "
    "Inspections follow complaints rather than a risk-based plan, and their findings are not shared with "
    "the police or the prosecution services, which therefore rarely open backtracking investigations."
)


def _page_count(pdf: bytes) -> int | None:
    tool = shutil.which("pdfinfo")
    if tool is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        output = subprocess.run([tool, handle.name], capture_output=True, text=True, check=False).stdout  # noqa: S603
    for line in output.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def plain_document(pages: int) -> str:
    """Headings, paragraphs and one table per page: what WeasyPrint costs before any portal logic."""
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Plain</title></head><body>"]
    for page in range(1, pages + 1):
        parts.append(f"<section class='section'><h2>Section {page}</h2>")
        parts += [f"<p>{LOREM}</p>" for _ in range(3)]
        parts.append(
            "<table><caption>Figures</caption><thead><tr><th>Agency</th><th>Kind</th>"
            "<th class='num'>Inspections</th><th class='num'>Seizures</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr><td>Agency {row}</td><td>Customs</td>"
            f"<td class='num'>{row * 7}</td><td class='num'>{row * 3}</td></tr>"
            for row in range(14)
        ]
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "".join(parts)


def _assessment(units: int):
    """An assessment whose report grows with ``units`` (findings, recommendations, meetings, measures)."""
    engagement = Engagement.objects.filter(country_id="PE").order_by("pk").first() or Engagement.objects.first()
    framework = Framework.objects.latest_versions().get(code="precursor-control")
    dimensions = list(framework.dimensions.order_by("order"))
    agency = Agency.objects.filter(country_id=engagement.country_id).first()
    today = timezone.localdate()
    assessment = Assessment.objects.create(
        engagement=engagement,
        framework=framework,
        title="Bench assessment of precursor control",
        status="final",
        start_date=today - timedelta(days=90),
        end_date=today - timedelta(days=30),
        executive_summary=LOREM,
        method=LOREM,
    )
    DimensionScore.objects.bulk_create(
        DimensionScore(assessment=assessment, dimension=d, level=1 + i % 5, rationale=LOREM[:100])
        for i, d in enumerate(dimensions)
    )
    findings = Finding.objects.bulk_create(
        Finding(assessment=assessment, dimension=dimensions[i % len(dimensions)], text=LOREM, priority="high")
        for i in range(3 * units)
    )
    Recommendation.objects.bulk_create(
        Recommendation(finding=f, text=LOREM[:220], priority="medium", responsible_agency=agency) for f in findings
    )
    EvidenceMeeting.objects.bulk_create(
        EvidenceMeeting(assessment=assessment, date=today - timedelta(days=60), agency=agency, notes=LOREM[:160])
        for _ in range(2 * units)
    )
    LegalInstrument.objects.bulk_create(
        LegalInstrument(
            assessment=assessment, title="Law on controlled chemicals", kind="law", year=2010, gaps=LOREM[:120]
        )
        for _ in range(units)
    )
    roundtable = Roundtable.objects.create(
        engagement=engagement, assessment=assessment, title="Bench roundtable", date=today - timedelta(days=10)
    )
    Measure.objects.bulk_create(
        Measure(engagement=engagement, roundtable=roundtable, title=LOREM[:120], responsible_agency=agency)
        for _ in range(2 * units)
    )
    return assessment


def _render_assessment(assessment) -> tuple[float, bytes]:
    """What the PDF worker does for a report (``reports.services.report_render``), without storing it."""
    started = time.perf_counter()
    kind = registry.get("assessment")
    with translation.override("en"):
        spec = kind.build(assessment, "en")
        html = render_to_string(spec.template, spec.context)
        pdf = html_to_pdf(html, stylesheets=["reports/print.css", *spec.stylesheets])
    return time.perf_counter() - started, pdf


def _best(samples: list[float]) -> float:
    return min(samples)


# Content units giving reports of about 10, 15 and 20 pages (the cover, summary, method and
# maturity sections take some six pages whatever the content; a unit adds about one page).
REPORT_UNITS = {10: 3, 15: 9, 20: 14}


def pdf(repeat: int = 2) -> dict:
    found: dict = {"plain": {}, "assessment": {}}
    html = plain_document(20)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        data = html_to_pdf(html, stylesheets=["reports/print.css"])
        times.append(time.perf_counter() - started)
    found["plain"] = {"pages": _page_count(data), "seconds": times, "best": _best(times)}
    for pages, units in REPORT_UNITS.items():
        try:
            with transaction.atomic():
                assessment = _assessment(units)
                runs = [_render_assessment(assessment) for _ in range(repeat)]
                raise RollbackError
        except RollbackError:
            pass
        seconds = [s for s, _pdf in runs]
        found["assessment"][str(pages)] = {
            "target_pages": pages,
            "pages": _page_count(runs[-1][1]),
            "seconds": seconds,
            "best": _best(seconds),
        }
    return found


# ---- exam import -------------------------------------------------------------------------------


def _xlsx(n: int, agency_acronym: str, offset: int = 0):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["full_name", "email", "sex", "agency", "pre_score", "post_score"])
    for i in range(n):
        sex = ("female", "male", "undisclosed")[i % 3]
        sheet.append(
            [
                f"Bench Participant {i:05d}",
                f"bench.p{i:05d}@example.org",
                sex,
                agency_acronym,
                (i + offset) % 41,
                20 + i % 31,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("results.xlsx", out.getvalue())


def exam_import(rows: int = 2000) -> dict:
    user = _user()
    found = {}
    try:
        with transaction.atomic():
            engagement = Engagement.objects.filter(country_id="PE").order_by("pk").first()
            agency = Agency.objects.filter(country_id=engagement.country_id).first()
            session = TrainingSession.objects.create(
                engagement=engagement,
                title="Bench import session",
                start_date=timezone.localdate(),
                end_date=timezone.localdate(),
            )
            session.countries.add(engagement.country_id)
            client = _client(user)
            url = reverse("trainings:import", args=[session.pk])
            for label, offset in (("first", 0), ("again", 1)):
                upload = _xlsx(rows, agency.acronym, offset)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.post(url, {"file": upload})
                    seconds = time.perf_counter() - started
                found[label] = {"status": response.status_code, "seconds": seconds, "queries": len(captured)}
            found["enrolments"] = Enrolment.objects.filter(session=session).count()
            raise RollbackError
    except RollbackError:
        pass
    found["rows"] = rows
    return found


# ---- history workbook -----------------------------------------------------------------------


def history_import(rows: int = 10_000) -> dict:
    user = _user()
    data = sample_workbook(rows=rows, country="PE", prefix="BENCH-")
    found = {"rows": rows, "bytes": len(data)}
    try:
        with transaction.atomic():
            for label, dry_run in (("dry_run", True), ("first", False), ("again", False)):
                upload = SimpleUploadedFile("history.xlsx", data)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = history_services.import_create(user=user, upload=upload, dry_run=dry_run, run_now=True)
                    seconds = time.perf_counter() - started
                found[label] = {
                    "seconds": seconds,
                    "queries": len(captured),
                    "status": result.status,
                    "errors": len(result.errors),
                    "summary": result.summary,
                }
            raise RollbackError
    except RollbackError:
        pass
    return found


# ---- reminders ----------------------------------------------------------------------------------


def _due_rounds(count: int) -> list[int]:
    today = timezone.localdate()
    engagements = list(
        Engagement.objects.exclude(phase=Engagement.Phase.CLOSED).order_by("pk").values_list("pk", flat=True)
    )
    rounds = [
        FollowupRound(
            engagement_id=engagements[i % len(engagements)],
            opens_on=today - timedelta(days=30 + i % 50),
            due_date=today + timedelta(days=20 - i % 60),  # from "opened" through "overdue" to escalation
        )
        for i in range(count)
    ]
    return [r.pk for r in FollowupRound.objects.bulk_create(rounds, batch_size=5000)]


def reminders(sizes=(100, 10_000)) -> dict:
    found = {}
    for size in sizes:
        try:
            with transaction.atomic():
                ids = _due_rounds(size)
                with CaptureQueriesContext(connection) as captured, TestCase.captureOnCommitCallbacks(execute=True):
                    started = time.perf_counter()
                    summary = send_followup_reminders(today=timezone.localdate())
                    seconds = time.perf_counter() - started
                found[str(size)] = {
                    "rounds_created": len(ids),
                    "rounds_run": summary["rounds"],
                    "claimed": summary["claimed"],
                    "seconds": seconds,
                    "queries": len(captured),
                    "emails_logged": ReminderLog.objects.filter(round_id__in=ids).count(),
                }
                raise RollbackError
        except RollbackError:
            pass
    return found


def main() -> None:
    what = sys.argv[1]
    arguments = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    function = {
        "queries": queries,
        "pdf": pdf,
        "import": exam_import,
        "reminders": reminders,
        "history": history_import,
    }[what]
    result = function(**arguments)
    result["_database"] = settings.DATABASES["default"]["NAME"]
    print("BENCH_JSON " + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
