"""No export mixes 0–1 fractions with percentages: every column whose header says "(%)" holds
numbers from 0 to 100, and every share (pass, implementation and compliance rates) is written as a
percentage at full precision. The API keeps its shares (a contract)."""

import io
import math

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.scoping import EVERYWHERE
from engagements.models import Country
from outcomes import listings
from outcomes import presentation
from outcomes import selectors
from outcomes.columns import COLUMNS
from ta_portal.tabular import Column
from ta_portal.tabular import Table
from ta_portal.tabular import csv_text
from tests.factories import make_user
from tests.outcomes.factories import generate

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_every_rate_column_says_percent_in_its_header():
    rates = [column for column in COLUMNS.values() if column.kind == "rate"]
    assert {column.key for column in rates} >= {"post_pass_rate", "implementation_rate", "compliance_rate"}
    for column in rates:
        assert str(column.label).endswith("(%)"), column.key


def test_a_share_is_exported_as_a_percentage_at_full_precision():
    table = Table("t", "t", [Column("rate", "Rate (%)", "rate"), Column("pct", "Mean (%)", "pct")], [])
    table.rows = [{"rate": 2 / 7, "pct": 45.5}, {"rate": None, "pct": None}, {"rate": 1.0, "pct": 100}]
    assert list(table.values()) == [[28.57142857142857, 45.5], [None, None], [100.0, 100]]
    assert csv_text(table).splitlines()[1] == "28.57142857142857,45.5"


def _exports(client, data) -> dict[str, bytes]:
    programme = reverse("outcomes:programme_export", args=[data.programme.code, "xlsx"])
    country = reverse("outcomes:country_export", args=["PE", "xlsx"])
    files = {f"{programme}?year={year}": client.get(f"{programme}?year={year}").content for year in (2024, 2025)}
    files[country] = client.get(country).content
    for slug in listings.DATASETS:
        url = reverse("outcomes:list_export", args=[slug, "xlsx"])
        files[url] = client.get(url).content
    return files


def test_every_percent_column_of_every_export_holds_numbers_from_0_to_100():
    data = generate(size=2, seed=47)
    client = APIClient()
    client.force_login(make_user("admin"))
    checked = set()
    for url, content in _exports(client, data).items():
        for title, rows in _sheets(content).items():
            header, *values = rows
            for index, label in enumerate(header):
                if not str(label).endswith("(%)"):
                    continue
                cells = [row[index] for row in values if row[index] is not None]
                assert all(isinstance(cell, int | float) and 0 <= cell <= 100 for cell in cells), (url, title, label)
                checked.add(label)
    assert {"Post-test pass rate (%)", "Implementation rate (%)", "Follow-up compliance (%)"} <= checked
    assert {"Implementation rate at year end (%)", "Female: Post-test pass rate (%)"} <= checked


def test_no_rate_column_of_an_export_holds_a_fraction():
    # given: the tables every outcome export writes
    data = generate(size=2, seed=48)
    today = timezone.localdate()
    user = make_user("admin")
    programme = selectors.programme_dashboard(scope=EVERYWHERE, programme=data.programme, year=2025, today=today)
    country = selectors.country_dashboard(scope=EVERYWHERE, country=Country.objects.get(code="PE"), today=today)
    tables = [
        *presentation.programme_tables(programme).values(),
        *presentation.country_tables(country).values(),
        *(listings.build(slug, user=user, params={}) for slug in listings.DATASETS),
    ]
    # then: each share is written as 100 times itself, under a "(%)" header
    shares = 0
    for table in tables:
        rows = list(table.rows)
        table.rows = rows
        for column in table.columns:
            if column.kind != "rate":
                continue
            index = table.columns.index(column)
            assert str(column.label).endswith("(%)"), (table.name, column.key)
            for row, exported in zip(rows, table.values(), strict=True):
                share = row[column.key]
                if share is None:
                    assert exported[index] is None
                    continue
                assert 0 <= share <= 1, (table.name, column.key)
                assert math.isclose(exported[index], share * 100, rel_tol=1e-12), (table.name, column.key)
                shares += 1
    assert shares > 0
