"""One figure, one value: the display policy rounds half away from zero, in each language's number
format, and every place a figure appears (page, API, CSV, XLSX, PDF) shows the same value."""

import csv
import io
import math
import re
import subprocess
from datetime import date
from decimal import Decimal
from fractions import Fraction
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from engagements.models import Engagement
from followups.models import Measure
from outcomes.models import AnnualProgressReport
from outcomes.report import build_annual_report
from reports.services import html_to_pdf
from ta_portal import figures
from tests.factories import make_user
from tests.outcomes.factories import generate
from tests.outcomes.test_pages import _table_rows
from trainings.templatetags import trainings_tags

# --- The rounding rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.05, 1, "0.1"),
        (0.15, 1, "0.2"),  # the float 0.15 is 0.1499…; the figure people read is 0.15
        (2.675, 2, "2.68"),
        (-0.05, 1, "-0.1"),
        (28.55, 1, "28.6"),
        (25.05, 1, "25.1"),
        (-0.04, 1, "0.0"),  # no negative zero
        (Decimal("0.25"), 1, "0.3"),
        (3, 1, "3.0"),
    ],
)
def test_rounding_is_half_away_from_zero(value, digits, expected):
    assert str(figures.rounded(value, digits)) == expected


def test_none_stays_none_and_shows_as_a_dash():
    assert figures.rounded(None, 1) is None
    assert figures.shown_value(None, "rate") is None
    for kind in ("int", "pct", "rate", "level", "score", "change", "gain", "num", "short", "p"):
        assert figures.display(None, kind) == "—"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["0.1 %", "0.2", "2.68", "−0.1", "28.6 %", "64.3 %", "28.6 %", "+25.1"]),
        ("es", ["0,1 %", "0,2", "2,68", "−0,1", "28,6 %", "64,3 %", "28,6 %", "+25,1"]),
        ("fr", ["0,1 %", "0,2", "2,68", "−0,1", "28,6 %", "64,3 %", "28,6 %", "+25,1"]),
        ("pt", ["0,1 %", "0,2", "2,68", "−0,1", "28,6 %", "64,3 %", "28,6 %", "+25,1"]),
    ],
)
def test_each_language_reads_the_same_rounded_figures_in_its_number_format(language, expected):
    with translation.override(language):
        shown = [
            figures.display(0.05, "pct"),
            figures.display(0.15, "level"),
            figures.display(2.675, "num"),
            figures.display(-0.05, "change"),
            figures.display(28.55, "pct"),
            figures.display(18 / 28, "rate"),
            figures.display(0.2855, "rate"),  # 100 × 0.2855 is 28.549999… as a float
            figures.display(25.05, "gain"),
        ]
    assert shown == expected


def test_shares_become_percentages_before_rounding():
    assert figures.shown_value(2 / 7, "rate") == 28.6
    assert figures.shown_value(0.2855, "rate") == 28.6
    assert figures.shown_value(18 / 28, "rate") == 64.3
    assert figures.shown_value(19 / 28, "rate") == 67.9


def test_the_training_filters_round_instead_of_cutting_off():
    with translation.override("en"):
        assert trainings_tags.rate(18 / 28) == "64.3 %"
        assert trainings_tags.rate(19 / 28) == "67.9 %"
        assert trainings_tags.gain(25.05) == "+25.1"
        assert trainings_tags.num2(float(Fraction(2, 7))) == "0.29"


# --- Every place a figure appears -------------------------------------------------------------------------

FIGURES = {
    # API key in its block: (block, key, kind, column label on the page and in the exports)
    "pre_mean_pct": ("training", "pct", "Pre-test mean (%)"),
    "post_mean_pct": ("training", "pct", "Post-test mean (%)"),
    "mean_gain_pct": ("training", "gain", "Mean gain (points)"),
    "normalized_gain": ("training", "num", "Normalized gain"),
    "post_pass_rate": ("training", "rate", "Post-test pass rate (%)"),
    "implementation_rate": ("measures", "rate", "Implementation rate (%)"),
    "compliance_rate": ("followup", "rate", "Follow-up compliance (%)"),
}

