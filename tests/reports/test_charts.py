"""SVG charts: accessible markup, escaped text, the values in the description."""

import xml.etree.ElementTree as ET

from reports.charts import Series
from reports.charts import bar_chart
from reports.charts import line_chart
from reports.charts import paired_dot_plot
from reports.charts import radar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def _accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").text
    labelled = root.get("aria-labelledby").split()
    assert labelled == [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")]


def test_the_radar_chart_draws_one_polygon_per_series_and_describes_the_values():
    root = _parse(
        radar_chart(
            axes=["Legal", "Licensing", "Trade", "Customs"],
            series=[Series("2026", [4, 3, None, 2]), Series("Baseline 2024", [3, 3, 2, 1])],
            title="Maturity",
        )
    )
    _accessible(root, "Maturity")
    data_polygons = [p for p in root.iter(f"{SVG}polygon") if p.get("stroke-width") == "2.2"]
    assert len(data_polygons) == 2
    desc = root.find(f"{SVG}desc").text
    assert "Legal: 2026 4, Baseline 2024 3" in desc and "Trade: 2026 —, Baseline 2024 2" in desc
    assert "Baseline 2024" in "".join(root.itertext())  # the legend


def test_chart_text_is_escaped():
    svg = str(bar_chart(items=[("<script>alert(1)</script>", 3)], title='Say "hi" & <b>', max_value=5))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _accessible(_parse(svg), 'Say "hi" & <b>')


def test_the_bar_chart_draws_a_bar_per_value_and_a_dash_for_a_missing_one():
    root = _parse(bar_chart(items=[("Female", 12), ("Male", 9), ("Other", None)], title="Participants", unit=""))
    assert len(list(root.iter(f"{SVG}rect"))) == 2
    assert "—" in "".join(root.itertext())


def test_the_paired_dot_plot_joins_pre_and_post_when_both_exist():
    root = _parse(paired_dot_plot(rows=[("Ana", 40, 80), ("Luis", None, 60)], title="Exam scores"))
    _accessible(root, "Exam scores")
    joins = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2"]
    assert len(joins) == 1
    assert "Ana: Pre 40, Post 80; Luis: Pre —, Post 60" == root.find(f"{SVG}desc").text


def test_the_line_chart_leaves_a_gap_for_missing_values():
    root = _parse(
        line_chart(
            categories=["2023", "2024", "2025", "2026"],
            series=[Series("Rate", [10, None, 30, 40])],
            title="Implementation rate",
            unit="%",
        )
    )
    _accessible(root, "Implementation rate")
    assert len(list(root.iter(f"{SVG}polyline"))) == 1  # 2025–2026; 2023 stands alone


def test_identical_charts_get_identical_markup_and_different_charts_different_ids():
    first = radar_chart(axes=["a", "b", "c"], series=[Series("x", [1, 2, 3])], title="T")
    assert first == radar_chart(axes=["a", "b", "c"], series=[Series("x", [1, 2, 3])], title="T")
    other = radar_chart(axes=["a", "b", "c"], series=[Series("x", [3, 2, 1])], title="T")
    assert _parse(first).find(f"{SVG}title").get("id") != _parse(other).find(f"{SVG}title").get("id")
