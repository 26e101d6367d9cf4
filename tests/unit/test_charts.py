"""The dashboard's SVG charts (pure) and the buckets they draw."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.charts import (
    Bar,
    Series,
    bar_chart,
    horizontal_bar_chart,
    legend,
    nice_ticks,
    stacked_bar_chart,
)
from flows.calendar import WorkingCalendar
from flows.service.metrics_charts import accepted_since, bucket_counts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    """The SVG as XML (it must be well formed)."""
    return ElementTree.fromstring(svg)


def texts(svg: ElementTree.Element) -> list[str]:
    """Every text the chart writes."""
    return ["".join(t.itertext()) for t in svg.iter(f"{NS}text")]


def test_a_bar_chart_is_accessible_and_writes_its_values() -> None:
    """role=img, aria-label reading the data, <title>, axis labels, a value per bar."""
    svg = parse(
        bar_chart(
            [Bar("0–5", 3), Bar("6–10", 7, tone="late"), Bar("11–15", 0)],
            title="Phân bố thời gian giải quyết",
            x_label="Số ngày làm việc",
            y_label="Số hồ sơ",
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Phân bố thời gian giải quyết. 0–5: 3; 6–10: 7; 11–15: 0"
    assert svg.findtext(f"{NS}title") == "Phân bố thời gian giải quyết"
    assert svg.get("viewBox", "").startswith("0 0 480 ")
    written = texts(svg)
    assert {"Số ngày làm việc", "Số hồ sơ", "3", "7", "0", "0–5", "6–10"} <= set(written)
    bars = svg.findall(f"{NS}rect")
    assert [b.get("class") for b in bars] == [
        "bar tone-primary",
        "bar tone-late",
        "bar tone-primary",
    ]
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[1] > heights[0] > heights[2] == 0
    assert [b.findtext(f"{NS}title") for b in bars] == ["0–5: 3", "6–10: 7", "11–15: 0"]


def test_text_is_escaped() -> None:
    """Labels from the data cannot break out of the SVG."""
    svg = bar_chart(
        [Bar('<script>alert("x")</script> & co', 1)], title="A < B", x_label="x", y_label="y"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; co" in svg
    assert parse(svg).findtext(f"{NS}title") == "A < B"


def test_an_empty_chart_says_so() -> None:
    """No bars: the axes and the empty text."""
    svg = parse(bar_chart([], title="T", x_label="x", y_label="y", empty="Chưa có số liệu"))
    assert "Chưa có số liệu" in texts(svg)
    assert svg.get("aria-label") == "T. Chưa có số liệu"
    assert not svg.findall(f"{NS}rect")


def test_a_stacked_chart_stacks_its_series_and_writes_the_rate_above() -> None:
    """Segments bottom-up in series order; zero segments left out; the top text per bar."""
    series = [
        Series("Trước hạn", "ok", [2, 0, 1]),
        Series("Đúng hạn", "info", [1, 0, 0]),
        Series("Quá hạn", "late", [1, 0, 3]),
    ]
    svg = parse(
        stacked_bar_chart(
            ["T1\n2026", "T2", "T3"],
            series,
            title="Tỷ lệ đúng hạn",
            x_label="Tháng",
            y_label="Số hồ sơ",
            top_texts=["75%", "", "25%"],
            names=["01/2026", "02/2026", "03/2026"],
        )
    )
    rects = svg.findall(f"{NS}rect")
    assert [r.get("class") for r in rects] == [
        "bar tone-ok",
        "bar tone-info",
        "bar tone-late",
        "bar tone-ok",
        "bar tone-late",
    ]
    first = rects[:3]  # January: bottom to top, each segment sitting on the one below
    for lower, upper in zip(first, first[1:], strict=False):
        assert float(upper.get("y", "0")) + float(upper.get("height", "0")) == pytest.approx(
            float(lower.get("y", "0")), abs=0.11
        )
    assert rects[0].findtext(f"{NS}title") == "01/2026 – Trước hạn: 2"
    assert "75%" in texts(svg) and "25%" in texts(svg)
    label = svg.get("aria-label", "")
    assert "01/2026: Trước hạn 2, Đúng hạn 1, Quá hạn 1 (75%)" in label
    assert "02/2026: Trước hạn 0, Đúng hạn 0, Quá hạn 0;" in label
    year = [t for t in svg.iter(f"{NS}text") if "".join(t.itertext()) == "T12026"]
    assert [s.text for s in year[0].iter(f"{NS}tspan")] == ["T1", "2026"]
    with pytest.raises(ValueError, match="2 values, not 3"):
        stacked_bar_chart(
            ["a", "b", "c"], [Series("x", "ok", [1, 2])], title="", x_label="", y_label=""
        )


def test_a_horizontal_chart_has_a_row_per_category() -> None:
    """Label left, bar, text after it; the height grows with the rows."""
    bars = [Bar("BCA", 10, "10 ngày · trễ 0%", "ok"), Bar("BTC", 12, "12 ngày · trễ 66,7%", "late")]
    svg = parse(horizontal_bar_chart(bars, title="Thời gian trả lời", x_label="Ngày làm việc"))
    rects = svg.findall(f"{NS}rect")
    assert len(rects) == 2 and float(rects[1].get("width", "0")) > float(rects[0].get("width", "0"))
    assert float(rects[1].get("y", "0")) > float(rects[0].get("y", "0"))
    assert {"BCA", "BTC", "10 ngày · trễ 0%", "12 ngày · trễ 66,7%", "Ngày làm việc"} <= set(
        texts(svg)
    )
    taller = parse(horizontal_bar_chart(bars * 3, title="t", x_label="x"))
    assert float(taller.get("viewBox", "").split()[3]) > float(svg.get("viewBox", "").split()[3])


def test_the_legend_lists_the_series() -> None:
    """One item per series, with its colour class."""
    html = legend([Series("Trước hạn", "ok", [1]), Series("Quá hạn", "late", [0])])
    assert html.count("<li>") == 2 and 'class="swatch tone-late"' in html and "Quá hạn" in html


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_ticks_are_whole_even_steps_covering_the_largest_value(largest: float) -> None:
    """0 first, equal whole steps of 1, 2 or 5 × 10^k, the last at or above the value."""
    ticks = nice_ticks(largest)
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and ticks[-1] >= largest and len(steps) == 1
    step = steps.pop()
    assert str(step).strip("0") in ("1", "2", "5") and len(ticks) <= 12


def test_working_days_fall_in_buckets_of_five() -> None:
    """0–5, 6–10, ... up to the largest value; an open last bucket beyond twelve."""
    buckets = bucket_counts({0: 1, 5: 2, 6: 1, 30: 4, 31: 1})
    assert [(b.label_vi, b.count) for b in buckets] == [
        ("0–5", 3),
        ("6–10", 1),
        ("11–15", 0),
        ("16–20", 0),
        ("21–25", 0),
        ("26–30", 4),
        ("31–35", 1),
    ]
    long = bucket_counts({3: 1, 200: 2})
    assert len(long) == 12 and (long[-1].label_vi, long[-1].high, long[-1].count) == (
        "> 55",
        None,
        2,
    )
    assert bucket_counts({}) == []
    assert [b.key for b in bucket_counts({0: 4})] == ["0-5"]


def test_the_acceptance_date_of_an_age_counts_working_days_back() -> None:
    """At most n working days run since acceptance exactly from the date found on."""
    calendar = WorkingCalendar()
    for as_of in (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 22), date(2026, 2, 23)):
        for n in (0, 5, 10, 20, 30):
            since = accepted_since(calendar, as_of, n)
            assert calendar.working_days_between(since, as_of) <= n
            day_before = date.fromordinal(since.toordinal() - 1)
            assert calendar.working_days_between(day_before, as_of) > n, (as_of, n)
