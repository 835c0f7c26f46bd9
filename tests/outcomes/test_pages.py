"""The dashboard pages show their tables (every row of what the exports write), their charts with
text alternatives, and only the countries of the reader."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import EVERYWHERE
from outcomes import presentation
from outcomes import selectors
from tests.factories import UserFactory
from tests.factories import make_user
from tests.outcomes.factories import generate
from tests.outcomes.test_dashboards import _targets

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _table_rows(html: str, name: str) -> list[list[str]]:
    match = re.search(rf'<table[^>]*id="table-{re.escape(name)}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, f"table {name} is missing"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_programme_dashboard_shows_every_row_of_its_tables_and_labelled_charts(client):
    # given
    data = generate(size=1, seed=71)
    _targets(data.programme)
    client.force_login(make_user("admin"))
    # when
    html = client.get(reverse("outcomes:programme", args=[data.programme.code]) + "?year=2025").content.decode()
    # then
    dashboard = selectors.programme_dashboard(
        scope=EVERYWHERE, programme=data.programme, year=2025, today=timezone.localdate()
    )
    for name, table in presentation.programme_tables(dashboard).items():
        rows = _table_rows(html, name)
        assert len(rows) == len(table.rows), name
        shown = [
            c
            for c in table.columns
            if name != "targets"
            or c.key not in ("session_kind", "counted_to", "level", "metric", "objective", "period_start")
        ]
        assert all(len(row) == len(shown) for row in rows), name
    targets = {row[0]: row for row in _table_rows(html, "targets")}
    for evaluation in dashboard.evaluations:
        assert evaluation.status_label in targets[evaluation.target.title][1]
    assert re.findall(r'<svg[^>]*role="img"', html), "charts are images with a name"
    assert html.count("<title id=") == html.count('role="img"')


def test_country_dashboard_shows_every_row_of_its_tables(client):
    data = generate(size=1, seed=72)
    client.force_login(make_user("viewer", "PE"))
    html = client.get(reverse("outcomes:country", args=["PE"])).content.decode()
    training = {row[0]: row for row in _table_rows(html, "training")}
    pe = [r for r in data.results if r["country"] == "PE"]
    assert training["All participants"][1] == str(len(pe))
    assert len(_table_rows(html, "rounds")) == sum(1 for r in data.rounds if r["country"] == "PE")
    assert len(_table_rows(html, "measures")) == 7  # six statuses and the total


def test_pages_of_a_reader_of_one_country_name_no_other_country(client):
    data = generate(size=1, seed=73)
    client.force_login(make_user("counterpart", "PE"))
    index = client.get(reverse("outcomes:index")).content.decode()
    assert "Peru" in index and "Colombia" not in index
    html = client.get(reverse("outcomes:programme", args=[data.programme.code])).content.decode()
    assert "Peru" in html and "Colombia" not in html
    assert "Figures cover only the countries you can see: PE." in html
    engagement = next(e for e in data.engagements if e["country"] == "PE")
    page = client.get(reverse("engagements:detail", args=[engagement["id"]])).content.decode()
    assert reverse("outcomes:country", args=["PE"]) in page


def test_a_user_with_no_role_is_refused(client):
    client.force_login(make_user("viewer"))  # a global viewer has a role everywhere
    assert client.get(reverse("outcomes:index")).status_code == 200

    client.force_login(UserFactory())
    assert client.get(reverse("outcomes:index")).status_code == 403
    assert client.get(reverse("outcomes:country", args=["PE"])).status_code == 403