# What the annual report's countries table leaves out.
PRINT_HIDDEN = {"pre_mean_pct", "normalized_gain"}


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _same(exported, exact) -> bool:
    if exact is None:
        return exported in (None, "")
    return math.isclose(float(exported), exact, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.django_db
def test_every_country_figure_reads_the_same_on_the_page_api_exports_and_pdf(client, pdftotext, tmp_path):
    data = generate(size=1, seed=71)
    client.force_login(make_user("admin"))
    api_client = APIClient()
    api_client.force_login(make_user("admin"))
    url = reverse("outcomes:programme", args=[data.programme.code]) + "?year=2025"
    html = client.get(url).content.decode()
    api = api_client.get("/api/v1/outcomes/countries/", {"year": 2025, "programme": data.programme.pk}).json()
    export = reverse("outcomes:programme_export", args=[data.programme.code, "csv"]) + "?year=2025&table=countries"
    csv_rows = {row["Code"]: row for row in _csv(client.get(export))}
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("outcomes:programme_export", args=[data.programme.code, "xlsx"]) + "?year=2025").content
        )
    )
    sheet = list(workbook["Countries"].iter_rows(values_only=True))
    xlsx_rows = {row[0]: dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]}

    owner = AnnualProgressReport(programme=data.programme, year=2025, scope_key="*")
    with translation.override("en"):
        spec = build_annual_report(owner, "en")
        pdf = html_to_pdf(render_to_string(spec.template, spec.context), stylesheets=spec.stylesheets)
    (tmp_path / "report.pdf").write_bytes(pdf)
    pdf_text = subprocess.run(
        [pdftotext, "-raw", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout

    table = _table_rows(html, "countries")
    by_code = {row["country"]: row for row in api["results"]}
    assert set(by_code) == {"PE", "CO"}
    page_rows = {row[0]: row for row in table}
    columns = _page_columns(html, "countries")
    checked = 0
    pdf_rows: dict[str, list[str]] = {}
    for code, block in by_code.items():
        for key, (part, kind, label) in FIGURES.items():
            exact = block[part][key]
            shown = figures.display(exact, kind)
            assert page_rows[code][columns.index(label)] == shown, (code, key)
            # the exports write shares as percentages, at full precision
            exported = exact * 100 if kind == "rate" and exact is not None else exact
            assert _same(csv_rows[code][label], exported), (code, key)
            assert _same(xlsx_rows[code][label], exported), (code, key)
            if key not in PRINT_HIDDEN:
                pdf_rows.setdefault(code, []).append(shown)
            checked += 1
    assert checked == 2 * len(FIGURES)
    names = {row[0]: row[1] for row in table}
    for code, shown in pdf_rows.items():
        countries_table = pdf_text[pdf_text.index("Countries in 2025") :]
        line = next(line for line in countries_table.splitlines() if line.startswith(names[code] + " "))
        assert [v for v in shown if v in line] == shown, (line, shown)


def _page_columns(html: str, name: str) -> list[str]:
    match = re.search(rf'<table[^>]*id="table-{re.escape(name)}".*?<thead>(.*?)</thead>', html, re.S)
    assert match, f"table {name} has no header"
    return [
        unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", match.group(1), re.S)
    ]


@pytest.mark.django_db
def test_the_follow_up_board_and_the_dashboard_show_the_same_implementation_rate(client):
    # 2 of 7 measures implemented: 28.571… %, which the board once showed as 29 % and a table as 28.5 %.
    engagement = Engagement.objects.create(country_id="PE", title="Rounding edge", start_date=date(2025, 1, 1))
    for i, status in enumerate(["implemented"] * 2 + ["in_progress"] * 5):
        Measure.objects.create(engagement=engagement, title=f"Measure {i}", status=status)
    client.force_login(make_user("admin"))
    board = client.get(reverse("followups:board", args=[engagement.pk])).content.decode()
    dashboard = client.get(reverse("outcomes:country", args=["PE"])).content.decode()
    with translation.override("en"):
        shown = figures.display(2 / 7, "rate")
    assert shown == "28.6 %"
    assert shown in board
    assert f"Implementation rate {shown} of 7 measures" in unescape(re.sub(r"<[^>]+>", "", dashboard))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1,234,567.81", "1,000.50", "250.00"]),
        ("es", ["1\u00a0234\u00a0567,81", "1\u00a0000,50", "250,00"]),
        ("fr", ["1\u00a0234\u00a0567,81", "1\u00a0000,50", "250,00"]),
        ("pt", ["1.234.567,81", "1.000,50", "250,00"]),
    ],
)
def test_amounts_of_money_are_grouped_by_thousands_in_each_language(language, expected):
    with translation.override(language):
        shown = [figures.display(Decimal(value), "money") for value in ("1234567.805", "1000.5", "250")]
    assert shown == expected
