"""Nearest-rank percentiles from histograms, and the counter rows a period reads."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.errors import InvalidInput
from flows.service.metrics.filters import MetricsFilters, Period
from flows.service.metrics.percentiles import median, merge, nearest_rank, p90


def histogram(values: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_the_median_of_an_even_count_is_the_lower_middle_value() -> None:
    # 9, 11, 26, 28, 29, 30, 30, 32: rank ceil(0.5 × 8) = 4 → 28; p90 rank ceil(7.2) = 8 → 32.
    values = {9: 1, 11: 1, 26: 1, 28: 1, 29: 1, 30: 2, 32: 1}
    assert (median(values), p90(values)) == (28, 32)
    assert median({5: 1, 7: 1}) == 5 and p90({5: 1, 7: 1}) == 7
    assert median({3: 1}) == p90({3: 1}) == 3


def test_ten_values_p90_is_the_ninth() -> None:
    values = histogram(list(range(1, 11)))
    assert (nearest_rank(values, 90), nearest_rank(values, 100), median(values)) == (9, 10, 5)


def test_nothing_has_no_percentile() -> None:
    assert median({}) is None and p90({4: 0}) is None
    with pytest.raises(ValueError):
        nearest_rank({1: 1}, 0)


def test_merge_adds_bucket_by_bucket() -> None:
    assert merge([{1: 2, 3: 1}, {3: 4}, {}]) == {1: 2, 3: 5}


@given(
    st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=200), st.integers(1, 100)
)
def test_the_histogram_gives_the_sorted_list_value(values: list[int], percent: int) -> None:
    """Same answer as sorting every value and taking rank ceil(P × N / 100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(values) / 100))
    assert nearest_rank(histogram(values), percent) == ordered[rank - 1]


VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, tzinfo=VN)


def test_the_default_period_is_this_year_up_to_today() -> None:
    period = MetricsFilters().period(NOW)
    today = date(2026, 11, 23)
    assert period == Period(date(2026, 1, 1), today, today, today)
    assert MetricsFilters(to_date=date(2025, 6, 30)).period(NOW).first == date(2025, 1, 1)
    future = MetricsFilters(from_date=date(2026, 12, 1), to_date=date(2026, 12, 31))
    assert future.period(NOW).as_of == date(2026, 11, 23)  # pending: counted as of today
    with pytest.raises(InvalidInput):
        MetricsFilters(from_date=date(2026, 5, 2), to_date=date(2026, 5, 1)).period(NOW)


@pytest.mark.parametrize(
    ("first", "last", "months", "days"),
    [
        # whole year: twelve month rows, no day rows
        ((2026, 1, 1), (2026, 12, 31), ((2026, 1, 1), (2026, 12, 1)), []),
        # 1 January to today: January to October as months, November's days
        (
            (2026, 1, 1),
            (2026, 11, 23),
            ((2026, 1, 1), (2026, 10, 1)),
            [((2026, 11, 1), (2026, 11, 23))],
        ),
        # days on both sides of a whole February
        (
            (2026, 1, 10),
            (2026, 3, 15),
            ((2026, 2, 1), (2026, 2, 1)),
            [((2026, 1, 10), (2026, 1, 31)), ((2026, 3, 1), (2026, 3, 15))],
        ),
        # inside one month; across two months without a whole one
        ((2026, 3, 3), (2026, 3, 9), None, [((2026, 3, 3), (2026, 3, 9))]),
        ((2026, 1, 20), (2026, 2, 10), None, [((2026, 1, 20), (2026, 2, 10))]),
        # a whole February of a leap year, across a year's end
        ((2028, 2, 1), (2028, 2, 29), ((2028, 2, 1), (2028, 2, 1)), []),
        ((2025, 12, 1), (2026, 1, 31), ((2025, 12, 1), (2026, 1, 1)), []),
    ],
)
def test_a_period_reads_whole_months_and_the_days_around_them(
    first: tuple[int, int, int],
    last: tuple[int, int, int],
    months: tuple[tuple[int, int, int], tuple[int, int, int]] | None,
    days: list[tuple[tuple[int, int, int], tuple[int, int, int]]],
) -> None:
    period = Period(date(*first), date(*last), date(*last), date(*last))
    expected_months = (date(*months[0]), date(*months[1])) if months else None
    assert period.ranges() == (expected_months, [(date(*a), date(*b)) for a, b in days])


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 800))
def test_the_ranges_cover_each_day_once(first: date, length: int) -> None:
    last = date.fromordinal(first.toordinal() + length)
    months, days = Period(first, last, last, last).ranges()
    covered: list[date] = []
    for a, b in days:
        covered += [date.fromordinal(n) for n in range(a.toordinal(), b.toordinal() + 1)]
    if months is not None:
        month = months[0]
        while month <= months[1]:
            nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            covered += [date.fromordinal(n) for n in range(month.toordinal(), nxt.toordinal())]
            month = nxt
    assert sorted(covered) == [
        date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)
    ]
