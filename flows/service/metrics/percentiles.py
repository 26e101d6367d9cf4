"""Percentiles of working-day counts, taken from histograms the database computed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def nearest_rank(histogram: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile of the values a histogram counts (value → how many).

    Rule (the same for every figure): with N values sorted ascending, the P-th percentile is
    the value at rank ceil(P × N / 100), the first rank being 1; that is, the smallest value v
    such that at least P% of the values are ≤ v. So the median (P = 50) of an even number of
    values is the lower of the two middle ones, and every percentile is a value that occurred
    (a whole number of working days). None when there is no value.
    """
    if not 0 < percent <= 100:
        raise ValueError("percent must be in (0, 100]")
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return None
    rank = max(1, -(-percent * total // 100))  # ceil without floats
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        seen += count
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def median(histogram: Mapping[int, int]) -> int | None:
    """The nearest-rank median (P50)."""
    return nearest_rank(histogram, 50)


def p90(histogram: Mapping[int, int]) -> int | None:
    """The nearest-rank 90th percentile."""
    return nearest_rank(histogram, 90)


def merge(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Several histograms added bucket by bucket."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for value, count in histogram.items():
            merged[value] = merged.get(value, 0) + count
    return merged
