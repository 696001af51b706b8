"""The console's SVG bar charts: well-formed, escaped, accessible, and honest about zeros."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from wap.entrypoints.web.charts import BAR_SPACE, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def widths(root: ET.Element) -> list[float]:
    return [
        float(r.attrib["width"])
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]


def test_labels_are_escaped_and_the_chart_is_a_named_image() -> None:
    hostile = '<script>alert("x")</script> & 팀'
    markup = bar_chart("chart-x", "제목 <b>", [Bar(hostile, (3,))], unit="명")
    assert "<script>" not in markup and "<b>" not in markup
    root = parsed(markup)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "chart-x-title chart-x-desc"
    assert root.find(f"{SVG}title").text == "제목 <b>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == f"{hostile}: 3명"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert hostile in texts and "3" in texts  # the label and the number, printed
    bar = next(root.iter(f"{SVG}rect"))
    assert bar.find(f"{SVG}title").text == f"{hostile} 3명"  # type: ignore[union-attr]
    assert "<script" not in markup and "xlink" not in markup and "href" not in markup


def test_one_bar_takes_the_whole_width() -> None:
    root = parsed(bar_chart("one", "하나", [Bar("웹", (4,))]))
    assert widths(root) == [BAR_SPACE]


def test_bars_are_proportional_and_stacked_series_add_up() -> None:
    root = parsed(
        bar_chart(
            "pos", "배치", [Bar("백엔드", (3, 1)), Bar("AI", (0, 2))], ("배치", "미배치"), unit="명"
        )
    )
    assert widths(root) == [BAR_SPACE * 3 / 4, BAR_SPACE * 1 / 4, BAR_SPACE * 2 / 4]
    assert [t.text for t in root.iter(f"{SVG}text")].count("3 / 1") == 1
    assert "배치" in [t.text for t in root.iter(f"{SVG}text")]  # the legend
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "백엔드: 배치 3명, 미배치 1명; AI: 배치 0명, 미배치 2명"


def test_zero_data_draws_no_bar_but_says_so() -> None:
    empty = parsed(bar_chart("none", "없음", [], empty="자료가 없습니다"))
    assert widths(empty) == []
    assert empty.find(f"{SVG}desc").text == "자료가 없습니다"  # type: ignore[union-attr]
    zeros = bar_chart("zeros", "영", [Bar("웹", (0,)), Bar("앱", (0,))])
    assert widths(parsed(zeros)) == []
    assert re.findall(r">0</text>", zeros) == [">0</text>", ">0</text>"]  # still printed


def test_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(ValueError):
        bar_chart('x" onload="alert(1)', "t", [])
    with pytest.raises(ValueError):
        bar_chart("x", "t", [Bar("a", (1, 2))])  # two values, one series
    with pytest.raises(ValueError):
        bar_chart("x", "t", [Bar("a", (-1,))])
