"""SVG charts: well-formed, self-contained, escaped, and drawn to scale."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from hoctap.report.charts import EMPTY, NAMESPACE, bar_chart, histogram, line_chart

NS = {"svg": NAMESPACE}
EVIL = "<script>alert(1)</script>"
DAY = dt.date(2021, 9, 1)


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{NAMESPACE}}}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    return root


def _bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{{{NAMESPACE}}}rect") if r.get("class") == "bar"]


def _texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{{{NAMESPACE}}}text"))


def _charts() -> list[str]:
    return [
        bar_chart(["Chi bộ 1", EVIL], {"Đúng hạn": [8, 5], "Muộn": [1, 2], EVIL: [1, 3]}, title=EVIL, stacked=True),
        bar_chart(["Câu 1", "Câu 2"], {"Độ dễ": [80.0, 45.5]}, title="Độ dễ theo câu hỏi", percent=True),
        bar_chart(["a", "b"], {"x": [1, 2], "y": [3, 4]}, title="Cạnh nhau"),
        histogram([10, 55, 60, 100, float("nan")], title=EVIL),
        line_chart([DAY, DAY + dt.timedelta(days=3)], {EVIL: [10.0, 80.0]}, title=EVIL, markers={EVIL: DAY}),
        bar_chart([], {}, title=EVIL),
        histogram([], title=EVIL),
        line_chart([], {}, title=EVIL),
    ]


@pytest.mark.parametrize("index", range(8))
def test_every_chart_is_valid_standalone_svg(index):
    svg = _charts()[index]
    root = _parse(svg)
    assert "<script" not in svg
    assert ("&lt;script&gt;alert(1)&lt;/script&gt;" in svg) == (index not in (1, 2))
    assert svg.replace(NAMESPACE, "").lower().count("http") == 0
    assert not root.findall(".//svg:script", NS) and not root.findall(".//svg:image", NS)
    assert not [e for e in root.iter() for k in e.attrib if k.endswith("href") or k.lower().startswith("on")]


def test_vietnamese_labels_survive():
    root = _parse(bar_chart(["Chi bộ Văn phòng"], {"Đúng hạn": [3], "Chưa làm": [1]}, title="Hoàn thành", stacked=True))
    texts = _texts(root)
    assert "Chi bộ Văn phòng" in texts and "Đúng hạn" in texts and "Chưa làm" in texts


def test_bar_lengths_are_proportional_to_values():
    root = _parse(bar_chart(["a", "b", "c"], {"n": [2, 5, 10]}, title="Tỉ lệ"))
    bars = _bars(root)
    assert [float(b.get("data-value")) for b in bars] == [2, 5, 10]
    ratios = [float(b.get("width")) / float(b.get("data-value")) for b in bars]
    assert max(ratios) - min(ratios) < 0.01 * max(ratios)


def test_stacked_bars_follow_each_other_and_totals_compare():
    root = _parse(bar_chart(["a", "b"], {"x": [3, 1], "y": [1, 1]}, title="Chồng", stacked=True))
    bars = _bars(root)  # row a: x, y; row b: x, y
    a_x, a_y, b_x, b_y = bars
    assert float(a_y.get("x")) == pytest.approx(float(a_x.get("x")) + float(a_x.get("width")), abs=0.01)
    assert float(a_x.get("width")) == pytest.approx(3 * float(b_x.get("width")), abs=0.01)
    total_a = float(a_x.get("width")) + float(a_y.get("width"))
    total_b = float(b_x.get("width")) + float(b_y.get("width"))
    assert total_a == pytest.approx(2 * total_b, abs=0.01)


def test_percent_axis_runs_to_100():
    root = _parse(bar_chart(["a"], {"x": [50]}, title="p", percent=True))
    texts = _texts(root)
    assert "100 %" in texts and "50 %" in texts
    (bar,) = _bars(root)
    full = _parse(bar_chart(["a"], {"x": [100]}, title="p", percent=True))
    assert float(bar.get("width")) * 2 == pytest.approx(float(_bars(full)[0].get("width")), abs=0.01)


def test_histogram_counts_values_into_bins():
    root = _parse(histogram([0, 5, 15, 95, 100, 100, -3, 140], title="Điểm", bins=10))
    counts = [int(b.get("data-value")) for b in _bars(root)]
    assert counts == [3, 1, 0, 0, 0, 0, 0, 0, 0, 4]
    heights = [float(b.get("height")) for b in _bars(root)]
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.01)


def test_line_chart_draws_a_marker_per_due_date():
    days = [DAY + dt.timedelta(days=i) for i in range(5)]
    svg = line_chart(days, {"Bài 1": [0, 20, None, 60, 80]}, title="Tiến độ", markers={"Hạn 1": DAY, "Hạn 2": days[-1]})
    root = _parse(svg)
    markers = [g for g in root.iter(f"{{{NAMESPACE}}}g") if g.get("class") == "marker"]
    assert len(markers) == 2
    lines = [p for p in root.iter(f"{{{NAMESPACE}}}polyline")]
    assert len(lines) == 2  # the gap at None breaks the line in two
    assert "01/09/2021" in _texts(root)


def test_empty_data_says_so():
    for svg in (
        bar_chart(["a"], {"x": [0]}, title="t"),
        histogram([float("nan")], title="t"),
        line_chart([], {}, title="t"),
    ):
        root = _parse(svg)
        assert EMPTY in _texts(root)
        assert int(root.get("height")) < 120


def test_mismatched_series_is_a_programming_error():
    with pytest.raises(ValueError):
        bar_chart(["a", "b"], {"x": [1]}, title="t")
