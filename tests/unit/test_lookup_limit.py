"""The lookup limit's sliding window, on a clock moved by hand."""

from __future__ import annotations

from api.lookup_limit import MAX_ADDRESSES, LookupLimit


def test_the_window_slides_and_addresses_are_apart() -> None:
    now = [1000.0]
    limit = LookupLimit(2, window=600, clock=lambda: now[0])
    assert [limit.wait("a"), limit.wait("a")] == [0, 0]
    assert limit.wait("a") == 601  # the first lookup leaves the window in 600 s
    assert limit.wait("b") == 0
    now[0] += 300
    assert limit.wait("a") == 301
    now[0] += 301
    assert limit.wait("a") == 0  # the first one has left the window
    assert LookupLimit(0).wait("a") == 0  # 0: no limit


def test_memory_is_bounded() -> None:
    limit = LookupLimit(1, window=600, clock=lambda: 0.0)
    for n in range(MAX_ADDRESSES + 5):
        limit.wait(f"10.0.{n // 256}.{n % 256}")
    assert len(limit._seen) == MAX_ADDRESSES
